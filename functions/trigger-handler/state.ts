// The correlation engine: a pure state machine over the Trigger's inputs, the clock passed in (DESIGN §3
// "Correlation"). Upstream's semantics by default (upstream-behaviour §10): an input is active for 60 s after its
// last event, sliding; every event re-evaluates; each satisfied subscriber fires with the incoming event; identical
// conditions are all kept. One divergence: a condition fires only on events of inputs it names. Options: window per
// Trigger and per input, reset-after-fire, and a correlated payload.
import { identityOf, type Event } from '../../lib/cloudevents.js';
import type { CompiledCondition } from '../../lib/condition/index.js';

export const DEFAULT_WINDOW_MS = 60_000;
export const FIRED_TYPE = 'io.openfunction.events.trigger.fired';

export interface CorrelationModel {
  namespace: string;
  trigger: string;
  /** Input names in slot order, with their windows. */
  inputs: Array<{ name: string; windowMs: number }>;
  /** Per subscriber, in spec order. */
  conditions: CompiledCondition[];
  resetAfterFire: boolean;
  payload: 'event' | 'correlated';
}

export interface Firing {
  subscriber: number;
  condition: string;
  /** What the subscriber receives: the incoming event, or the correlated event. */
  event: Event;
  /** Ids of the events that satisfied the condition (the latest of each input it names). */
  contributors: string[];
}

export class Correlator {
  private readonly lastAt: Array<number | undefined>;
  private readonly latest: Array<Event | undefined>;
  private readonly slots = new Map<string, number>();

  constructor(private readonly model: CorrelationModel) {
    this.lastAt = model.inputs.map(() => undefined);
    this.latest = model.inputs.map(() => undefined);
    model.inputs.forEach((input, i) => this.slots.set(input.name, i));
  }

  /** Whether an input is active at `now`. */
  isActive(name: string, now: number): boolean {
    const i = this.slots.get(name);
    if (i === undefined) return false;
    const at = this.lastAt[i];
    return at !== undefined && now - at < this.model.inputs[i]!.windowMs;
  }

  /**
   * One event on `inputNames` (several inputs may read one topic) at `now`: update, evaluate, and say who fires.
   * Synchronous, so two events can never interleave between update and evaluation.
   */
  onEvent(inputNames: readonly string[], event: Event, now: number): Firing[] {
    const touched = new Set<number>();
    for (const name of inputNames) {
      const i = this.slots.get(name);
      if (i === undefined) continue;
      this.lastAt[i] = now;
      this.latest[i] = event;
      touched.add(i);
    }
    if (touched.size === 0) return [];
    const active = this.model.inputs.map((input, i) => this.lastAt[i] !== undefined && now - this.lastAt[i]! < input.windowMs);
    // Upstream forgets an idle input's last event (upstream-behaviour §9.2).
    const events = this.latest.map((e, i) => (active[i] ? e : undefined));
    const snapshot = { active, events };
    const firings: Firing[] = [];
    this.model.conditions.forEach((condition, subscriber) => {
      // divergence: upstream-behaviour §10 — upstream fired a condition on events of inputs it does not name.
      if (!condition.inputs.some((name) => touched.has(this.slots.get(name)!))) return;
      if (!condition.evaluate(snapshot)) return;
      const contributors = condition.inputs.map((name) => events[this.slots.get(name)!]?.id).filter((id): id is string => id !== undefined);
      firings.push({
        subscriber,
        condition: condition.source,
        contributors,
        event: this.model.payload === 'correlated' ? this.correlated(subscriber, condition, events, contributors, now) : event,
      });
    });
    if (this.model.resetAfterFire) {
      for (const firing of firings) {
        for (const name of this.model.conditions[firing.subscriber]!.inputs) {
          const i = this.slots.get(name)!;
          this.lastAt[i] = undefined;
          this.latest[i] = undefined;
        }
      }
    }
    return firings;
  }

  private correlated(subscriber: number, condition: CompiledCondition, events: Array<Event | undefined>, contributors: string[], now: number): Event {
    const named: Record<string, Event> = {};
    const identities: string[] = [];
    for (const name of condition.inputs) {
      const e = events[this.slots.get(name)!];
      if (e) {
        named[name] = e;
        identities.push(identityOf(e));
      }
    }
    return {
      specversion: '1.0',
      // The same contributors give the same id, so a redelivered firing can be recognised downstream; hashed by
      // identity (source + id), so contributors from two sources that reuse an id give two firings.
      id: `${this.model.trigger}-${subscriber}-${fnv1a(identities.join('\u0001'))}`,
      source: `/apis/events.openfunction.io/v1alpha1/namespaces/${this.model.namespace}/triggers/${this.model.trigger}`,
      type: FIRED_TYPE,
      time: new Date(now).toISOString(),
      datacontenttype: 'application/json',
      data: { trigger: this.model.trigger, subscriber, condition: condition.source, events: named, contributors },
    };
  }
}

/** 64-bit FNV-1a, hex: a short, stable digest (not for security). */
function fnv1a(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
