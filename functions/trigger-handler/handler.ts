// The trigger-handler: bus events in, conditions evaluated, firings delivered. A bus message is acknowledged only
// when every delivery it caused succeeded or was dead-lettered; otherwise the handler fails and the bus
// redelivers it (upstream acked before delivering and exited on a send error, upstream-behaviour §9.2). A
// redelivered message does not deliver again to the subscribers that already had it.
import { identityOf, isEvent } from '../../lib/cloudevents.js';
import type { TriggerHandlerConfig } from '../../lib/config/trigger.js';
import { DeliveryError, PoisonMessageError } from '../../lib/errors.js';
import type { AsyncFunction } from '../../lib/function.js';
import { deliverFiring } from './deliver.js';
import { modelOf } from './model.js';
import { Correlator } from './state.js';

export interface TriggerDeps {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Remembers recent keys, forgetting the oldest beyond `limit`. */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly limit: number) {}
  has = (key: string) => this.keys.has(key);
  add(key: string) {
    this.keys.add(key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value as string);
  }
}

export function createTriggerHandler(config: TriggerHandlerConfig, deps: TriggerDeps): AsyncFunction {
  const model = modelOf(config);
  const correlator = new Correlator(model);
  const delivered = new RecentKeys(10_000);

  /** One line of why: which inputs are active now, which subscribers fired, which did not. */
  const explain = (id: string, inputs: readonly string[], fired: number[], now: number): string => {
    const active = model.inputs.filter((i) => correlator.isActive(i.name, now)).map((i) => i.name);
    const conditions = (which: (i: number) => boolean) => model.conditions.map((c, i) => ({ c, i })).filter(({ i }) => which(i)).map(({ c, i }) => `${i} "${c.source}"`).join(', ') || 'none';
    return `event ${id} on ${inputs.join(', ')}; active: ${active.join(', ') || 'none'}; fired: ${conditions((i) => fired.includes(i))}; not fired: ${conditions((i) => !fired.includes(i))}`;
  };

  return async function triggerHandler(ctx, data) {
    if (!isEvent(data)) throw new PoisonMessageError('not a CloudEvent');
    const topic = ctx.input.metadata.topic ?? (typeof data.topic === 'string' ? data.topic : ctx.input.name.replace(/^ti-/, ''));
    const inputs = model.topics.get(topic);
    if (!inputs) throw new PoisonMessageError(`topic "${topic}" feeds no input of this Trigger`);
    const now = deps.now();
    const firings = correlator.onEvent(inputs, data, now);
    if (ctx.log.debugEnabled !== false) ctx.log.debug({ id: data.id, topic, fired: firings.map((f) => f.subscriber) }, explain(data.id, inputs, firings.map((f) => f.subscriber), now));

    const results = await Promise.all(
      firings.map(async (firing) => {
        // Identity is source + id: two sources reusing an id are two events (and two deliveries).
        const key = `${identityOf(data)}\u0000${firing.subscriber}`;
        if (delivered.has(key)) return { firing, result: { kind: 'delivered' as const } };
        const result = await deliverFiring(config.trigger, firing, config.subscribers[firing.subscriber]!, (d, o) => ctx.send(d, o), deps.sleep);
        if (result.kind !== 'failed') delivered.add(key);
        return { firing, result };
      }),
    );
    for (const { firing, result } of results) {
      if (ctx.count) {
        const subscriber = String(firing.subscriber);
        ctx.count('firings', { trigger: config.trigger, subscriber, condition: firing.condition });
        ctx.count('deliveries', { trigger: config.trigger, subscriber, result: result.kind });
      }
      if (result.kind === 'dead-lettered') ctx.log.warn({ id: data.id, subscriber: firing.subscriber, reason: result.reason }, 'dead-lettered');
      if (result.kind === 'failed' && !result.retryable) ctx.log.error({ id: data.id, subscriber: firing.subscriber, reason: result.reason }, 'delivery refused and no dead letter configured: event dropped for this subscriber');
    }
    const retry = results.filter((r) => r.result.kind === 'failed' && r.result.retryable);
    if (retry.length > 0) {
      throw new DeliveryError(`event ${data.id}: ${retry.map((r) => `subscriber ${r.firing.subscriber}: ${(r.result as { reason: string }).reason}`).join('; ')}`, true);
    }
  };
}
