// Resource builders: each test states only what differs from a valid resource (research/aesthetics lesson 11).
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge; `undefined` in the patch deletes the key. */
export function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = isObject(value) && isObject(out[key]) ? merge(out[key] as Json, value) : value;
  }
  return out;
}

const envelope = (kind: string, name: string) => ({ apiVersion: 'events.openfunction.io/v1alpha1', kind, metadata: { name } });

export const makeEventSource = (patch: Json = {}, name = 'my-es'): Json =>
  merge({ ...envelope('EventSource', name), spec: { eventBus: 'default', cron: { tick: { schedule: '@every 5s' } } } }, patch);

export const makeEventBus = (patch: Json = {}, name = 'default', kind = 'EventBus'): Json =>
  merge({ ...envelope(kind, name), spec: { jetstream: { natsURL: 'nats://nats:4222' } } }, patch);

export const makeTrigger = (patch: Json = {}, name = 'my-trigger'): Json =>
  merge(
    {
      ...envelope('Trigger', name),
      spec: {
        eventBus: 'default',
        inputs: { tick: { eventSource: 'my-es', event: 'tick' } },
        subscribers: [{ condition: 'tick', sink: { uri: 'http://sink.default.svc/' } }],
      },
    },
    patch,
  );
