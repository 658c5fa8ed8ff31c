// The local runtime's ports: sources feed messages to a function, buses carry structured CloudEvents between
// functions, sinks receive binary-mode CloudEvents. Each has a real implementation on a well-kept client.
import type { Event } from '../cloudevents.js';

/** What a source hands to the function: the payload and what the source knows about it. */
export type Deliver = (payload: Buffer, metadata: Record<string, string>) => Promise<void>;

export interface Source {
  /** Starts reading; `deliver` rejecting means "not processed": the source redelivers (its own way). */
  start(deliver: Deliver): Promise<void>;
  stop(): Promise<void>;
}

/** What a bus subscriber answers for one message. */
export type Verdict = 'ack' | 'retry' | 'drop';

export interface Subscription {
  stop(): Promise<void>;
}

export interface Bus {
  readonly kind: string;
  /** Resolves once the broker has the event (acknowledged publish). */
  publish(topic: string, event: Event): Promise<void>;
  /**
   * Competing consumers share `group`; each message is handled by one of them until it is acked or dropped.
   * `concurrency` bounds the messages in flight (default 1); handlers are always *called* in arrival order.
   */
  subscribe(topic: string, group: string, handler: (event: Event) => Promise<Verdict>, options?: { concurrency?: number }): Promise<Subscription>;
  /**
   * Reads, without consuming, what `group` has not yet acknowledged on `topic`, until nothing more comes within
   * `idleMs` (where the broker keeps messages: JetStream). A preview: nobody's position moves.
   */
  browse?(topic: string, group: string, visit: (event: Event) => void, idleMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A named output of a function, as `ctx.send(data, name)` sees it. */
export interface Output {
  send(data: unknown): Promise<void>;
}
