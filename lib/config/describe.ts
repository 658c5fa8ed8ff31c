// What a handler does, in a few fields, for the Dapr dashboard: each handler sets it as the sidecar's extended
// metadata (`PUT /v1.0/metadata/openfunction-events`), which `GET /v1.0/metadata` and the dashboard show. Pure.
import { busTopic } from '../naming.js';
import type { EventSourceHandlerConfig } from './eventsource.js';
import type { TriggerHandlerConfig } from './trigger.js';

export const METADATA_KEY = 'openfunction-events';

export function describeEventSource(c: EventSourceHandlerConfig): Record<string, unknown> {
  return {
    kind: 'EventSource',
    namespace: c.namespace,
    name: c.eventSource,
    event: c.event,
    source: c.sourceKind,
    outputs: { ...(c.eventBusOutputName ? { bus: busTopic(c.namespace, c.eventSource, c.event) } : {}), ...(c.sinkOutputName ? { sink: c.sinkOutputName } : {}) },
  };
}

export function describeTrigger(c: TriggerHandlerConfig): Record<string, unknown> {
  return {
    kind: 'Trigger',
    namespace: c.namespace,
    name: c.trigger,
    inputs: Object.fromEntries(c.inputs.map((i) => [i.name, busTopic(i.namespace ?? c.namespace, i.eventSource, i.event)])),
    subscribers: c.subscribers.map((s) => ({
      condition: s.condition,
      ...(s.sinkOutputName ? { sink: s.sinkOutputName } : {}),
      ...(s.eventBusOutputName ? { topic: s.eventBusOutputName } : {}),
      ...(s.deadLetterSinkOutputName || s.deadLetterTopicOutputName ? { deadLetter: [s.deadLetterSinkOutputName, s.deadLetterTopicOutputName].filter(Boolean).join(',') } : {}),
    })),
    ...(c.correlation ? { correlation: c.correlation } : {}),
  };
}
