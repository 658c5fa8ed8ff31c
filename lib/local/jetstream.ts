// NATS JetStream bus (also serving `natsStreaming` EventBuses locally). Publishing is pipelined: every publish goes
// out at once with its own reply subject, and one wildcard subscription resolves the PubAcks as they arrive —
// nats.js's `js.publish` does a request per message, 4–5× slower (research/perf-anchors B2). Each publish carries
// Nats-Msg-Id = topic + the event's identity (source + id), so a redelivered source event is stored once within the
// dedupe window. (The window is per stream, not per subject: the id alone would swallow a Trigger forwarding an event
// to a topic; and two sources may reuse an id.)
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, createInbox, headers, type NatsConnection, type Subscription as NatsSubscription } from '@nats-io/transport-node';
import { decodeStructured, encodeStructured, identityOf } from '../cloudevents.js';
import { DeliveryError } from '../errors.js';
import { addSubject } from '../io/jetstream-streams.js';
import { DEFAULT_STREAM } from '../naming.js';
import type { Bus, Subscription, Verdict } from './types.js';

export interface JetStreamOptions {
  url: string;
  streamName?: string;
  /** How long a publish may wait for its PubAck. */
  publishTimeoutMs?: number;
  /** Server-side redelivery of an unacknowledged message. */
  ackWaitMs?: number;
  deliverPolicy?: 'all' | 'last' | 'new';
  maxAckPending?: number;
  token?: string;
  /** What the bus says when it repairs itself (streams or consumers recreated after the server lost them). */
  notice?: (message: string) => void;
}

/**
 * Publishes with reply subjects under one inbox and settles each promise when its PubAck arrives. With `coalesce`,
 * the publishes of one turn of the event loop go out together: nats.js flushes its buffer in a microtask queued by
 * the first write after a flush, so publishes made at different depths of promise chains (a handler's, each after
 * its own awaits) were written to the socket one by one — a write per event was the largest cost of the
 * eventsource bus path (bench/eventsource). Deferring them to `setImmediate` puts a turn's publishes in one write.
 */
export class PipelinedPublisher {
  private readonly inbox = createInbox();
  private readonly pending = new Map<number, { subject: string; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private next = 0;
  private readonly sub: NatsSubscription;
  private queued: Array<{ id: number; subject: string; payload: Uint8Array; msgId: string | undefined }> = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5000,
    /** Called with a subject no stream captures (the server lost its streams): the caller creates it again. */
    private readonly onNoStream: (subject: string) => void = () => {},
    private readonly coalesce = true,
  ) {
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const id = Number(msg.subject.slice(this.inbox.length + 1));
        const waiter = this.pending.get(id);
        if (!waiter) return;
        this.pending.delete(id);
        clearTimeout(waiter.timer);
        // An empty reply is a status, not a PubAck: 503 "no responders" when no stream captures the subject. Parsing
        // it as JSON threw inside this callback and closed the subscription, so every later publish timed out.
        if (msg.data.length === 0) {
          const code = msg.headers?.code ?? 0;
          if (code === 503) this.onNoStream(waiter.subject);
          return waiter.reject(new DeliveryError(`no JetStream stream captures ${waiter.subject} (NATS status ${code || 'empty reply'})`, true));
        }
        let ack: { error?: { code: number; description: string } };
        try {
          ack = msg.json<{ error?: { code: number; description: string } }>();
        } catch (e) {
          return waiter.reject(new DeliveryError(`unreadable JetStream acknowledgement for ${waiter.subject}`, true, e));
        }
        if (ack.error) waiter.reject(new DeliveryError(`JetStream refused the message: ${ack.error.description} (${ack.error.code})`, ack.error.code >= 500 || ack.error.code === 503));
        else waiter.resolve();
      },
    });
  }

  publish(subject: string, payload: Uint8Array, msgId?: string): Promise<void> {
    const id = ++this.next;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DeliveryError(`no JetStream acknowledgement for ${subject} within ${this.timeoutMs} ms`, true));
      }, this.timeoutMs);
      this.pending.set(id, { subject, resolve, reject, timer });
      if (!this.coalesce) return this.send(id, subject, payload, msgId);
      if (this.queued.length === 0) setImmediate(() => this.sendQueued());
      this.queued.push({ id, subject, payload, msgId });
    });
  }

  private sendQueued(): void {
    const batch = this.queued;
    this.queued = [];
    for (const { id, subject, payload, msgId } of batch) this.send(id, subject, payload, msgId);
  }

  private send(id: number, subject: string, payload: Uint8Array, msgId: string | undefined): void {
    const waiter = this.pending.get(id);
    if (!waiter) return; // timed out or closed while queued
    try {
      const h = msgId ? headers() : undefined;
      if (h && msgId) h.set('Nats-Msg-Id', msgId);
      this.nc.publish(subject, payload, { reply: `${this.inbox}.${id}`, ...(h ? { headers: h } : {}) });
    } catch (e) {
      clearTimeout(waiter.timer);
      this.pending.delete(id);
      waiter.reject(new DeliveryError(`cannot publish to ${subject}: ${(e as Error).message}`, true, e));
    }
  }

  close(): void {
    this.queued = [];
    this.sub.unsubscribe();
    for (const [, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new DeliveryError('publisher closed', true));
    }
    this.pending.clear();
  }
}

