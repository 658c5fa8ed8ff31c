// Reading a Redis stream through a consumer group: new entries with XREADGROUP, acknowledgement with XACK, and
// redelivery of entries left pending (a failed or crashed consumer) with XAUTOCLAIM. Shared by the Redis source and
// the Redis bus.
import type { createClient } from 'redis';
import { inLanes } from '../lanes.js';
import type { Verdict } from './types.js';

type Client = ReturnType<typeof createClient>;

export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

export interface ReadOptions {
  processingTimeoutMs: number;
  redeliverIntervalMs: number;
  blockMs?: number;
  /** Entries in flight at once (default 1). Handlers still start in the stream's order; acknowledgements may not. */
  concurrency?: number;
  /** Told when reading recovers from something a user should know of (a lost group), and of each new failure. */
  notice?: (message: string) => void;
}

/** Starts reading; returns the function that stops it. `handle` decides per entry. */
export function readGroup(client: Client, stream: string, group: string, consumer: string, handle: (e: StreamEntry) => Promise<Verdict>, options: ReadOptions): () => Promise<void> {
  let stopped = false;
  const process = async (entry: StreamEntry) => {
    let verdict: Verdict;
    try {
      verdict = await handle(entry);
    } catch {
      verdict = 'retry';
    }
    if (verdict !== 'retry') await client.xAck(stream, group, entry.id);
  };
  // `handle` is called in the stream's order, at most `concurrency` at once.
  const processAll = (entries: StreamEntry[]) => inLanes(entries.length, options.concurrency ?? 1, (i) => process(entries[i]!));

  const createGroup = () =>
    client.xGroupCreate(stream, group, '0', { MKSTREAM: true }).catch((e: Error) => {
      if (!e.message.includes('BUSYGROUP')) throw e;
    });
  let lastProblem: string | undefined;
  const loop = (async () => {
    let grouped = false;
    let lastClaim = 0;
    while (!stopped) {
      try {
        // Inside the loop: a group that cannot be made yet (the connection is down) is tried again, not a rejection
        // nobody awaits until stop.
        if (!grouped) grouped = (await createGroup(), true);
        if (Date.now() - lastClaim >= options.redeliverIntervalMs) {
          lastClaim = Date.now();
          const claimed = (await client.xAutoClaim(stream, group, consumer, options.processingTimeoutMs, '0-0', { COUNT: 100 })) as { messages: Array<{ id: string; message: Record<string, string> } | null> };
          await processAll(claimed.messages.flatMap((m) => (m ? [{ id: m.id, fields: m.message }] : [])));
        }
        const reply = (await client.xReadGroup(group, consumer, { key: stream, id: '>' }, { COUNT: 100, BLOCK: options.blockMs ?? Math.min(options.redeliverIntervalMs, 1000) })) as Array<{ messages: Array<{ id: string; message: Record<string, string> }> }> | null;
        await processAll((reply?.[0]?.messages ?? []).map((m) => ({ id: m.id, fields: m.message })));
        lastProblem = undefined;
      } catch (e) {
        if (stopped) break;
        const message = (e as Error).message;
        if (message.includes('NOGROUP')) {
          // The server lost the group (a restart without persistence): reading would fail forever. Make it again,
          // from the stream's start, so whatever the stream still holds is read rather than skipped.
          await createGroup().catch(() => undefined);
          options.notice?.(`Redis stream ${stream}: consumer group ${group} was gone (the server lost its data?); created it again from the stream's start`);
          continue;
        }
        if (message !== lastProblem) options.notice?.(`Redis stream ${stream}: reading failed (${message}); trying again`);
        lastProblem = message;
        await new Promise((r) => setTimeout(r, 250)); // connection trouble: the client reconnects
      }
    }
  })();

  return async () => {
    stopped = true;
    await loop.catch(() => undefined);
  };
}
