// The trigger-handler's config. Upstream's TriggerConfig (upstream-behaviour §5.4) keyed subscribers by condition
// text, so identical conditions overwrote each other; ours lists them in spec order (divergence, README). Inputs
// keep upstream's shape. The controller writes it; the handler reads it. Pure.
import { z } from 'zod';
import { absence, correlation, delivery } from '../api/trigger.js';
import { decodeConfig } from './encoding.js';

export const triggerHandlerConfig = z.looseObject({
  eventBusComponent: z.string().optional(),
  trigger: z.string().min(1),
  namespace: z.string().min(1),
  inputs: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        namespace: z.string().optional(),
        eventSource: z.string().min(1),
        event: z.string().min(1),
        window: z.string().optional(),
        key: z.string().optional(),
      }),
    )
    .min(1),
  subscribers: z.array(
    z.looseObject({
      condition: z.string(),
      sinkOutputName: z.string().optional(),
      deadLetterSinkOutputName: z.string().optional(),
      eventBusOutputName: z.string().optional(),
      deadLetterTopicOutputName: z.string().optional(),
      delivery: delivery.optional(),
      absence: absence.optional(),
    }),
  ),
  correlation: correlation.optional(),
  /** Keep correlation state in this Dapr state store (its name among FUNC_CONTEXT states); in memory without it. */
  stateStore: z.string().optional(),
  logLevel: z.string().optional(),
});

export type TriggerHandlerConfig = z.infer<typeof triggerHandlerConfig>;
export type SubscriberConfig = TriggerHandlerConfig['subscribers'][number];

export const decodeTriggerConfig = (encoded: string | undefined): TriggerHandlerConfig => decodeConfig(triggerHandlerConfig, encoded, 'trigger-handler');
