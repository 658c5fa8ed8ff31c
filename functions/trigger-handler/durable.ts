// Correlation state in a Dapr state store (DESIGN §3 "Correlation state"): one record per correlation key, read and
// written with its ETag (optimistic concurrency), so restarts forget nothing acknowledged and any number of replicas
// can share one consumer group. Why optimistic concurrency rather than key-partitioned ownership: Dapr pub/sub gives
// a consumer group no say over which replica gets which message (JetStream and Redis streams hand them out to whoever
// asks first), so ownership by key would need a second hop through the bus; conflicts on one key are rare and cost a
// re-read.
//
// An event's effect is written before its message is acknowledged, together with what it fired (`applied`): a
// message redelivered after a crash finds itself applied and re-delivers those firings (same ce-ids) instead of
// correlating twice. Absence timers live in the record and in a timer wheel in the same store — buckets of due
// times, sharded by key, and a cursor — which every replica scans; a replica takes a due timer by writing a lease
// into its record (one wins the ETag race), delivers, then removes it, so each expired key fires once (again with
// the same ce-id if the deliverer died in between). Dapr's jobs API or actor reminders would need the scheduler or
// placement service beside daprd; the wheel needs nothing but the store every replica already uses.
import type { Event } from '../../lib/cloudevents.js';
import { StateConflictError, StateUnavailableError, type StateStore } from '../../lib/state/index.js';
import { absenceFiring, applyEvent, fnv1a, lifetimeMs, newRecord, type CorrelationModel, type Firing, type KeyRecord, type Timer } from './engine.js';

/** A key's record as stored: the engine's record and the events it applied lately, with what they fired. */
export interface StoredRecord extends KeyRecord {
  applied: Array<{ id: string; fired: number[]; events?: Event[] }>;
}

interface WheelEntry {
  k: string;
  s: number;
  due: number;
}

export interface DurableOptions {
  store: StateStore;
  /** Seconds a key stays in the store after its last write. */
  ttlSeconds: number;
  /** How long a replica holds a due timer while it delivers. */
  leaseMs?: number;
  /** Width of a timer wheel bucket. */
  bucketMs?: number;
  shards?: number;
  /** How late a timer may be armed into a bucket (clocks of replicas differ): buckets are finished only after it. */
  graceMs?: number;
}

/** Applied events remembered per key: a redelivery comes well within this many later events of the same key. */
const APPLIED = 16;
/** Attempts at a read-modify-write that keeps losing the ETag race before the message is left for redelivery. */
const ATTEMPTS = 32;
/** Buckets one scan may walk (catching up after downtime takes several scans). */
const BUCKETS_PER_SCAN = 64;

export class DurableCorrelator {
  private readonly leaseMs: number;
  private readonly bucketMs: number;
  private readonly shards: number;
  private readonly graceMs: number;
  private readonly prefix: string;

  constructor(
    private readonly model: CorrelationModel,
    private readonly options: DurableOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.bucketMs = options.bucketMs ?? 10_000;
    this.shards = options.shards ?? 8;
    this.graceMs = options.graceMs ?? 30_000;
    // Dapr prefixes keys with the app id ({function}-{namespace}); the namespace and Trigger keep a shared local
    // Redis apart too.
    this.prefix = `${model.namespace}.${model.trigger}`;
  }

  /** Default time to live: the longest window or absence, plus an hour for outages of the Trigger itself. */
  static defaultTtlSeconds(model: CorrelationModel): number {
    return Math.ceil(lifetimeMs(model) / 1000) + 3600;
  }

  private recordKey = (key: string) => `${this.prefix}.k.${encodeURIComponent(key)}`;
  private bucketKey = (bucket: number, shard: number) => `${this.prefix}.timers.${bucket}.${shard}`;
  private cursorKey = () => `${this.prefix}.timers.cursor`;
  private bucketOf = (at: number) => Math.floor(at / this.bucketMs);

  /** Creates the wheel's cursor if there is none, before any timer can be armed. */
  async start(now: number): Promise<void> {
    if (await this.options.store.get(this.cursorKey())) return;
    await this.options.store.set(this.cursorKey(), { next: this.bucketOf(now - this.graceMs) }, undefined).catch((e: unknown) => {
      if (!(e instanceof StateConflictError)) throw e; // another replica created it
    });
  }

