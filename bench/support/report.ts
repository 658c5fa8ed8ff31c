// Shared by the benchmarks: statistics over interleaved runs, a readable table, and the closing JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const spread = (xs: number[]): string => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;

export function fmt(n: number): string {
  if (n >= 100_000) return `${(n / 1000).toFixed(0)}k`;
  if (n >= 10_000) return `${(n / 1000).toFixed(1)}k`;
  if (n >= 100) return n.toFixed(0);
  return n.toFixed(2);
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

export const machine = () => `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`;

/** CPU a child process has used so far, in microseconds: utime + stime from Linux /proc (clock ticks of 10 ms); 0 without a pid. */
export function processCpuMicros(pid: number | undefined): number {
  if (!pid) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the command name may hold spaces and parentheses
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Runs `work` and returns events per second and CPU microseconds per event of this process. */
export async function measure(events: number, work: () => Promise<void>): Promise<{ rate: number; cpuMicros: number; ms: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const ns = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  return { rate: events / (ns / 1e9), cpuMicros: (used.user + used.system) / events, ms: ns / 1e6 };
}

/** Runs `count` tasks with at most `window` in flight. */
export { inLanes as windowed } from '../../lib/lanes.js';

/** A loopback HTTP sink in its own process (as a real sink would be), answering 200 to every POST. */
export async function startSinkProcess(): Promise<{ url: string; stop(): void }> {
  const code = `const http=require('http');const s=http.createServer((q,r)=>{q.resume();q.on('end',()=>{r.writeHead(200);r.end()})});s.keepAliveTimeout=60000;s.listen(0,'127.0.0.1',()=>process.stdout.write(String(s.address().port)+'\\n'));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  process.once('exit', () => child.kill());
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/**
 * An in-process HTTP sink that answers 200 to every request and hands `receive` each body, parsed as JSON, with its
 * arrival time (process.hrtime, the clock events are stamped with).
 */
export async function startJsonSink<T>(receive: (body: T, arrivedAt: bigint) => void): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = process.hrtime.bigint();
      receive(JSON.parse(Buffer.concat(chunks).toString()) as T, arrivedAt);
      res.writeHead(200);
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => void server.close() };
}
