// A generated OpenFunction Function (core.openfunction.io/v1beta2): our fields only, built from scratch each time
// (research/aesthetics lesson 2). Dapr sidecar mode over HTTP, a Deployment, unique inputName/outputName
// (runtime-contract §9.6). Pure.
import { sortKeys } from './sort.js';
import { encodeConfig } from '../../../lib/config/encoding.js';
import { LABELS } from '../../../lib/naming.js';
import type { ComponentSpec } from './components.js';

export interface DaprTrigger {
  name: string;
  type: string;
  topic?: string;
  inputName: string;
}

export interface DaprOutput {
  name: string;
  type: string;
  topic?: string;
  operation?: string;
  outputName: string;
}

export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string | undefined;
}

export interface FunctionObject {
  apiVersion: 'core.openfunction.io/v1beta2';
  kind: 'Function';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller: true; blockOwnerDeletion: true }>;
  };
  spec: {
    version: string;
    image: string;
    serving: {
      annotations: Record<string, string>;
      workloadType: 'Deployment';
      triggers: { dapr: DaprTrigger[] };
      outputs?: Array<{ dapr: DaprOutput }>;
      bindings?: Record<string, ComponentSpec>;
      pubsub?: Record<string, ComponentSpec>;
      /** v1beta2 wraps each store's component spec (`{spec}`; no spec names an existing component). */
      states?: Record<string, { spec?: ComponentSpec }>;
      params: { CONFIG: string };
      scaleOptions?: { minReplicas: number; maxReplicas: number; keda?: Record<string, never> };
    };
  };
}

export interface FunctionParts {
  name: string;
  namespace: string;
  image: string;
  labels: Record<string, string>;
  owner: Owner;
  triggers: DaprTrigger[];
  outputs: DaprOutput[];
  /** Keyed by component name; a Map, as the names are per resource (object literals with such keys are slow). */
  components: ReadonlyMap<string, ComponentSpec>;
  config: unknown;
  /** One replica keeps a Trigger's in-memory correlation state whole (upstream-behaviour §9.4). */
  singleReplica?: boolean;
  /** A fixed number of replicas (a Trigger with durable state). */
  replicas?: number;
  /** State stores OpenFunction creates for the Function (its CRD takes full component specs only). */
  states?: Record<string, ComponentSpec>;
}

// Built by assignment in sorted key order rather than by spreads and Object.fromEntries: the controller plans every
// resource on every resync, and those were most of the plan's time (bench/controller).
function sortedLabels(labels: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { [LABELS.managed]: 'true' };
  for (const key in labels) all[key] = labels[key]!;
  const out: Record<string, string> = {};
  for (const key of sortKeys(Object.keys(all))) out[key] = all[key]!;
  return out;
}

/**
 * A record keyed by component names, which are per resource: in an object literal each new name would add a hidden
 * class to V8's transition tree shared by every such object (30,000 of them in a 10,000-Trigger plan, most of its
 * time); an object without a prototype is a plain hash table from the start.
 */
const dictionary = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

// research/runtime-contract §4.3, §9.6: our host speaks HTTP; sidecar mode is the supported path. The host serves
// Prometheus metrics on the function port; a Prometheus that honours the usual scrape annotations finds them
// (manifests/monitoring/podmonitor.yaml does the same for the Prometheus Operator). One frozen object shared by every
// Function: nothing writes to a planned Function, and writing to this would throw.
const ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({
  'dapr.io/app-protocol': 'http',
  'openfunction.io/dapr-service-mode': 'sidecar',
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': '8080',
  'prometheus.io/path': '/metrics',
});

export function functionOf(p: FunctionParts): FunctionObject {
  let bindings: Record<string, ComponentSpec> | undefined;
  let pubsub: Record<string, ComponentSpec> | undefined;
  for (const key of sortKeys([...p.components.keys()])) {
    const component = p.components.get(key)!;
    if (component.type.startsWith('bindings.')) (bindings ??= dictionary())[key] = component;
    else if (component.type.startsWith('pubsub.')) (pubsub ??= dictionary())[key] = component;
  }
  // Fields assigned in the order the Function has always been written (its JSON is compared and golden-tested).
  const serving: Partial<FunctionObject['spec']['serving']> = {
    annotations: ANNOTATIONS,
    workloadType: 'Deployment',
    triggers: { dapr: p.triggers },
  };
  if (p.outputs.length > 0) serving.outputs = p.outputs.map((dapr) => ({ dapr }));
  if (bindings) serving.bindings = bindings;
  if (pubsub) serving.pubsub = pubsub;
  if (p.states) {
    // OpenFunction v1beta2's `serving.states` is `map[name]{spec}`, unlike `bindings` and `pubsub` (its CRD refuses
    // a bare ComponentSpec there: "field not declared in schema"); v1beta1 took the bare spec.
    const states = dictionary<{ spec: ComponentSpec }>();
    for (const key of sortKeys(Object.keys(p.states))) states[key] = { spec: p.states[key]! };
    serving.states = states;
  }
  serving.params = { CONFIG: encodeConfig(p.config) };
  if (p.singleReplica) serving.scaleOptions = { minReplicas: 1, maxReplicas: 1 };
  // OpenFunction 1.2 runs minReplicas only when `keda` is present, even empty (runtime-contract §4.5): no scaler.
  else if (p.replicas !== undefined) serving.scaleOptions = { minReplicas: p.replicas, maxReplicas: p.replicas, keda: {} };
  const metadata: FunctionObject['metadata'] = { name: p.name, namespace: p.namespace, labels: sortedLabels(p.labels) };
  // The API server needs the owner's uid; without one (`ofn-events render`), no owner reference is written.
  if (p.owner.uid) metadata.ownerReferences = [{ apiVersion: p.owner.apiVersion, kind: p.owner.kind, name: p.owner.name, uid: p.owner.uid, controller: true, blockOwnerDeletion: true }];
  return { apiVersion: 'core.openfunction.io/v1beta2', kind: 'Function', metadata, spec: { version: 'v1.0.0', image: p.image, serving: serving as FunctionObject['spec']['serving'] } };
}
