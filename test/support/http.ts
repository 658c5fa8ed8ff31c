// Small real HTTP servers on loopback for tests: a recording sink / fake Dapr sidecar whose answers a test scripts.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Recorder {
  url: string;
  port: number;
  requests: Recorded[];
  /** Answers to give, in order; the last one repeats. Default: 204 for the sidecar, 200 for a sink. */
  answers: Array<{ status: number; headers?: Record<string, string>; body?: string }>;
  /** Resolves once `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Recorded[]>;
  close(): Promise<void>;
  server: Server;
}

/** `ignore`: requests answered (with the default status) but not recorded, e.g. a sidecar's metadata PUTs. */
export async function startRecorder(defaultStatus = 200, port = 0, ignore?: (path: string) => boolean): Promise<Recorder> {
  const requests: Recorded[] = [];
  const waiters: Array<{ n: number; resolve: (r: Recorded[]) => void }> = [];
  const recorder: Partial<Recorder> = { requests, answers: [] };
  let answered = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (ignore?.(req.url ?? '')) {
        res.writeHead(defaultStatus).end();
        return;
      }
      const answers = recorder.answers!;
      const answer = answers.length === 0 ? { status: defaultStatus } : answers[Math.min(answered, answers.length - 1)]!;
      answered++;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
      for (const w of [...waiters]) {
        if (requests.length < w.n) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(requests.slice());
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return Object.assign(recorder, {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    waitFor(n: number, timeoutMs = 10_000) {
      if (requests.length >= n) return Promise.resolve(requests.slice());
      return new Promise<Recorded[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${requests.length} of ${n} requests arrived in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: (r) => (clearTimeout(timer), resolve(r)) });
      });
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  }) as Recorder;
}

/** One request, the way daprd makes it, with the answer read fully. */
export async function request(url: string, method: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  const response = await fetch(url, { method, ...(body === undefined ? {} : { body }), headers });
  return { status: response.status, body: await response.text(), headers: Object.fromEntries(response.headers) };
}
