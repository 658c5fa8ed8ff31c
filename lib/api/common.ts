// Building blocks shared by the four kinds. Every object is strict (unknown fields are errors, with a hint), field
// names are upstream's (upstream-behaviour §2), and `.describe()` texts become the CRD descriptions users read in
// `kubectl explain`. Pure.
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../duration.js';

export const API_GROUP = 'events.openfunction.io';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

/** Marker prefix for descriptions of our additions, so `kubectl explain` and the README say which fields are ours. */
export const EXTENSION = '(openfunction-events extension)';

/** A 64-bit integer field, as upstream's Go `int64` (the CRD keeps `format: int64`). */
export const int64 = () => z.int().meta({ format: 'int64' });
/** A 32-bit integer field, as upstream's Go `int32`. */
export const int32 = () => z.int().min(-2147483648).max(2147483647).meta({ format: 'int32' });

/** A duration string, Go style or ISO 8601 (see lib/duration.ts). */
export const duration = () =>
  z.string().refine((value) => parseDuration(value) !== undefined, { message: `expected ${DURATION_HINT}` });

/**
 * A credential given inline, as upstream, or as a reference to a Kubernetes Secret key (mapped to Dapr's
 * `secretKeyRef` in generated components, so the value never appears in a Function or Component spec).
 * The CRD cannot express "string or object" structurally, so the node preserves unknown fields and the controller
 * validates it with this schema.
 */
export const secretValue = (what: string) =>
  z
    .union([
      z.string(),
      z.strictObject({
        secretKeyRef: z
          .strictObject({
            name: z.string().min(1).describe('Name of the Secret, in the namespace of the resource.'),
            key: z.string().min(1).describe('Key within the Secret.'),
          })
          .describe('The Secret key holding the value.'),
      }),
    ])
    .meta({
      description: `${what}: a plain string, or {secretKeyRef: {name, key}} to read it from a Secret ${EXTENSION}.`,
      'x-kubernetes-preserve-unknown-fields': true,
    });

export type SecretValue = z.infer<ReturnType<typeof secretValue>>;

/** Any JSON object, kept as is (fields upstream declares but never reads, such as `build` and KEDA `advanced`). */
export const opaqueObject = (description: string) =>
  z.record(z.string(), z.unknown()).meta({ description, 'x-kubernetes-preserve-unknown-fields': true });

export const reference = z
  .strictObject({
    kind: z.string().describe('Kind of the referent: Service (Knative or v1), or Function.'),
    namespace: z.string().optional().describe("Namespace of the referent; defaults to the resource's namespace."),
    name: z.string().describe('Name of the referent.'),
    apiVersion: z
      .string()
      .describe('API version of the referent: serving.knative.dev/v1, core.openfunction.io/v1beta1 or v1beta2, or v1.'),
  })
  .describe('A reference to an addressable object whose URL receives the events.');

export const sink = z
  .strictObject({
    ref: reference.optional(),
    uri: z.string().optional().describe('URL that receives the events; takes priority over ref.'),
  })
  .describe('Where events are delivered over HTTP: a URI, or a reference resolved to one.');

export type Sink = z.infer<typeof sink>;

/** KEDA scaling fields common to every scale option (upstream's `GenericScaleOption`, inlined). */
export const genericScaleOption = {
  pollingInterval: int32().optional().describe('KEDA polling interval, in seconds.'),
  cooldownPeriod: int32().optional().describe('KEDA cooldown period, in seconds.'),
  minReplicaCount: int32().optional().describe('Minimum replicas.'),
  maxReplicaCount: int32().optional().describe('Maximum replicas.'),
  advanced: opaqueObject('KEDA advanced configuration.').optional(),
  metadata: z.record(z.string(), z.string()).optional().describe('Metadata copied into the KEDA trigger.'),
  authRef: z
    .strictObject({
      name: z.string().describe('Name of the KEDA TriggerAuthentication.'),
      kind: z.string().optional().describe('TriggerAuthentication or ClusterTriggerAuthentication.'),
    })
    .optional()
    .describe('KEDA authentication reference.'),
};

/** Kubernetes object metadata: only `name` is checked here; the rest is the API server's business. */
export const objectMeta = z.looseObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      message: 'expected a DNS-1123 name: lowercase letters, digits, "-" and ".", starting and ending alphanumeric',
    })
    .max(253),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generation: z.number().optional(),
});

/**
 * One entry of our status condition set (keyed by `type`, not upstream's append-only log: upstream-behaviour §2.5).
 * `timestamp` is upstream's field, kept so tools that read it keep working.
 */
export const statusCondition = z.strictObject({
  type: z.string().describe('Condition type, unique within the set, e.g. Ready.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
  reason: z.string().optional().describe('One-word, CamelCase reason for the last transition.'),
  message: z.string().optional().describe('Human-readable details, naming the field at fault.'),
  lastTransitionTime: z.string().optional().describe('When the status last changed (RFC 3339).'),
  observedGeneration: int64().optional().describe('The metadata.generation this condition was computed from.'),
  timestamp: z.string().optional().describe('When the condition was written (RFC 3339); upstream field.'),
});

export const status = z
  .strictObject({
    state: z
      .enum(['Ready', 'Pending', 'Error'])
      .optional()
      .describe(`Summary of the conditions, shown in the STATUS column ${EXTENSION}.`),
    observedGeneration: int64().optional().describe(`The metadata.generation last reconciled ${EXTENSION}.`),
    functions: z.string().optional().describe(`Generated Functions running, of those planned, e.g. 2/3 (the FUNCTIONS column) ${EXTENSION}.`),
    reason: z.string().optional().describe(`Why the resource is not Ready, one word (the REASON column) ${EXTENSION}.`),
    conditions: z.array(statusCondition).optional().describe('The condition set, ending with the summary Ready.'),
  })
  .describe('Observed state, written by the controller.');

export type Status = z.infer<typeof status>;
export type StatusCondition = z.infer<typeof statusCondition>;

/** The envelope every resource of ours has; `kind` and `spec` are set per kind. */
export function resourceSchema<K extends string, S extends z.ZodType>(kind: K, spec: S, description: string) {
  return z
    .strictObject({
      apiVersion: z.literal(API_GROUP_VERSION),
      kind: z.literal(kind),
      metadata: objectMeta,
      spec,
      status: status.optional(),
    })
    .describe(description);
}
