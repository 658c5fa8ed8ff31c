// Key/value state with optimistic concurrency (ETags), the shape of Dapr's state API (research/runtime-contract
// §5; dapr docs "state management API"): read a value with its ETag, write it back only if nobody wrote in between,
// insert only if absent. The durable correlator is written against this; Dapr's sidecar (lib/host/state.ts), a real
// Redis (lib/state/redis.ts, locally) and process memory (below) implement it.

import { EventsError } from '../errors.js';

export interface Versioned<T = unknown> {
  value: T;
  etag: string;
}

export interface StateStore {
  /** The value and its ETag, or undefined when the key holds nothing. */
  get<T>(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Writes `value` if the key's ETag is still `etag` — or, with etag undefined, if the key holds nothing. Rejects
   * with StateConflictError otherwise, and with StateUnavailableError when the store cannot be reached.
   */
  set(key: string, value: unknown, etag: string | undefined, ttlSeconds?: number): Promise<void>;
  /** Deletes the key if its ETag is still `etag` (any, when undefined); StateConflictError otherwise. */
  delete(key: string, etag?: string): Promise<void>;
  close?(): Promise<void>;
}

/** Somebody else wrote the key since it was read: read again and recompute. */
export class StateConflictError extends EventsError {
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/**
 * The store did not answer or refused: nothing was written. Retryable without limit (a store outage is not the
 * message's fault): the message stays unacknowledged and comes back.
 */
export class StateUnavailableError extends EventsError {
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/**
 * A store in process memory, for a Trigger with no store configured that still needs one (tests, benchmarks, the
 * durable correlator's in-memory twin). Values are kept as JSON, as a real store keeps them: nothing shares objects
 * with the caller, and `bytes()` tells what a real store would hold.
 */
export class MemoryStateStore implements StateStore {
  private readonly entries = new Map<string, { json: string; version: number; expires?: number }>();
  /** Fail every call while true: a store outage. */
  down = false;

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string) {
    const entry = this.entries.get(key);
    if (entry?.expires !== undefined && entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private check(): void {
    if (this.down) throw new StateUnavailableError('state store unavailable');
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    this.check();
    const entry = this.live(key);
    return entry ? { value: JSON.parse(entry.json) as T, etag: String(entry.version) } : undefined;
  }

  async set(key: string, value: unknown, etag: string | undefined, ttlSeconds?: number): Promise<void> {
    this.check();
    const entry = this.live(key);
    if (etag === undefined ? entry !== undefined : entry === undefined || String(entry.version) !== etag) throw new StateConflictError(`${key}: written since it was read`);
    this.entries.set(key, { json: JSON.stringify(value), version: (entry?.version ?? 0) + 1, ...(ttlSeconds ? { expires: this.now() + ttlSeconds * 1000 } : {}) });
  }

  async delete(key: string, etag?: string): Promise<void> {
    this.check();
    const entry = this.live(key);
    if (etag !== undefined && entry && String(entry.version) !== etag) throw new StateConflictError(`${key}: written since it was read`);
    this.entries.delete(key);
  }

  /** Keys held, and the bytes of their JSON values. */
  bytes(prefix = ''): { keys: number; bytes: number } {
    let keys = 0;
    let bytes = 0;
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      keys++;
      bytes += Buffer.byteLength(entry.json) + Buffer.byteLength(key);
    }
    return { keys, bytes };
  }
}
