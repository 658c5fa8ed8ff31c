// Child processes of a running topology: spawned with their output kept (the tail, for error messages), waited for
// until they answer, and stopped with SIGTERM then SIGKILL. Also free loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Ports this process handed out lately: the kernel may offer a just-released port again to the next caller. */
const handedOut = new Set<number>();

/** A port nothing listens on right now (the kernel picks it), never one this process handed out lately. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await kernelPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (handedOut.size > 4096) handedOut.delete(handedOut.values().next().value as number);
    return port;
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

export function canConnect(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  /** Why it exited, once it has. */
  exited(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

const children = new Set<ChildProcess>();
// Whatever happens to this process, its children go with it.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export function startChild(name: string, command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; onLine?(line: string): void; keepBytes?: number }): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const keep = options.keepBytes ?? 16_000;
  let tail = '';
  let partial = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-keep);
    if (!options.onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) options.onLine(line);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  let why: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
    child.once('error', (e) => {
      children.delete(child);
      why = `could not start: ${e.message}`;
      resolve();
    });
  });
  return {
    name,
    process: child,
    output: () => tail,
    exited: () => why,
    kill: (signal) => void child.kill(signal),
    async stop(graceMs = 10_000) {
      if (why !== undefined) return;
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exit;
      clearTimeout(force);
    },
  };
}

/** Waits until `ready()` holds, failing early when the child exits and after `timeoutMs`. */
export async function waitUntil(child: Child, ready: () => Promise<boolean>, what: string, timeoutMs: number, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = child.exited();
    if (why !== undefined) throw new Error(`${child.name} ${why} before ${what}:\n${lastLines(child.output(), 15)}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${child.name}: not ${what} within ${timeoutMs} ms:\n${lastLines(child.output(), 15)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export const lastLines = (text: string, n: number): string => text.trimEnd().split('\n').slice(-n).join('\n');
