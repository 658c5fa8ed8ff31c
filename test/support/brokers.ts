// Private broker instances for integration tests (DESIGN §4): real nats-server (JetStream), mosquitto and
// redis-server, each on a free loopback port in its own temporary directory, stopped (and the directory removed)
// by `stop()`. `restart()` keeps port and data, for tests of reconnects. Installed by scripts/install-brokers.sh.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type BrokerKind = 'nats' | 'mosquitto' | 'redis';

export interface Broker {
  kind: BrokerKind;
  port: number;
  /** nats://127.0.0.1:port, mqtt://127.0.0.1:port or redis://127.0.0.1:port */
  url: string;
  dir: string;
  stop(): Promise<void>;
  restart(options?: { wipe?: boolean; whileDown?: () => Promise<void> }): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
const running = new Set<ChildProcess>();

// Whatever happens to the test process, its brokers go with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nothing listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function binary(kind: BrokerKind): string {
  const name = { nats: 'nats-server', mosquitto: 'mosquitto', redis: 'redis-server' }[kind];
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/usr/local/bin'])) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is not installed: run \`npm run brokers:install\` (scripts/install-brokers.sh)`);
}

function commandFor(kind: BrokerKind, port: number, dir: string): string[] {
  switch (kind) {
    case 'nats':
      return [binary('nats'), '-js', '-a', HOST, '-p', String(port), '-sd', join(dir, 'jetstream')];
    case 'mosquitto': {
      const conf = join(dir, 'mosquitto.conf');
      writeFileSync(conf, [`listener ${port} ${HOST}`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'log_dest stderr', ''].join('\n'));
      return [binary('mosquitto'), '-c', conf];
    }
    case 'redis':
      return [binary('redis'), '--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--appendonly', 'yes', '--protected-mode', 'no'];
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function launch(kind: BrokerKind, port: number, dir: string): Promise<ChildProcess> {
  const [cmd, ...args] = commandFor(kind, port, dir);
  const child = spawn(cmd!, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    running.delete(child);
    exited = `exited with ${code ?? signal}`;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${kind} ${exited} before it was ready:\n${output}`);
    if (await canConnect(port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${kind} was not ready on port ${port} within ${READY_TIMEOUT_MS} ms:\n${output}`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startBroker(kind: BrokerKind): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), `ofn-events-${kind}-`));
  const scheme = { nats: 'nats', mosquitto: 'mqtt', redis: 'redis' }[kind];
  let port = await freePort();
  let child: ChildProcess | undefined;
  // Another process may take the port between freePort() and the broker's bind: try a few ports.
  for (let attempt = 1; !child; attempt++) {
    try {
      child = await launch(kind, port, dir);
    } catch (e) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      port = await freePort();
    }
  }
  const broker: Broker = {
    kind,
    port,
    url: `${scheme}://${HOST}:${port}`,
    dir,
    async stop() {
      if (child) await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(options: { wipe?: boolean; whileDown?: () => Promise<void> } = {}) {
      if (child) await terminate(child);
      // An outage: the caller acts while nothing listens on the port.
      await options.whileDown?.();
      // A broker that lost its store: JetStream streams and consumers, Redis streams and groups are gone.
      if (options.wipe) for (const entry of readdirSync(dir)) if (entry !== 'mosquitto.conf') rmSync(join(dir, entry), { recursive: true, force: true });
      child = await launch(kind, port, dir);
    },
  };
  return broker;
}

/** The environment variables through which global setup hands its brokers to test files. */
export const BROKER_ENV: Record<BrokerKind, string> = {
  nats: 'OFN_TEST_NATS_URL',
  mosquitto: 'OFN_TEST_MQTT_URL',
  redis: 'OFN_TEST_REDIS_URL',
};

/** The shared broker started by global setup, for tests that do not need one of their own. */
export function sharedBrokerUrl(kind: BrokerKind): string {
  const url = process.env[BROKER_ENV[kind]];
  if (!url) throw new Error(`${BROKER_ENV[kind]} is not set: run integration tests through jest's integration project`);
  return url;
}

declare global {
  var __OFN_BROKERS__: Broker[] | undefined;
}

/**
 * Jest global setup of the integration project (this module imports only Node built-ins, so jest can load it
 * there): one private instance of each broker, handed to test files through the environment. Tests that stop or
 * restart a broker start their own with startBroker(). test/support/global-teardown.ts stops them.
 */
export default async function globalSetup(): Promise<void> {
  const kinds: BrokerKind[] = ['nats', 'mosquitto', 'redis'];
  const brokers = await Promise.all(kinds.map((kind) => startBroker(kind)));
  globalThis.__OFN_BROKERS__ = brokers;
  for (const broker of brokers) process.env[BROKER_ENV[broker.kind]] = broker.url;
}
