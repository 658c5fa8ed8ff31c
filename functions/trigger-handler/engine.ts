// The correlation engine: pure operations on one key's record (DESIGN §3 "Correlation"). Upstream's semantics by
// default (upstream-behaviour §10): an input is active for 60 s after its last event, sliding; every event
// re-evaluates; each satisfied subscriber fires with the incoming event; identical conditions are all kept. One
// divergence: a condition fires only on events of inputs it names. Beyond upstream: windows per Trigger and input,
// reset-after-fire, a correlated payload, a record per correlation key, and absence timers (a subscriber fires when
// an input did not arrive within a duration after its condition held). A record is plain JSON, so the durable
// correlator can keep it in a Dapr state store as it is.
import { identityOf, type Event } from '../../lib/cloudevents.js';
import type { CompiledCondition } from '../../lib/condition/index.js';
import type { CompiledKey } from '../../lib/condition/key.js';

export const DEFAULT_WINDOW_MS = 60_000;
export const FIRED_TYPE = 'io.openfunction.events.trigger.fired';
export const ABSENT_TYPE = 'io.openfunction.events.trigger.absent';

export interface CorrelationModel {
  namespace: string;
  trigger: string;
  /** Input names in slot order, with their windows and keys. */
  inputs: Array<{ name: string; windowMs: number; key?: CompiledKey | undefined }>;
  /** Slot of each input name. */
  slots: ReadonlyMap<string, number>;
  /** Per subscriber, in spec order. */
  conditions: CompiledCondition[];
  /** Per subscriber: the slots of the inputs its condition names. */
  conditionSlots: number[][];
  /** Per subscriber: fire when `slot` did not arrive within `withinMs` after the condition held. */
  absences: Array<{ slot: number; input: string; withinMs: number } | undefined>;
  resetAfterFire: boolean;
  payload: 'event' | 'correlated';
  /** Whether records keep each input's latest event (a condition reads into events, or the payload holds them). */
  keepsEvents: boolean;
  /** Whether events correlate per key. */
  keyed: boolean;
}

export interface Firing {
  subscriber: number;
  condition: string;
  /** What the subscriber receives: the incoming event, the correlated event or the absence event. */
  event: Event;
  /** Ids of the events that satisfied the condition (the latest of each input it names). */
  contributors: string[];
  /** The correlation key, when the Trigger correlates by key. */
  key?: string;
}

/** An absence timer: subscriber `s` fires at `due` unless its awaited input arrives first. */
export interface Timer {
  s: number;
  due: number;
  /** The event that held the condition: the absence event's data. */
  by: Event;
  /** Until when a replica is delivering this timer's firing (durable state): others leave it alone. */
  lease?: number;
}

/** One key's correlation state. Plain JSON. */
export interface KeyRecord {
  /** Per input slot: when its latest event arrived. */
  at: Array<number | null>;
  /** Per input slot: its latest event's id. */
  ids: Array<string | null>;
  /** Per input slot: its latest event (only when the model keeps events). */
  ev?: Array<Event | null>;
  timers: Timer[];
  /** The latest event's arrival: for eviction and time to live. */
  touched: number;
}

export const newRecord = (model: CorrelationModel): KeyRecord => ({
  at: model.inputs.map(() => null),
  ids: model.inputs.map(() => null),
  ...(model.keepsEvents ? { ev: model.inputs.map(() => null) } : {}),
  timers: [],
  touched: 0,
});

export const triggerSource = (model: CorrelationModel): string => `/apis/events.openfunction.io/v1alpha1/namespaces/${model.namespace}/triggers/${model.trigger}`;

const isActive = (model: CorrelationModel, rec: KeyRecord, slot: number, now: number): boolean => {
  const at = rec.at[slot];
  return at !== null && at !== undefined && now - at < model.inputs[slot]!.windowMs;
};

/** Whether an input (by slot) is active in `rec` at `now`. */
export const activeIn = isActive;

/**
 * One event on `slots` (several inputs may read one topic) at `now`, applied to `rec` in place: update, disarm and
 * arm absence timers, evaluate, and say who fires. Synchronous, so two events can never interleave between update
 * and evaluation. `key` is the record's correlation key ('' when the Trigger is not keyed).
 */
