import { ALLOW_PRIVATE_SINKS_KEY, privateSinkReason } from '../../../lib/api/sink-policy.js';
// What the plan reads besides the resource itself: buses, addressable sinks, handler images. Level-triggered: the
// controller fills it from the cluster, `ofn-events render` from the files. Pure.
import { checkBus, type ClusterEventBus, type EventBus, type EventBusSpec, type Sink } from '../../../lib/api/index.js';

export interface World {
  eventBuses: ReadonlyMap<string, EventBus>; // key: namespace/name
  clusterEventBuses: ReadonlyMap<string, ClusterEventBus>; // key: name
  /** Resolved URLs of addressables a sink may reference; key: apiVersion/kind/namespace/name. */
  addresses: ReadonlyMap<string, string | undefined>;
  images: HandlerImages;
  /** Sinks may point at loopback, link-local or the API server (lib/api/sink-policy.ts); the admin's choice. */
  allowPrivateSinks?: boolean;
}

export interface HandlerImages {
  eventSourceHandler: string;
  triggerHandler: string;
}

/** Defaults, overridden by upstream's ConfigMap keys (upstream-behaviour §4.2 step 1, §12 row 7). */
export const DEFAULT_IMAGES: HandlerImages = {
  // registry.invalid (RFC 2606): no registry serves these; the install set's `registry` knob replaces it.
  eventSourceHandler: 'registry.invalid/openfunction-events/eventsource-handler:0.1.0',
  triggerHandler: 'registry.invalid/openfunction-events/trigger-handler:0.1.0',
};

/** OpenFunction's own configuration ConfigMap, where upstream read the handler images: read, never written. */
export const UPSTREAM_CONFIGMAP = { namespace: 'openfunction', name: 'openfunction-config' } as const;

export const IMAGE_KEYS = { eventSourceHandler: 'openfunction.eventsource-handler.image', triggerHandler: 'openfunction.trigger-handler.image' } as const;

export function imagesFrom(configMapData: Readonly<Record<string, string>> | undefined): HandlerImages {
  return {
    eventSourceHandler: configMapData?.[IMAGE_KEYS.eventSourceHandler] || DEFAULT_IMAGES.eventSourceHandler,
    triggerHandler: configMapData?.[IMAGE_KEYS.triggerHandler] || DEFAULT_IMAGES.triggerHandler,
  };
}

export type Resolved<T> = { ok: true; value: T; from?: string } | { ok: false; reason: string; message: string };

// A bus is shared by many resources: its own check runs once per bus object, not once per resource that uses it.
const busErrors = new WeakMap<EventBusSpec, { message: string } | undefined>();
function busError(spec: EventBusSpec): { message: string } | undefined {
  if (!busErrors.has(spec)) busErrors.set(spec, checkBus(spec).find((p) => p.severity === 'error'));
  return busErrors.get(spec);
}

/** upstream-behaviour §6: the EventBus of the namespace, else the ClusterEventBus of that name. */
export function resolveBus(world: World, namespace: string, name: string): Resolved<EventBusSpec> {
  const found = world.eventBuses.get(`${namespace}/${name}`) ?? world.clusterEventBuses.get(name);
  if (found) {
    // divergence: upstream-behaviour §12 — a bus without a backend gave an opaque Function create error.
    const broken = busError(found.spec);
    const label = `${found.kind} ${found.kind === 'EventBus' ? `${namespace}/` : ''}${name}`;
    if (broken) return { ok: false, reason: 'EventBusInvalid', message: `spec.eventBus: ${label}: ${broken.message}` };
    return { ok: true, value: found.spec, from: label };
  }
  return { ok: false, reason: 'EventBusNotFound', message: `spec.eventBus: no EventBus "${name}" in namespace "${namespace}" and no ClusterEventBus "${name}"` };
}

const SUPPORTED_REFS = ['serving.knative.dev/v1/Service', 'core.openfunction.io/v1beta1/Function', 'core.openfunction.io/v1beta2/Function', 'v1/Service'];

/**
 * A sink's URL: `uri` first; else a reference to a Knative Service, an OpenFunction Function (v1beta1 or v1beta2)
 * or a plain v1 Service. divergence: upstream-behaviour §2.6, §12 — upstream supported only two referents, ignored
 * the namespace default its docs promised, and crashed on a ref-only EventSource sink.
 */
export function resolveSink(world: World, sink: Sink, namespace: string, path: string): Resolved<{ url: string; namespace: string }> {
  if (sink.uri) {
    const reason = world.allowPrivateSinks ? undefined : privateSinkReason(sink.uri);
    if (reason) return { ok: false, reason: 'NotPermitted', message: `${path}.uri: ${reason}; refused unless the cluster allows it (${ALLOW_PRIVATE_SINKS_KEY}: "true" in openfunction-events-config)` };
    return { ok: true, value: { url: sink.uri, namespace } };
  }
  const ref = sink.ref;
  if (!ref) return { ok: false, reason: 'SinkInvalid', message: `${path}: set uri or ref` };
  const ns = ref.namespace || namespace;
  // The defaults upstream's docs promise (upstream-behaviour §2.6): a Knative Service in the resource's namespace.
  const gvk = `${ref.apiVersion || 'serving.knative.dev/v1'}/${ref.kind || 'Service'}`;
  if (!SUPPORTED_REFS.includes(gvk)) return { ok: false, reason: 'SinkUnsupported', message: `${path}.ref: unsupported referent ${gvk}; expected one of ${SUPPORTED_REFS.join(', ')}` };
  if (gvk === 'v1/Service') return { ok: true, value: { url: `http://${ref.name}.${ns}.svc.cluster.local/`, namespace: ns } };
  const url = world.addresses.get(`${gvk}/${ns}/${ref.name}`);
  if (url === undefined) return { ok: false, reason: 'SinkNotReady', message: `${path}.ref: ${gvk.split('/').pop()} ${ns}/${ref.name} has no address yet` };
  return { ok: true, value: { url, namespace: ns } };
}
