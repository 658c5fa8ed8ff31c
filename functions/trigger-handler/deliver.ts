// Delivering one firing to one subscriber: its sink (binary mode) and/or topic (structured), each with the
// subscriber's retry policy; what still fails goes to its dead-letter sink and/or topic, with extensions saying
// where and why (upstream accepted deadLetterSink/deadLetterTopic and ignored them, upstream-behaviour §9.5).
// Pure: sending is the function context's.
import { withAttributes, type Event } from '../../lib/cloudevents.js';
import type { SubscriberConfig } from '../../lib/config/trigger.js';
import { DEFAULT_RETRY_POLICY, retryPolicyOf, withRetries, type Outcome, type Result, type RetryPolicy } from '../../lib/delivery.js';
import { DeliveryError, isRetryable } from '../../lib/errors.js';
import { redactText } from '../../lib/redact.js';
import type { Firing } from './engine.js';

export type Send = (data: unknown, output: string) => Promise<void>;

export type DeliveryResult =
  | { kind: 'delivered' }
  | { kind: 'dead-lettered'; reason: string }
  | { kind: 'failed'; retryable: boolean; reason: string };

/** Extension attributes (CloudEvents §3.1.1 naming: lower-case letters and digits) added to delivered events. */
export const EXTENSIONS = { trigger: 'ofntrigger', condition: 'ofncondition', subscriber: 'ofnsubscriber', errorDest: 'ofnerrordest', errorCode: 'ofnerrorcode', errorData: 'ofnerrordata', key: 'ofnkey' } as const;

function outcomeOf(e: unknown): Outcome {
  const reason = e instanceof Error ? e.message : String(e);
  const after = e instanceof DeliveryError ? e.retryAfterMs : undefined;
  if (!isRetryable(e)) return { kind: 'permanent', reason };
  return after === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs: after };
}

async function sendWithRetries(send: Send, data: unknown, output: string, policy: RetryPolicy, sleep: (ms: number) => Promise<void>): Promise<Result> {
  const attempt = async (): Promise<Outcome> => {
    try {
      await send(data, output);
      return { kind: 'ok' };
    } catch (e) {
      return outcomeOf(e);
    }
  };
  // The first attempt is made here: a delivery that succeeds at once (nearly all) skips the retry loop's promises.
  const first = await attempt();
  if (first.kind === 'ok') return { ok: true, attempts: 1 };
  return withRetries((n) => (n === 1 ? Promise.resolve(first) : attempt()), policy, sleep);
}

type Extensions = Record<(typeof EXTENSIONS)['trigger' | 'condition' | 'subscriber'], string> & { [EXTENSIONS.key]?: string };

/** The event a subscriber receives for a firing: the firing's event with extensions naming trigger and condition. */
export const deliveredEvent = (trigger: string, firing: Firing): Event =>
  withAttributes(
    firing.event,
    // Literal keys, the names in EXTENSIONS (the type checks it): an object literal with computed keys is built a
    // property at a time, on every delivery.
    firing.key === undefined
      ? ({ ofntrigger: trigger, ofncondition: firing.condition, ofnsubscriber: String(firing.subscriber) } satisfies Extensions)
      : ({ ofntrigger: trigger, ofncondition: firing.condition, ofnsubscriber: String(firing.subscriber), ofnkey: firing.key } satisfies Extensions),
  );

/** A subscriber's retry policy and targets, worked out once rather than for every firing. */
const plans = new WeakMap<SubscriberConfig, { policy: RetryPolicy; targets: string[] }>();
function planOf(sub: SubscriberConfig): { policy: RetryPolicy; targets: string[] } {
  let plan = plans.get(sub);
  if (plan === undefined) plans.set(sub, (plan = { policy: retryPolicyOf(sub.delivery), targets: [sub.sinkOutputName, sub.eventBusOutputName].filter((o): o is string => Boolean(o)) }));
  return plan;
}

export async function deliverFiring(trigger: string, firing: Firing, sub: SubscriberConfig, send: Send, sleep: (ms: number) => Promise<void>): Promise<DeliveryResult> {
  const event = deliveredEvent(trigger, firing);
  const { policy, targets } = planOf(sub);
  const sendTo = async (output: string) => ({ output, result: await sendWithRetries(send, event, output, policy, sleep) });
  // A sink or a topic, the usual subscriber, is awaited alone, without Promise.all's bookkeeping.
  const results = targets.length === 1 ? [await sendTo(targets[0]!)] : await Promise.all(targets.map(sendTo));
  const failed = results.filter((r) => !r.result.ok);
  if (failed.length === 0) return { kind: 'delivered' };

  // Redacted here too, whatever the transport said: the reason goes into logs and into the dead letter itself.
  const reason = redactText(failed.map((f) => `${f.output}: ${f.result.ok ? '' : f.result.reason} (${f.result.attempts} attempts)`).join('; '));
  const deadLetters = [sub.deadLetterSinkOutputName, sub.deadLetterTopicOutputName].filter((o): o is string => Boolean(o));
  if (deadLetters.length > 0) {
    const first = failed[0]!;
    const code = /HTTP (\d{3})/.exec(first.result.ok ? '' : first.result.reason)?.[1];
    const dead = withAttributes(event, { [EXTENSIONS.errorDest]: failed.map((f) => f.output).join(','), [EXTENSIONS.errorData]: reason.slice(0, 1024), ...(code ? { [EXTENSIONS.errorCode]: code } : {}) });
    const dl = await Promise.all(deadLetters.map((output) => sendWithRetries(send, dead, output, DEFAULT_RETRY_POLICY, sleep)));
    if (dl.every((r) => r.ok)) return { kind: 'dead-lettered', reason };
    return { kind: 'failed', retryable: true, reason: `${reason}; dead letter failed too` };
  }
  return { kind: 'failed', retryable: failed.some((f) => !f.result.ok && !f.result.permanent), reason };
}
