// Delivery policy (DESIGN §3 "Delivery"): Knative-style retry and backoff, response classification, and the retry
// loop itself with the sleep injected. Pure: the I/O (an HTTP POST, a publish) is the `attempt` function.
import type { Delivery } from './api/index.js';
import { parseDuration } from './duration.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retry: number;
  backoffPolicy: 'exponential' | 'linear';
  backoffDelayMs: number;
  /** Timeout of each attempt, enforced by the I/O edge. */
  timeoutMs: number;
  /** Upper bound of one backoff, so exponential growth stays sensible. */
  maxBackoffMs: number;
}

/** Defaults, documented in the README and the CRD descriptions. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retry: 3, backoffPolicy: 'exponential', backoffDelayMs: 200, timeoutMs: 10_000, maxBackoffMs: 30_000 };

export function retryPolicyOf(delivery: Delivery | undefined, defaults: RetryPolicy = DEFAULT_RETRY_POLICY): RetryPolicy {
  return {
    retry: delivery?.retry ?? defaults.retry,
    backoffPolicy: delivery?.backoffPolicy ?? defaults.backoffPolicy,
    backoffDelayMs: delivery?.backoffDelay === undefined ? defaults.backoffDelayMs : (parseDuration(delivery.backoffDelay) ?? defaults.backoffDelayMs),
    timeoutMs: delivery?.timeout === undefined ? defaults.timeoutMs : (parseDuration(delivery.timeout) ?? defaults.timeoutMs),
    maxBackoffMs: defaults.maxBackoffMs,
  };
}

/** Delay before retry number `retry` (1-based): Knative's `delay * 2^(n-1)` or `delay * n`, capped. */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const raw = policy.backoffPolicy === 'exponential' ? policy.backoffDelayMs * 2 ** (retry - 1) : policy.backoffDelayMs * retry;
  return Math.min(raw, policy.maxBackoffMs);
}

/**
 * The longest one delivery can take under `policy`: every attempt times out, and every wait before a retry is as
 * long as a Retry-After may stretch it (maxBackoffMs). A bus must not redeliver a message sooner than this.
 */
export function worstCaseMs(policy: RetryPolicy): number {
  return policy.timeoutMs * (policy.retry + 1) + policy.retry * Math.max(policy.maxBackoffMs, backoffMs(policy, policy.retry));
}

/** The longest a Trigger may take over one bus message: its slowest subscriber, dead letters (default policy) included. */
export function handlingWorstCaseMs(subscribers: ReadonlyArray<{ delivery?: Delivery | undefined; deadLetterSink?: unknown; deadLetterTopic?: string | undefined }>): number {
  return Math.max(0, ...subscribers.map((s) => worstCaseMs(retryPolicyOf(s.delivery)) + (s.deadLetterSink || s.deadLetterTopic ? worstCaseMs(DEFAULT_RETRY_POLICY) : 0)));
}

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; reason: string };

/**
 * What an HTTP status means for delivery: 2xx success; 408, 429 and 5xx worth retrying (honouring Retry-After);
 * any other status permanent.
 */
export function classifyStatus(status: number, retryAfter?: string | null, nowMs?: number): Outcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const reason = `HTTP ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const after = retryAfterMs(retryAfter, nowMs);
    return after === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs: after };
  }
  return { kind: 'permanent', reason };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null | undefined, nowMs?: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date) || nowMs === undefined) return undefined;
  return Math.max(0, date - nowMs);
}

export type Result =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; reason: string; permanent: boolean };

/**
 * Runs `attempt` until it succeeds, fails permanently, or the retries are spent. A thrown error counts as a
 * retryable failure (a network error, a timeout). Never throws.
 */
export async function withRetries(
  attempt: (number: number) => Promise<Outcome>,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
): Promise<Result> {
  for (let n = 1; ; n++) {
    let outcome: Outcome;
    try {
      outcome = await attempt(n);
    } catch (e) {
      outcome = { kind: 'retry', reason: e instanceof Error ? e.message : String(e) };
    }
    if (outcome.kind === 'ok') return { ok: true, attempts: n };
    if (outcome.kind === 'permanent') return { ok: false, attempts: n, reason: outcome.reason, permanent: true };
    if (n > policy.retry) return { ok: false, attempts: n, reason: outcome.reason, permanent: false };
    await sleep(Math.min(Math.max(outcome.retryAfterMs ?? 0, backoffMs(policy, n)), policy.maxBackoffMs));
  }
}
