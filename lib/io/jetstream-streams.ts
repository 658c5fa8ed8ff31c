// Keeps the JetStream streams the generated Functions need (functions/controller/plan/streams.ts): creates a stream
// or adds the subjects it lacks, never removes one. Remembers what it made sure of, so a resync of an unchanged
// world opens no connection; a failure is remembered too, so an unreachable NATS costs one attempt per stream, not
// one per resource. `forget()` (on each full resync) makes it look again, in case someone deleted a stream or NATS
// came back.
import { ensureStream } from '../local/jetstream.js';

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
