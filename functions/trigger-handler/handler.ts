// The trigger-handler: bus events in, conditions evaluated, firings delivered. A bus message is acknowledged only
// when every delivery it caused succeeded or was dead-lettered; otherwise the handler fails and the bus
// redelivers it (upstream acked before delivering and exited on a send error, upstream-behaviour §9.2). A
// redelivered message does not deliver again to the subscribers that already had it.
//
// Correlation state lives in process memory (the default, as upstream) or, with `correlation.state`, in a Dapr
// state store (durable.ts): then a message is acknowledged only after its effect on the state is written. Keyed
// Triggers correlate per key; events of one key are applied in arrival order (a chain per key), different keys
// concurrently. Absence timers are fired by the function's clock.
import { identityOf, isEvent, type Event } from '../../lib/cloudevents.js';
import type { TriggerHandlerConfig } from '../../lib/config/trigger.js';
import { parseDuration } from '../../lib/duration.js';
import { DeliveryError, PoisonMessageError } from '../../lib/errors.js';
import type { AsyncFunction, FunctionContext } from '../../lib/function.js';
import { RecentKeys } from '../../lib/recent.js';
import type { StateStore } from '../../lib/state/index.js';
import { deliverFiring, type DeliveryResult } from './deliver.js';
import { DurableCorrelator } from './durable.js';
import type { Firing } from './engine.js';
import { modelOf } from './model.js';
import { Correlator, DEFAULT_MAX_KEYS } from './state.js';

export interface TriggerDeps {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** The state store named by `config.stateStore` (durable correlation); in memory without it. */
  store?: StateStore;
  /** How often absence timers are checked (default 1 s). */
  tickMs?: number;
}

