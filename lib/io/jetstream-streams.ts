// Keeps the JetStream streams the generated Functions need (functions/controller/plan/streams.ts): creates a stream
// or adds the subjects it lacks, never removes one. Remembers what it made sure of, so a resync of an unchanged
// world opens no connection; a failure is remembered too, so an unreachable NATS costs one attempt per stream, not
// one per resource. `forget()` (on each full resync) makes it look again, in case someone deleted a stream or NATS
// came back.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** The stream exists and captures `subject`; the local runtime's JetStream bus uses it as topics appear. */
export async function addSubject(jsm: JetStreamManager, stream: string, subject: string): Promise<void> {
  try {
    let info;
    try {
      info = await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: [subject], duplicate_window: 120 * 1_000_000_000 });
      return;
    }
    if (info.config.subjects?.includes(subject)) return;
    await jsm.streams.update(stream, { ...info.config, subjects: [...(info.config.subjects ?? []), subject] });
  } catch (e) {
    // A subject belongs to one stream: say which one has it, rather than JetStream's bare "subjects overlap".
    const owner = await jsm.streams.find(subject).catch(() => undefined);
    if (owner && owner !== stream) {
      throw new Error(`JetStream stream "${stream}" cannot take topic "${subject}": stream "${owner}" already captures it (set streamName to "${owner}", or delete that stream)`, { cause: e });
    }
    throw e;
  }
}

/**
 * The stream `stream` exists and captures every topic in `topics` (subjects are added, never removed). Dapr's
 * pubsub.jetstream never creates a stream: publishing to a subject no stream captures fails, and subscribing fails
 * to find the stream (cc@v1.18.0 pubsub/jetstream/jetstream.go Subscribe). `ofn-events dev --runtime dapr` calls this
 * for each JetStream bus before its sidecars start, as a cluster install's stream step does.
 */
export async function ensureStream(options: { url: string; token?: string }, stream: string, topics: readonly string[]): Promise<void> {
  const nc = await connect({ servers: options.url, ...(options.token ? { token: options.token } : {}) });
  try {
    const jsm = await jetstreamManager(nc);
    for (const topic of topics) await addSubject(jsm, stream, topic);
  } finally {
    await nc.close();
  }
}

export interface StreamNeed {
  url: string;
  stream: string;
  token?: string;
  topics: readonly string[];
}

export class StreamKeeper {
  private readonly known = new Set<string>();
  private readonly failed = new Map<string, string>();
  /** One keep() at a time: resources reconcile concurrently, and two creating one stream at once would clash. */
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly ensure: typeof ensureStream = ensureStream) {}

  /** Why each need could not be met (by `url stream`); empty when every stream captures every topic. */
  keep(needs: readonly StreamNeed[]): Promise<Map<string, string>> {
    const run = this.queue.then(() => this.keepNow(needs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async keepNow(needs: readonly StreamNeed[]): Promise<Map<string, string>> {
    const failures = new Map<string, string>();
    for (const need of needs) {
      const missing = need.topics.filter((t) => !this.known.has(`${need.url} ${need.stream} ${t}`));
      if (missing.length === 0) continue;
      const where = `${need.url} ${need.stream}`;
      const failure = this.failed.get(where);
      if (failure !== undefined) {
        failures.set(where, failure);
        continue;
      }
      try {
        await this.ensure({ url: need.url, ...(need.token ? { token: need.token } : {}) }, need.stream, missing);
        for (const t of missing) this.known.add(`${need.url} ${need.stream} ${t}`);
      } catch (e) {
        const reason = (e as Error).message.split('\n')[0]!;
        this.failed.set(where, reason);
        failures.set(where, reason);
      }
    }
    return failures;
  }

  forget(): void {
    this.known.clear();
    this.failed.clear();
  }
}
