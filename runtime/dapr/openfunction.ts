// What OpenFunction v1.2 makes of one async Function, so that `dev --runtime dapr` and the tests run a rendered
// Function exactly as a cluster would (research/runtime-contract §4.2, §4.4; real-peers §5). Pure: randomness is
// passed in.
//   - Components: one Dapr Component per `bindings`/`pubsub`/`states` entry, named by the API server from
//     OpenFunction's generateName `{serving}-{bindings|pubsub|state}-{key}-` (base cut at 58 characters) and scoped
//     to the app id.
//   - The sidecar: app id `{function}-{namespace}`, HTTP app protocol (our annotation), the app on one port.
//   - FUNC_CONTEXT (v1beta1): inputs and outputs keyed by inputName/outputName, each with the real component name
//     when OpenFunction can find it (of@v1.2.0 common.go getRealComponentName matches on the generateName prefix;
//     when the API server cut the prefix short it cannot, and the logical key is written instead — as in a cluster).
import type { FunctionObject } from '../../functions/controller/plan/index.js';
import type { ComponentSpec } from '../../functions/controller/plan/components.js';

/** A Dapr Component document, as OpenFunction creates it and daprd reads it from its resources path. */
export interface ComponentDocument {
  apiVersion: 'dapr.io/v1alpha1';
  kind: 'Component';
  metadata: { name: string };
  spec: ComponentSpec;
  scopes: string[];
  /** Secret references resolve through this store (standalone mode has no Kubernetes store). */
  auth?: { secretStore: string };
}

export interface FuncContextEntry {
  uri?: string;
  componentName: string;
  componentType: string;
  metadata?: Record<string, string>;
  operation?: string;
}

export interface FuncContext {
  name: string;
  version: string;
  inputs?: Record<string, FuncContextEntry>;
  outputs?: Record<string, FuncContextEntry>;
  states?: Record<string, FuncContextEntry>;
  runtime: 'Async';
  port: string;
}

export interface FunctionLaunch {
  function: string;
  namespace: string;
  /** The Dapr app id: `{function}-{namespace}`. */
  appId: string;
  serving: string;
  /** Which of our packages the Function's image is. */
  handler: 'eventsource-handler' | 'trigger-handler';
  components: ComponentDocument[];
  context: FuncContext;
  /** The function container's environment besides ports: FUNC_CONTEXT, each param, POD_NAMESPACE, APP_PROTOCOL. */
  env: Record<string, string>;
}

/** The longest generateName base the API server keeps (k8s.io/apiserver names.maxGeneratedNameLength = 63 − 5). */
const MAX_GENERATE_NAME_BASE = 58;

/** `serving-xxxxx` and a component name: OpenFunction's generateName, completed by five random characters. */
export function generatedName(base: string, random5: string): string {
  return `${base.length > MAX_GENERATE_NAME_BASE ? base.slice(0, MAX_GENERATE_NAME_BASE) : base}${random5}`;
}

const handlerOf = (fn: FunctionObject): FunctionLaunch['handler'] =>
  fn.metadata.labels['controlled-by-trigger'] !== undefined ? 'trigger-handler' : 'eventsource-handler';

const usesSecrets = (spec: ComponentSpec): boolean => spec.metadata.some((m) => m.secretKeyRef !== undefined);

/**
 * The launch of one rendered Function. `random5` gives five lower-case alphanumerics per call, as the API server's
 * generateName does; `secretStore` names the component that resolves `secretKeyRef`s outside a cluster.
 */
export function launchOf(fn: FunctionObject, random5: () => string, secretStore?: string): FunctionLaunch {
  const namespace = fn.metadata.namespace;
  const appId = `${fn.metadata.name}-${namespace}`;
  const serving = generatedName('serving-', random5());
  const real = new Map<string, string>();
  const components: ComponentDocument[] = [];
  const stateSpecs: Record<string, ComponentSpec> = {};
  for (const [key, state] of Object.entries(fn.spec.serving.states ?? {})) if (state.spec) stateSpecs[key] = state.spec;
  for (const [kind, entries] of [['bindings', fn.spec.serving.bindings], ['pubsub', fn.spec.serving.pubsub], ['state', stateSpecs]] as const) {
    for (const [key, spec] of Object.entries(entries ?? {})) {
      const prefix = `${serving}-${kind}-${key}-`;
      const name = generatedName(prefix, random5());
      // of@v1.2.0 getRealComponentName: a component counts only when its name starts with the full prefix.
      if (name.startsWith(prefix)) real.set(key, name);
      components.push({
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: { name },
        spec,
        scopes: [appId],
        ...(secretStore && usesSecrets(spec) ? { auth: { secretStore } } : {}),
      });
    }
  }
  const componentName = (key: string) => real.get(key) ?? key;

  const inputs: Record<string, FuncContextEntry> = {};
  for (const t of fn.spec.serving.triggers.dapr) {
    inputs[t.inputName || t.name] = { uri: t.topic ?? t.name, componentName: componentName(t.name), componentType: t.type };
  }
  const outputs: Record<string, FuncContextEntry> = {};
  for (const { dapr: o } of fn.spec.serving.outputs ?? []) {
    outputs[o.outputName || o.name] = { uri: o.topic ?? o.name, componentName: componentName(o.name), componentType: o.type, ...(o.operation ? { operation: o.operation } : {}) };
  }
  const states: Record<string, FuncContextEntry> = {};
  for (const [key, spec] of Object.entries(stateSpecs)) states[key] = { componentName: componentName(key), componentType: spec.type };
  const context: FuncContext = {
    name: fn.metadata.name,
    version: fn.spec.version,
    ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
    ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
    ...(Object.keys(states).length > 0 ? { states } : {}),
    runtime: 'Async',
    port: '8080',
  };
  return {
    function: fn.metadata.name,
    namespace,
    appId,
    serving,
    handler: handlerOf(fn),
    components,
    context,
    env: {
      FUNC_CONTEXT: JSON.stringify(context),
      ...fn.spec.serving.params,
      POD_NAMESPACE: namespace,
      APP_PROTOCOL: fn.spec.serving.annotations['dapr.io/app-protocol'] ?? 'grpc',
    },
  };
}

/** Five characters from the API server's alphabet (k8s.io/apimachinery rand.String: no vowels, no 0/1/3). */
export function randomSuffix(random: () => number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

/** The daprd command line of a sidecar, standalone mode, ports chosen by the caller. */
export function sidecarArgs(launch: FunctionLaunch, ports: { app: number; http: number; grpc: number; internalGrpc: number; metrics: number }, resourcesPath: string, logLevel = 'info'): string[] {
  return [
    '--mode', 'standalone',
    '--app-id', launch.appId,
    '--app-port', String(ports.app),
    '--app-protocol', launch.env.APP_PROTOCOL ?? 'http',
    '--app-channel-address', '127.0.0.1',
    '--resources-path', resourcesPath,
    '--dapr-http-port', String(ports.http),
    '--dapr-grpc-port', String(ports.grpc),
    '--dapr-internal-grpc-port', String(ports.internalGrpc),
    '--dapr-listen-addresses', '127.0.0.1',
    '--metrics-port', String(ports.metrics),
    '--log-level', logLevel,
    '--log-as-json',
  ];
}
