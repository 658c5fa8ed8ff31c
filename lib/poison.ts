// What to do with a message whose handling failed: retry only what may succeed later. A typed error says so itself
// (lib/errors.ts); a SyntaxError or RangeError comes from the message's own content (undecodable text, structures too
// deep to walk) and is poison at once; any other unexpected error is retried a few times for the same message, then
// treated as poison, so no message is redelivered forever (an unclassified error used to mean RETRY without end, and
// one crafted payload jammed a Trigger). Pure apart from its bounded memory of recent failures.
import { EventsError, isInputFault } from './errors.js';
import { LruMap } from './lru.js';

export type FailureVerdict = { verdict: 'retry' } | { verdict: 'drop'; poison: boolean; reason: string };

export const DEFAULT_UNEXPECTED_ATTEMPTS = 5;

export class FailurePolicy {
  private readonly failures = new LruMap<number>(); // the oldest forgotten first, without scanning (lib/lru.ts)

  constructor(
    private readonly maxUnexpected = DEFAULT_UNEXPECTED_ATTEMPTS,
    private readonly remember = 10_000,
  ) {}

  /** The verdict on `error`, raised while handling the message identified by `key` (computed only when needed). */
  judge(error: unknown, key: () => string): FailureVerdict {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof EventsError) return error.retryable ? { verdict: 'retry' } : { verdict: 'drop', poison: false, reason };
    if (isInputFault(error)) return { verdict: 'drop', poison: true, reason: `${error.name}: ${reason}` };
    const k = key();
    const count = (this.failures.get(k) ?? 0) + 1;
    if (count >= this.maxUnexpected) {
      this.failures.delete(k);
      return { verdict: 'drop', poison: true, reason: `failed ${count} times with an unexpected error: ${reason}` };
    }
    this.failures.set(k, count);
    if (this.failures.size > this.remember) this.failures.delete(this.failures.peekOldest()![0]);
    return { verdict: 'retry' };
  }
}
