// Correlation state in process memory (the default, as upstream): one record per correlation key (a single one when
// the Trigger is not keyed), the oldest evicted beyond `maxKeys`, idle ones forgotten, absence timers on a heap.
// Pure: the clock is passed in. The durable correlator (durable.ts) keeps the same records in a Dapr state store.
import type { Event } from '../../lib/cloudevents.js';
import { LruMap } from '../../lib/lru.js';
import { absenceFiring, activeIn, applyEvent, isIdle, lifetimeMs, newRecord, type CorrelationModel, type Firing, type KeyRecord } from './engine.js';

export { DEFAULT_WINDOW_MS, FIRED_TYPE, ABSENT_TYPE } from './engine.js';
export type { CorrelationModel, Firing } from './engine.js';

export const DEFAULT_MAX_KEYS = 10_000;

/** A min-heap of (due, key, subscriber): entries are checked against the record when they come due. */
class TimerHeap {
  private readonly items: Array<{ due: number; key: string; s: number }> = [];
  get size(): number {
    return this.items.length;
  }
  push(item: { due: number; key: string; s: number }): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.due <= a[i]!.due) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }
  peek = () => this.items[0];
  pop(): { due: number; key: string; s: number } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.due < a[m]!.due) m = l;
        if (r < a.length && a[r]!.due < a[m]!.due) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

export class Correlator {
  /** In order of last event: the first is the oldest, evicted first. */
  private readonly records = new LruMap<KeyRecord>();
  private readonly timers = new TimerHeap();
  private readonly lifetime: number;

  constructor(
    private readonly model: CorrelationModel,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
    /** Told of each key evicted while it still mattered (a metric and a log line in the handler). */
    private readonly onEvict: (key: string) => void = () => {},
  ) {
    this.lifetime = lifetimeMs(model);
  }

  /** Open keys: records held. */
  get size(): number {
    return this.records.size;
  }

  /** Whether an input is active at `now` (for `key`). */
  isActive(name: string, now: number, key = ''): boolean {
    const slot = this.model.slots.get(name);
    const rec = this.records.get(key);
    return slot !== undefined && rec !== undefined && activeIn(this.model, rec, slot, now);
  }

  /** One event on `inputNames` at `now`, for `key`: see engine.applyEvent. */
  onEvent(inputNames: readonly string[], event: Event, now: number, key = ''): Firing[] {
    const slots: number[] = [];
    for (const name of inputNames) {
      const slot = this.model.slots.get(name);
      if (slot !== undefined) slots.push(slot);
    }
    if (slots.length === 0) return [];
    const rec = this.records.get(key) ?? newRecord(this.model);
    this.records.set(key, rec); // now the most recently used
    const before = rec.timers.length;
    const firings = applyEvent(this.model, rec, slots, event, now, key);
    for (let i = before; i < rec.timers.length; i++) this.timers.push({ due: rec.timers[i]!.due, key, s: rec.timers[i]!.s });
    if (this.records.size > this.maxKeys) this.evictOldest(now);
    return firings;
  }

  /** Absence firings due at `now`, each once; and idle records forgotten. */
  expire(now: number): Firing[] {
    const firings: Firing[] = [];
    for (let top = this.timers.peek(); top && top.due <= now; top = this.timers.peek()) {
      this.timers.pop();
      const rec = this.records.get(top.key);
      const i = rec ? rec.timers.findIndex((t) => t.s === top.s && t.due === top.due) : -1;
      if (!rec || i < 0) continue; // disarmed, or its key evicted
      const [timer] = rec.timers.splice(i, 1);
      firings.push(absenceFiring(this.model, timer!, top.key));
    }
    // The oldest records come first: stop at the first that may still matter.
    for (const [key, rec] of this.records.entries()) {
      if (now - rec.touched < this.lifetime) break;
      if (isIdle(this.model, rec, now)) this.records.delete(key);
    }
    return firings;
  }

  /** When the next absence timer is due, if any. */
  nextDue(): number | undefined {
    return this.timers.peek()?.due;
  }

  private evictOldest(now: number): void {
    const [key, rec] = this.records.peekOldest()!;
    this.records.delete(key);
    if (!isIdle(this.model, rec, now)) this.onEvict(key);
  }
}