/** Runs work for one key after the work queued before it for that key: per-key order, different keys at once. */
class KeyChains {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

export function createTriggerHandler(config: TriggerHandlerConfig, deps: TriggerDeps): AsyncFunction {
  if (config.stateStore && !deps.store) throw new PoisonMessageError(`the Trigger keeps its state in the store "${config.stateStore}", and none was given`);
  const model = modelOf({ ...config, durable: deps.store !== undefined });
  const evicted: string[] = [];
  const memory = new Correlator(model, config.correlation?.maxKeys ?? DEFAULT_MAX_KEYS, (key) => evicted.push(key));
  const durable = deps.store
    ? new DurableCorrelator(model, {
        store: deps.store,
        ttlSeconds: config.correlation?.ttl ? Math.ceil((parseDuration(config.correlation.ttl) ?? 0) / 1000) : DurableCorrelator.defaultTtlSeconds(model),
      })
    : undefined;
  const chains = new KeyChains();
  const delivered = new RecentKeys(10_000);
  const simple = !model.keyed && !durable;

  /** One line of why: which inputs are active now, which subscribers fired, which did not. */
  const explain = (id: string, inputs: readonly string[], fired: number[], now: number): string => {
    const active = durable ? ['(in the state store)'] : model.inputs.filter((i) => memory.isActive(i.name, now)).map((i) => i.name);
    const conditions = (which: (i: number) => boolean) => model.conditions.map((c, i) => ({ c, i })).filter(({ i }) => which(i)).map(({ c, i }) => `${i} "${c.source}"`).join(', ') || 'none';
    return `event ${id} on ${inputs.join(', ')}; active: ${active.join(', ') || 'none'}; fired: ${conditions((i) => fired.includes(i))}; not fired: ${conditions((i) => !fired.includes(i))}`;
  };

  /** The event's keys, with the inputs each applies to; inputs whose key the event lacks are counted and skipped. */
  const keysOf = (ctx: FunctionContext, inputs: readonly string[], event: Event): Map<string, number[]> => {
    const keys = new Map<string, number[]>();
    for (const name of inputs) {
      const slot = model.slots.get(name)!;
      const expression = model.inputs[slot]!.key;
      const key = expression ? expression.of(event) : '';
      if (key === undefined) {
        ctx.log.warn({ id: event.id, input: name, key: expression!.source }, 'event without its correlation key: not correlated');
        ctx.count?.('unkeyed', { trigger: config.trigger, input: name });
        continue;
      }
      keys.set(key, [...(keys.get(key) ?? []), slot]);
    }
    return keys;
  };

  const correlate = async (ctx: FunctionContext, inputs: readonly string[], event: Event, now: number): Promise<Firing[]> => {
    if (simple) return memory.onEvent(inputs, event, now);
    const firings: Firing[] = [];
    for (const [key, slots] of keysOf(ctx, inputs, event)) {
      const names = slots.map((s) => model.inputs[s]!.name);
      if (durable) firings.push(...(await chains.run(key, () => durable.onEvent(key, slots, event, now, identityOf(event)))));
      else firings.push(...memory.onEvent(names, event, now, key));
    }
    for (const key of evicted.splice(0)) {
      ctx.log.warn({ trigger: config.trigger, key, maxKeys: config.correlation?.maxKeys ?? DEFAULT_MAX_KEYS }, 'correlation key evicted while it still mattered: correlation.maxKeys reached');
      ctx.count?.('evictions', { trigger: config.trigger });
    }
    return firings;
  };

  // Metric labels per subscriber, frozen: the host remembers a frozen label set's counter by identity (lib/host/metrics.ts).
  const labelsFor = (subscriber: number) => {
    const base = { trigger: config.trigger, subscriber: String(subscriber) };
    const byCondition = new Map<string, Readonly<Record<string, string>>>();
    return {
      firings(condition: string) {
        let labels = byCondition.get(condition);
        if (labels === undefined) byCondition.set(condition, (labels = Object.freeze({ ...base, condition })));
        return labels;
      },
      deliveries: { delivered: Object.freeze({ ...base, result: 'delivered' }), 'dead-lettered': Object.freeze({ ...base, result: 'dead-lettered' }), failed: Object.freeze({ ...base, result: 'failed' }) },
    };
  };
  const subscriberLabels = config.subscribers.map((_, i) => labelsFor(i));

  /** Delivers each firing once per event identity and subscriber; what failed and may succeed later is returned. */
  const deliverOne = async (ctx: FunctionContext, identity: string, firing: Firing): Promise<{ firing: Firing; result: DeliveryResult }> => {
    // Identity is source + id: two sources reusing an id are two events (and two deliveries).
    const key = `${identity}\u0000${firing.subscriber}\u0000${firing.key ?? ''}`;
    if (delivered.has(key)) return { firing, result: { kind: 'delivered' } };
    const result = await deliverFiring(config.trigger, firing, config.subscribers[firing.subscriber]!, (d, o) => ctx.send(d, o), deps.sleep);
    if (result.kind !== 'failed') delivered.add(key);
    return { firing, result };
  };
  const deliverAll = async (ctx: FunctionContext, identity: string, eventId: string, firings: Firing[]) => {
    // One firing, the usual case, is awaited alone, without Promise.all's bookkeeping.
    const results = firings.length === 1 ? [await deliverOne(ctx, identity, firings[0]!)] : await Promise.all(firings.map((f) => deliverOne(ctx, identity, f)));
    for (const { firing, result } of results) {
      if (ctx.count) {
        const labels = subscriberLabels[firing.subscriber]!;
        ctx.count('firings', labels.firings(firing.condition));
        ctx.count('deliveries', labels.deliveries[result.kind]);
      }
      if (result.kind === 'dead-lettered') ctx.log.warn({ id: eventId, subscriber: firing.subscriber, reason: result.reason }, 'dead-lettered');
      if (result.kind === 'failed' && !result.retryable) ctx.log.error({ id: eventId, subscriber: firing.subscriber, reason: result.reason }, 'delivery refused and no dead letter configured: event dropped for this subscriber');
    }
    return results.filter((r) => r.result.kind === 'failed' && r.result.retryable);
  };

  const triggerHandler: AsyncFunction = async function triggerHandler(ctx, data) {
    if (!isEvent(data)) throw new PoisonMessageError('not a CloudEvent');
    const topic = ctx.input.metadata.topic ?? (typeof data.topic === 'string' ? data.topic : ctx.input.name.replace(/^ti-/, ''));
    const inputs = model.topics.get(topic);
    if (!inputs) throw new PoisonMessageError(`topic "${topic}" feeds no input of this Trigger`);
    const now = deps.now();
    const firings = await correlate(ctx, inputs, data, now);
    if (ctx.log.debugEnabled !== false) ctx.log.debug({ id: data.id, topic, fired: firings.map((f) => f.subscriber) }, explain(data.id, inputs, firings.map((f) => f.subscriber), now));
    const retry = await deliverAll(ctx, identityOf(data), data.id, firings);
    if (retry.length > 0) {
      throw new DeliveryError(`event ${data.id}: ${retry.map((r) => `subscriber ${r.firing.subscriber}: ${(r.result as { reason: string }).reason}`).join('; ')}`, true);
    }
  };

  if (model.absences.some((a) => a !== undefined)) {
    // Absence firings that could not be delivered yet (in memory; the durable wheel keeps its own).
    let undelivered: Firing[] = [];
    let started = false;
    triggerHandler.clock = {
      everyMs: deps.tickMs ?? 1000,
      async tick(ctx) {
        const now = deps.now();
        const deliver = async (firing: Firing) => (await deliverAll(ctx, `absent\u0000${firing.event.id}`, firing.event.id, [firing])).length === 0;
        if (durable) {
          if (!started) await durable.start(now);
          started = true;
          await durable.expire(now, deliver);
          return;
        }
        const due = [...undelivered, ...memory.expire(now)];
        undelivered = [];
        for (const firing of due) if (!(await deliver(firing))) undelivered.push(firing);
      },
    };
  }
  return triggerHandler;
}