  /**
   * Applies one event (`identity`: source + id) to its key's record and writes it; what it fired comes back. A
   * redelivered event that was applied already gets the firings it made then, and changes nothing.
   */
  async onEvent(key: string, slots: readonly number[], event: Event, now: number, identity: string): Promise<Firing[]> {
    const { store, ttlSeconds } = this.options;
    const recordKey = this.recordKey(key);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const got = await store.get<StoredRecord>(recordKey);
      const rec: StoredRecord = got?.value ?? { ...newRecord(this.model), applied: [] };
      const prior = rec.applied.find((a) => a.id === identity);
      if (prior) return this.replayed(prior, event, key);
      const armedBefore = new Set(rec.timers);
      const firings = applyEvent(this.model, rec, slots, event, now, key);
      rec.applied.push({ id: identity, fired: firings.map((f) => f.subscriber), ...(this.model.payload === 'correlated' ? { events: firings.map((f) => f.event) } : {}) });
      if (rec.applied.length > APPLIED) rec.applied.splice(0, rec.applied.length - APPLIED);
      // The wheel first: an entry whose timer never got written is skipped; a timer the wheel does not know would
      // never fire.
      for (const timer of rec.timers) if (!armedBefore.has(timer)) await this.addToWheel(key, timer);
      try {
        await store.set(recordKey, rec, got?.etag, ttlSeconds);
        return firings;
      } catch (e) {
        if (!(e instanceof StateConflictError)) throw e;
      }
    }
    throw new StateUnavailableError(`${recordKey}: written by others ${ATTEMPTS} times in a row; the message will be redelivered`);
  }

  private replayed(prior: StoredRecord['applied'][number], event: Event, key: string): Firing[] {
    return prior.fired.map((subscriber, i) => ({
      subscriber,
      condition: this.model.conditions[subscriber]!.source,
      contributors: [],
      event: prior.events?.[i] ?? event,
      ...(this.model.keyed ? { key } : {}),
    }));
  }

  private async addToWheel(key: string, timer: Timer): Promise<void> {
    const { store } = this.options;
    const bucketKey = this.bucketKey(this.bucketOf(timer.due), Number.parseInt(fnv1a(key).slice(-4), 16) % this.shards);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const got = await store.get<WheelEntry[]>(bucketKey);
      const entries = got?.value ?? [];
      entries.push({ k: key, s: timer.s, due: timer.due });
      try {
        await store.set(bucketKey, entries, got?.etag);
        return;
      } catch (e) {
        if (!(e instanceof StateConflictError)) throw e;
      }
    }
    throw new StateUnavailableError(`${bucketKey}: written by others ${ATTEMPTS} times in a row`);
  }

  /**
   * Fires the absence timers due at `now`: for each one this replica wins, `deliver` is called once (true when the
   * firing was delivered or dead-lettered). A firing not delivered keeps its lease until it runs out and is tried
   * again by whichever replica scans then.
   */
  async expire(now: number, deliver: (firing: Firing) => Promise<boolean>): Promise<number> {
    const { store } = this.options;
    const cursor = await store.get<{ next: number }>(this.cursorKey());
    if (!cursor) return this.start(now).then(() => 0);
    const first = cursor.value.next;
    const last = Math.min(this.bucketOf(now), first + BUCKETS_PER_SCAN - 1);
    let fired = 0;
    let finished = first; // every bucket before this one is done
    for (let bucket = first; bucket <= last; bucket++) {
      let done = true;
      for (let shard = 0; shard < this.shards; shard++) {
        const key = this.bucketKey(bucket, shard);
        const got = await store.get<WheelEntry[]>(key);
        if (!got) continue;
        const pending: WheelEntry[] = [];
        for (const entry of got.value) {
          if (entry.due > now) {
            pending.push(entry);
            continue;
          }
          const outcome = await this.fire(entry, now, deliver);
          if (outcome === 'fired') fired++;
          if (outcome === 'pending') pending.push(entry);
        }
        if (pending.length > 0) done = false;
        // Shrink the bucket; a conflict means someone armed into it or scanned it: the next scan sees it again.
        await (pending.length === 0 ? store.delete(key, got.etag) : pending.length < got.value.length ? store.set(key, pending, got.etag) : Promise.resolve()).catch((e: unknown) => {
          if (!(e instanceof StateConflictError)) throw e;
          done = false;
        });
      }
      // Timers may still be armed into a bucket until its end plus the grace: only then can the cursor pass it.
      if (!done || (bucket + 1) * this.bucketMs + this.graceMs > now || finished !== bucket) continue;
      finished = bucket + 1;
    }
    if (finished > first) {
      await store.set(this.cursorKey(), { next: finished }, cursor.etag).catch((e: unknown) => {
        if (!(e instanceof StateConflictError)) throw e;
      });
    }
    return fired;
  }

  /** One due wheel entry: 'done' when its timer is gone (fired now or before, or disarmed), 'pending' otherwise. */
  private async fire(entry: WheelEntry, now: number, deliver: (firing: Firing) => Promise<boolean>): Promise<'fired' | 'done' | 'pending'> {
    const { store, ttlSeconds } = this.options;
    const recordKey = this.recordKey(entry.k);
    const same = (t: Timer) => t.s === entry.s && t.due === entry.due;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const got = await store.get<StoredRecord>(recordKey);
      const timer = got?.value.timers.find(same);
      if (!got || !timer) return 'done';
      if (timer.lease !== undefined && timer.lease > now) return 'pending';
      timer.lease = now + this.leaseMs;
      try {
        await store.set(recordKey, got.value, got.etag, ttlSeconds);
      } catch (e) {
        if (e instanceof StateConflictError) continue;
        throw e;
      }
      if (!(await deliver(absenceFiring(this.model, timer, entry.k)))) return 'pending';
      await this.removeTimer(recordKey, same);
      return 'fired';
    }
    return 'pending';
  }

  private async removeTimer(recordKey: string, same: (t: Timer) => boolean): Promise<void> {
    const { store, ttlSeconds } = this.options;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const got = await store.get<StoredRecord>(recordKey);
      if (!got || !got.value.timers.some(same)) return;
      got.value.timers = got.value.timers.filter((t) => !same(t));
      try {
        await store.set(recordKey, got.value, got.etag, ttlSeconds);
        return;
      } catch (e) {
        if (!(e instanceof StateConflictError)) throw e;
      }
    }
  }
}
