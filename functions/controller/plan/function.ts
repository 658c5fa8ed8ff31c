// A generated OpenFunction Function (core.openfunction.io/v1beta2): our fields only, built from scratch each time
// (research/aesthetics lesson 2). Dapr sidecar mode over HTTP, a Deployment, unique inputName/outputName
// (runtime-contract §9.6). Pure.
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
      params: { CONFIG: string };
      scaleOptions?: { minReplicas: number; maxReplicas: number };
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
  components: Record<string, ComponentSpec>;
  config: unknown;
  /** One replica keeps a Trigger's correlation state whole (upstream-behaviour §9.4). */
  singleReplica?: boolean;
}

const sorted = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

export function functionOf(p: FunctionParts): FunctionObject {
  const bindings = Object.fromEntries(Object.entries(p.components).filter(([, c]) => c.type.startsWith('bindings.')));
  const pubsub = Object.fromEntries(Object.entries(p.components).filter(([, c]) => c.type.startsWith('pubsub.')));
  return {
    apiVersion: 'core.openfunction.io/v1beta2',
    kind: 'Function',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: sorted({ [LABELS.managed]: 'true', ...p.labels }),
      // The API server needs the owner's uid; without one (`ofn-events render`), no owner reference is written.
      ...(p.owner.uid ? { ownerReferences: [{ apiVersion: p.owner.apiVersion, kind: p.owner.kind, name: p.owner.name, uid: p.owner.uid, controller: true as const, blockOwnerDeletion: true as const }] } : {}),
    },
    spec: {
      version: 'v1.0.0',
      image: p.image,
      serving: {
        // research/runtime-contract §4.3, §9.6: our host speaks HTTP; sidecar mode is the supported path.
        // The host serves Prometheus metrics on the function port; a Prometheus that honours the usual scrape
        // annotations finds them (manifests/monitoring/podmonitor.yaml does the same for the Prometheus Operator).
        annotations: { 'dapr.io/app-protocol': 'http', 'openfunction.io/dapr-service-mode': 'sidecar', 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' },
        workloadType: 'Deployment',
        triggers: { dapr: p.triggers },
        ...(p.outputs.length > 0 ? { outputs: p.outputs.map((dapr) => ({ dapr })) } : {}),
        ...(Object.keys(bindings).length > 0 ? { bindings: sorted(bindings) } : {}),
        ...(Object.keys(pubsub).length > 0 ? { pubsub: sorted(pubsub) } : {}),
        params: { CONFIG: encodeConfig(p.config) },
        ...(p.singleReplica ? { scaleOptions: { minReplicas: 1, maxReplicas: 1 } } : {}),
      },
    },
  };
}