export { DEFAULT_STREAM };

/** The durable consumer of `group` on `topic`. */
const durableOf = (group: string, topic: string): string => `${group}__${topic}`.replace(/[.*>\s]/g, '_');

export async function connectJetStream(options: JetStreamOptions): Promise<Bus> {
  const nc = await connect({ servers: options.url, maxReconnectAttempts: -1, reconnectTimeWait: 250, ...(options.token ? { token: options.token } : {}) });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = options.streamName ?? DEFAULT_STREAM;
  const notice = options.notice ?? (() => {});
  const known = new Set<string>();
  const publisher = new PipelinedPublisher(nc, options.publishTimeoutMs, (subject) => {
    if (known.delete(subject)) notice(`JetStream: no stream captures ${subject} any more (the server lost its data?); creating stream ${stream} again`);
  });
  let ensuring: Promise<void> = Promise.resolve();

  /** The stream exists and captures `topic` (subjects are added as topics appear). */
  function ensureTopic(topic: string): Promise<void> {
    if (known.has(topic)) return Promise.resolve();
    ensuring = ensuring.then(() => addSubject(jsm, stream, topic)).then(() => void known.add(topic));
    return ensuring;
  }

  return {
    kind: 'jetstream',
    publish(topic, event) {
      const body = encodeStructured(event);
      const msgId = `${topic}/${identityOf(event)}`;
      if (known.has(topic)) return publisher.publish(topic, body, msgId);
      return ensureTopic(topic).then(() => publisher.publish(topic, body, msgId));
    },
    async browse(topic, group, visit, idleMs) {
      await ensureTopic(topic);
      // From the group's acknowledgement floor on (everything when the group never read), with an ordered,
      // ephemeral consumer that acknowledges nothing.
      const floor = await jsm.consumers.info(stream, durableOf(group, topic)).then((i) => i.ack_floor.stream_seq, () => 0);
      const reader = await js.consumers.get(stream, { filter_subjects: topic, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 });
      for (;;) {
        const batch = await reader.fetch({ max_messages: 256, expires: Math.max(1000, idleMs) });
        let got = 0;
        for await (const m of batch) {
          got++;
          try {
            visit(decodeStructured(m.data));
          } catch {
            // undecodable: not shown
          }
        }
        if (got === 0) return;
      }
    },
    async subscribe(topic, group, handler, subscribeOptions) {
      await ensureTopic(topic);
      const ackWaitMs = options.ackWaitMs ?? 30_000;
      // One durable per group and topic: a consumer filters one subject, and a Trigger's group reads several.
      const durable = durableOf(group, topic);
      const ensureConsumer = async () => {
        try {
          await jsm.consumers.info(stream, durable);
        } catch {
          await jsm.consumers.add(stream, {
            durable_name: durable,
            filter_subject: topic,
            ack_policy: AckPolicy.Explicit,
            ack_wait: ackWaitMs * 1_000_000,
            max_ack_pending: options.maxAckPending ?? 1000,
            deliver_policy: options.deliverPolicy === 'new' ? DeliverPolicy.New : options.deliverPolicy === 'last' ? DeliverPolicy.Last : DeliverPolicy.All,
          });
        }
      };
      await ensureConsumer();
      const open = async () => (await js.consumers.get(stream, durable)).consume({ max_messages: options.maxAckPending ?? 1000 });
      let messages = await open();
      let stopped = false;
      const limit = Math.max(1, subscribeOptions?.concurrency ?? 1);
      type Message = (typeof messages) extends AsyncIterable<infer M> ? M : never;
      // Every message the server delivered is ours until settled: queued for a slot or being handled. Each gets
      // in-progress acks until then, so one that waits behind a slow delivery, or whose delivery retries longer
      // than the ack wait, is never handed to another consumer meanwhile (the audit saw 7 of 20 arrive twice).
      const held = new Set<Message>();
      const keepAlive = setInterval(() => {
        for (const m of held) m.working();
      }, Math.max(100, ackWaitMs / 3));
      const queue: Message[] = [];
      let head = 0;
      let inFlight = 0;
      let idle: (() => void) | undefined;
      // Verdicts go out together once per turn of the event loop: the client writes what was queued in one turn with
      // one socket write, where a verdict sent at each delivery's completion cost a write each, the largest single
      // cost in the trigger's profile (bench/trigger). A message is still settled only after its handling.
      let settled: Array<{ m: Message; verdict: Verdict }> = [];
      let flushing = false;
      const flush = () => {
        flushing = false;
        const now = settled;
        settled = [];
        for (const { m, verdict } of now) {
          if (verdict === 'ack') m.ack();
          else if (verdict === 'drop') m.term();
          else m.nak(Math.min(1000 * m.info.deliveryCount, 10_000));
        }
      };
      const settle = async (m: Message) => {
        let verdict: Verdict;
        try {
          verdict = await handler(decodeStructured(m.data));
        } catch {
          verdict = 'drop'; // undecodable: redelivery cannot help
        }
        held.delete(m);
        settled.push({ m, verdict });
        if (!flushing) {
          flushing = true;
          setImmediate(flush);
        }
      };
      // Handlers are called in arrival order; their completion (and the ack) may come out of order.
      const pump = () => {
        while (inFlight < limit && head < queue.length) {
          const m = queue[head++]!;
          if (head > 1024) {
            queue.splice(0, head);
            head = 0;
          }
          inFlight++;
          void settle(m).finally(() => {
            inFlight--;
            pump();
            if (inFlight === 0 && head === queue.length) idle?.();
          });
        }
      };
      // The server may lose the stream or the consumer (a restart without its store): the reader then ends or
      // hears that its consumer is gone. It makes both again and reads on, instead of closing for good.
      const reopen = async (reason: string) => {
        for (let attempt = 1; !stopped; attempt++) {
          try {
            known.delete(topic);
            await ensureTopic(topic);
            await ensureConsumer();
            messages = await open();
            notice(`JetStream: reading ${topic} again as ${durable} (${reason}; stream and consumer made sure of)`);
            return;
          } catch {
            await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 2000)));
          }
        }
      };
      const done = (async () => {
        while (!stopped) {
          const current = messages;
          void (async () => {
            for await (const status of current.status()) {
              if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') current.stop();
            }
          })().catch(() => undefined);
          try {
            for await (const m of current) {
              held.add(m);
              queue.push(m);
              pump();
            }
          } catch {
            // ended with an error: handled as any other end
          }
          if (!stopped) await reopen('the server ended the subscription');
        }
        if (inFlight > 0 || head < queue.length) await new Promise<void>((r) => (idle = r));
        flush(); // the last verdicts, before the caller may close the connection
        clearInterval(keepAlive);
      })();
      return {
        async stop() {
          stopped = true;
          await messages.close();
          await done;
        },
      } satisfies Subscription;
    },
    async close() {
      publisher.close();
      await nc.drain().catch(() => nc.close());
    },
  };
}
