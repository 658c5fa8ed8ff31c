// The eventsource-handler's config: upstream's EventSourceConfig fields (upstream-behaviour §4.5), which keep their
// names and meaning, plus the event's identity, which CloudEvents need. The controller writes it; the handler reads
// it. Pure.
import { z } from 'zod';
import { SOURCE_KINDS } from '../naming.js';
import { decodeConfig } from './encoding.js';

export const eventSourceHandlerConfig = z.looseObject({
  eventBusComponent: z.string().optional(),
  /** Output to publish to (`ebo-{eventSource}`); absent when the EventSource has no bus. */
  eventBusOutputName: z.string().optional(),
  /** The bus topic (`{ns}-{es}-{event}`); informational, the output carries the topic. */
  eventBusTopic: z.string().optional(),
  /** Output of the sink (`so-es-{eventSource}-1`); absent when the EventSource has no sink. */
  sinkOutputName: z.string().optional(),
  logLevel: z.string().optional(),
  namespace: z.string().min(1),
  eventSource: z.string().min(1),
  event: z.string().min(1),
  sourceKind: z.enum(SOURCE_KINDS),
});

export type EventSourceHandlerConfig = z.infer<typeof eventSourceHandlerConfig>;

export const decodeEventSourceConfig = (encoded: string | undefined): EventSourceHandlerConfig =>
  decodeConfig(eventSourceHandlerConfig, encoded, 'eventsource-handler');