export function applyEvent(model: CorrelationModel, rec: KeyRecord, slots: readonly number[], event: Event, now: number, key: string): Firing[] {
  if (slots.length === 0) return [];
  for (const i of slots) {
    rec.at[i] = now;
    rec.ids[i] = event.id;
    if (rec.ev) rec.ev[i] = event;
  }
  rec.touched = now;
  const n = model.inputs.length;
  const active: boolean[] = new Array<boolean>(n);
  const events: Array<Event | undefined> = new Array<Event | undefined>(n);
  for (let i = 0; i < n; i++) {
    active[i] = isActive(model, rec, i, now);
    // Upstream forgets an idle input's last event (upstream-behaviour §9.2).
    events[i] = active[i] && rec.ev ? (rec.ev[i] ?? undefined) : undefined;
  }
  const snapshot = { active, events };
  const firings: Firing[] = [];
  model.conditions.forEach((condition, subscriber) => {
    const absence = model.absences[subscriber];
    if (absence) {
      // The awaited input arrived: the timer is off, unless a replica is already delivering its firing (too late).
      if (slots.includes(absence.slot)) {
        rec.timers = rec.timers.filter((t) => t.s !== subscriber || t.lease !== undefined);
        return;
      }
      if (!model.conditionSlots[subscriber]!.some((i) => slots.includes(i))) return;
      if (!condition.evaluate(snapshot)) return;
      // The first event that held the condition starts the clock; later ones do not restart it.
      if (!rec.timers.some((t) => t.s === subscriber)) rec.timers.push({ s: subscriber, due: now + absence.withinMs, by: event });
      return;
    }
    // divergence: upstream-behaviour §10 — upstream fired a condition on events of inputs it does not name.
    const named = model.conditionSlots[subscriber]!;
    if (!named.some((i) => slots.includes(i))) return;
    if (!condition.evaluate(snapshot)) return;
    const contributors: string[] = [];
    for (const i of named) if (active[i] && rec.ids[i] !== null) contributors.push(rec.ids[i]!);
    firings.push({
      subscriber,
      condition: condition.source,
      contributors,
      event: model.payload === 'correlated' ? correlated(model, subscriber, condition, events, contributors, now, key) : event,
      ...(model.keyed ? { key } : {}),
    });
  });
  if (model.resetAfterFire) {
    for (const firing of firings) {
      for (const i of model.conditionSlots[firing.subscriber]!) {
        rec.at[i] = null;
        rec.ids[i] = null;
        if (rec.ev) rec.ev[i] = null;
      }
    }
  }
  return firings;
}

/** Whether a record holds nothing that matters at `now`: no active input, no timer. */
export const isIdle = (model: CorrelationModel, rec: KeyRecord, now: number): boolean =>
  rec.timers.length === 0 && rec.at.every((_, i) => !isActive(model, rec, i, now));

/** How long a record can matter after its last event: the longest window or absence. */
export const lifetimeMs = (model: CorrelationModel): number =>
  Math.max(...model.inputs.map((i) => i.windowMs), ...model.absences.map((a) => a?.withinMs ?? 0));

/**
 * The firing of an expired absence timer. Its id depends only on the Trigger, subscriber, key and the event that
 * started the clock, so a firing delivered twice (a replica died after delivering, before recording it) carries the
 * same ce-id and downstream can recognise it.
 */
export function absenceFiring(model: CorrelationModel, timer: Timer, key: string): Firing {
  const absence = model.absences[timer.s]!;
  const condition = model.conditions[timer.s]!;
  return {
    subscriber: timer.s,
    condition: condition.source,
    contributors: [timer.by.id],
    ...(model.keyed ? { key } : {}),
    event: {
      specversion: '1.0',
      id: `${model.trigger}-${timer.s}-absent-${fnv1a(`${identityOf(timer.by)}\u0001${key}`)}`,
      source: triggerSource(model),
      type: ABSENT_TYPE,
      ...(model.keyed ? { subject: key } : {}),
      time: new Date(timer.due).toISOString(),
      datacontenttype: 'application/json',
      // The awaited input's name, so one sink can tell several absence subscribers apart.
      ofnabsent: absence.input,
      data: timer.by,
    },
  };
}

function correlated(model: CorrelationModel, subscriber: number, condition: CompiledCondition, events: Array<Event | undefined>, contributors: string[], now: number, key: string): Event {
  const named: Record<string, Event> = {};
  const identities: string[] = [];
  for (const name of condition.inputs) {
    const e = events[model.slots.get(name)!];
    if (e) {
      named[name] = e;
      identities.push(identityOf(e));
    }
  }
  return {
    specversion: '1.0',
    // The same contributors give the same id, so a redelivered firing can be recognised downstream; hashed by
    // identity (source + id), so contributors from two sources that reuse an id give two firings.
    id: `${model.trigger}-${subscriber}-${fnv1a(identities.join('\u0001'))}`,
    source: triggerSource(model),
    type: FIRED_TYPE,
    ...(model.keyed ? { subject: key } : {}),
    time: new Date(now).toISOString(),
    datacontenttype: 'application/json',
    data: { trigger: model.trigger, subscriber, condition: condition.source, ...(model.keyed ? { key } : {}), events: named, contributors },
  };
}

/** 64-bit FNV-1a, hex: a short, stable digest (not for security). */
export function fnv1a(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
