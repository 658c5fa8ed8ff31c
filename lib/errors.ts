// Typed errors that answer the one question callers branch on: is it worth trying again?
// (research/aesthetics lesson 9: kopf's Temporary/Permanent split, nats.js's small error classes.)

export class EventsError extends Error {
  /** Whether the same operation may succeed if tried again later. */
  readonly retryable: boolean;
  /** The field the error is about, when there is one: `spec.kafka["created"].brokers`. */
  readonly path?: string;

  constructor(message: string, options: { retryable: boolean; path?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** Bad input: retrying with the same input cannot help. */
export class InvalidSpecError extends EventsError {
  constructor(message: string, path?: string, cause?: unknown) {
    super(message, { retryable: false, ...(path === undefined ? {} : { path }), cause });
  }
}

/** Something we depend on is missing or not ready yet (a bus, a sink, a broker): try again later. */
export class DependencyNotReadyError extends EventsError {
  constructor(message: string, path?: string, cause?: unknown) {
    super(message, { retryable: true, ...(path === undefined ? {} : { path }), cause });
  }
}

/** An output could not take an event (a bus publish, a sink POST): retryable unless the target said no for good. */
export class DeliveryError extends EventsError {
  /** How long the target asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs?: number;

  constructor(message: string, retryable: boolean, cause?: unknown, retryAfterMs?: number) {
    super(message, { retryable, cause });
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/** A message that can never be processed (undecodable, oversized): log it with the reason and drop it. */
export class PoisonMessageError extends EventsError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/**
 * Whether an error is worth trying the same operation again for: a typed error says so; a SyntaxError or RangeError
 * comes from the input itself (undecodable, too deep) and is not; anything else may be transient. A handler's
 * failures are judged by lib/poison.ts, which also bounds the unexpected ones.
 */
export const isRetryable = (e: unknown): boolean => (e instanceof EventsError ? e.retryable : !isInputFault(e));

/** A SyntaxError or RangeError: raised by the input's own content (undecodable text, structures too deep to walk). */
export const isInputFault = (e: unknown): e is SyntaxError | RangeError => e instanceof SyntaxError || e instanceof RangeError;
