// An HTTP sink whose behaviour a fault test scripts (answer 200, fail with a status, or hang), recording every
// CloudEvent it answered and how: the ground truth for "sent, delivered, dead-lettered, duplicated".
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Mode = { kind: 'ok' } | { kind: 'fail'; status: number } | { kind: 'hang' };

export interface Delivery {
  path: string;
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number | 'hung';
}

export interface ScriptedSink {
  url: string;
  mode: Mode;
  deliveries: Delivery[];
  /** Deliveries answered 2xx at `path`. */
  accepted(path: string): Delivery[];
  close(): Promise<void>;
}

export async function startScriptedSink(): Promise<ScriptedSink> {
  const hung = new Set<ServerResponse>();
  const sink: ScriptedSink = {
    url: '',
    mode: { kind: 'ok' },
    deliveries: [],
    accepted: (path) => sink.deliveries.filter((d) => d.path === path && typeof d.status === 'number' && d.status < 300),
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const mode = sink.mode;
      const status = mode.kind === 'ok' ? 200 : mode.kind === 'fail' ? mode.status : ('hung' as const);
      sink.deliveries.push({ path: req.url ?? '', id: String(req.headers['ce-id'] ?? ''), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      if (status === 'hung') {
        hung.add(res);
        res.once('close', () => hung.delete(res));
        return;
      }
      res.writeHead(status).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sink;
}

export interface Tally {
  sent: number;
  delivered: number;
  lost: number;
  /** Deliveries accepted beyond the first of the same payload. */
  duplicated: number;
}

/** Counts by payload number (`{"n": …}` bodies): ids of sources without their own are new on each redelivery. */
export function tally(sink: ScriptedSink, path: string, sent: readonly number[]): Tally {
  const seen = new Map<number, number>();
  for (const d of sink.accepted(path)) {
    const n = (JSON.parse(d.body) as { n?: number }).n;
    if (typeof n === 'number') seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  const delivered = sent.filter((n) => seen.has(n)).length;
  const duplicated = [...seen.values()].reduce((sum, c) => sum + c - 1, 0);
  return { sent: sent.length, delivered, lost: sent.length - delivered, duplicated };
}
