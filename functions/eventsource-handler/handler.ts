// The eventsource-handler: every source event becomes a CloudEvent, published to the bus topic and/or delivered to
// the sink. The input is acknowledged only when every output took the event (after bounded retries with backoff);
// otherwise the handler fails so the source redelivers (upstream-behaviour §8 exited the process instead).
// A poison payload is dropped with its reason; nothing here exits the process.
import { toCloudEvent, type Event, type EventEnv } from '../../lib/cloudevents.js';
import type { EventSourceHandlerConfig } from '../../lib/config/eventsource.js';
import { DEFAULT_RETRY_POLICY, withRetries, type Outcome, type RetryPolicy } from '../../lib/delivery.js';
import { DeliveryError, InvalidSpecError, PoisonMessageError, isRetryable } from '../../lib/errors.js';
import type { AsyncFunction, FunctionContext } from '../../lib/function.js';
import { sourceMessageOf } from './message.js';

export interface HandlerDeps {
  env: EventEnv;
  sleep(ms: number): Promise<void>;
  policy?: RetryPolicy;
  /** Larger payloads are poison (default 4 MiB). */
  maxEventBytes?: number;
}

/** Retries within one delivery of the input; the source's redelivery is the outer loop. */
export const HANDLER_RETRY_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, retry: 3, backoffDelayMs: 100, maxBackoffMs: 2_000 };

export function createEventSourceHandler(config: EventSourceHandlerConfig, deps: HandlerDeps): AsyncFunction {
  const outputs = [config.eventBusOutputName, config.sinkOutputName].filter((o): o is string => Boolean(o));
  if (outputs.length === 0) throw new InvalidSpecError('eventsource-handler: config names neither eventBusOutputName nor sinkOutputName');
  const origin = { namespace: config.namespace, eventSource: config.eventSource, event: config.event, kind: config.sourceKind };
  const policy = deps.policy ?? HANDLER_RETRY_POLICY;
  const maxBytes = deps.maxEventBytes ?? 4 * 1024 * 1024;

  return async function eventSourceHandler(ctx, data) {
    const payload = bytesOf(data);
    if (payload.byteLength > maxBytes) throw new PoisonMessageError(`payload of ${payload.byteLength} bytes exceeds the ${maxBytes}-byte limit`);
    const event = toCloudEvent(origin, sourceMessageOf(config.sourceKind, ctx.input.metadata, payload, origin), deps.env);
    if (ctx.log.debugEnabled !== false) ctx.log.debug({ id: event.id, type: event.type, outputs }, `event ${event.id} (${event.type}) → ${outputs.join(', ')}`);

    if (outputs.length === 1) {
      // The common case, without the bookkeeping of several outputs.
      try {
        return await ctx.send(event, outputs[0]!);
      } catch (error) {
        return retryFailed(event, [{ output: outputs[0]!, error }], ctx, policy, deps);
      }
    }
    // First attempt on every output at once; only the outputs that failed enter the retry policy.
    const first = await Promise.all(outputs.map((output) => ctx.send(event, output).then(() => undefined, (e: unknown) => e)));
    const failed = outputs.flatMap((output, i) => (first[i] === undefined ? [] : [{ output, error: first[i] }]));
    if (failed.length > 0) await retryFailed(event, failed, ctx, policy, deps);
  };
}

/** Retries the outputs whose first attempt failed; throws when any still failed (poison when all said no for good). */
async function retryFailed(event: Event, failures: Array<{ output: string; error: unknown }>, ctx: FunctionContext, policy: RetryPolicy, deps: HandlerDeps): Promise<void> {
  const results = await Promise.all(
    failures.map(({ output, error }) =>
      withRetries(
        async (n): Promise<Outcome> => {
          if (n === 1) return outcomeOf(error); // the first attempt, already made
          try {
            await ctx.send(event, output);
            return { kind: 'ok' };
          } catch (e) {
            return outcomeOf(e);
          }
        },
        policy,
        deps.sleep,
      ).then((result) => ({ output, result })),
    ),
  );
  const failed = results.filter((r) => !r.result.ok);
  if (failed.length === 0) return;
  const reasons = failed.map((f) => `${f.output}: ${f.result.ok ? '' : f.result.reason} (${f.result.attempts} attempts)`).join('; ');
  // An output that refused the event for good will refuse it again: redelivering would block the source forever.
  if (failed.every((f) => !f.result.ok && f.result.permanent)) throw new PoisonMessageError(`event ${event.id} refused: ${reasons}`);
  throw new DeliveryError(`event ${event.id} not delivered: ${reasons}`, true);
}

function outcomeOf(e: unknown): Outcome {
  const reason = e instanceof Error ? e.message : String(e);
  return isRetryable(e) ? { kind: 'retry', reason } : { kind: 'permanent', reason };
}

function bytesOf(data: unknown): Uint8Array {
  if (data === undefined || data === null) return new Uint8Array(0);
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(JSON.stringify(data), 'utf8');
}
