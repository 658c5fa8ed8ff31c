// Private broker processes on loopback: nats-server (JetStream), mosquitto, redis-server (Debian packages,
// scripts/install-brokers.sh) and a single-node KRaft Kafka (scripts/peers.sh kafka). Each runs in its own temporary
// directory on a given or free port; `stop()` ends it and removes the directory, `restart()` keeps port and data.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKafkaLibs } from './peers.js';
import { promisify } from 'node:util';
import { canConnect, freePort, LOOPBACK, startChild, waitUntil, type Child } from './processes.js';

const execFileAsync = promisify(execFile);

export type BrokerKind = 'nats' | 'mosquitto' | 'redis' | 'kafka';

export interface Broker {
  kind: BrokerKind;
  port: number;
  /** nats://…, mqtt://…, redis://… or, for Kafka, host:port */
  url: string;
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** SIGKILL, for fault tests; restart() brings it back with its data. */
  kill(): Promise<void>;
}

const SCHEME: Record<BrokerKind, string> = { nats: 'nats://', mosquitto: 'mqtt://', redis: 'redis://', kafka: '' };

function binary(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/usr/local/bin'])) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is not installed: run \`npm run brokers:install\` (scripts/install-brokers.sh)`);
}

function kafkaCommand(port: number, controller: number, dir: string): { command: string; args: string[] } {
  const libs = findKafkaLibs();
  if (!libs) throw new Error('no Kafka broker: fetch one with `npm run peers` (scripts/peers.sh kafka)');
  const properties = join(dir, 'kafka.properties');
  writeFileSync(properties, [
    'process.roles=broker,controller', 'node.id=1', `controller.quorum.bootstrap.servers=${LOOPBACK}:${controller}`,
    `listeners=PLAINTEXT://${LOOPBACK}:${port},CONTROLLER://${LOOPBACK}:${controller}`, `advertised.listeners=PLAINTEXT://${LOOPBACK}:${port}`,
    'controller.listener.names=CONTROLLER', 'inter.broker.listener.name=PLAINTEXT', 'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`, 'num.partitions=1', 'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1', 'transaction.state.log.min.isr=1', 'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1', 'group.initial.rebalance.delay.ms=0', 'auto.create.topics.enable=true', '',
  ].join('\n'));
  // A small heap and the client compiler only: a test broker, started many times on two cores.
  const jvm = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-cp', `${libs}/*`];
  return { command: 'java', args: [...jvm, 'kafka.Kafka', properties] };
}

async function formatKafka(dir: string): Promise<void> {
  const cp = ['-cp', `${findKafkaLibs()!}/*`];
  const id = (await execFileAsync('java', [...cp, 'kafka.tools.StorageTool', 'random-uuid'], { timeout: 60_000 })).stdout.trim().split('\n').pop()!;
  await execFileAsync('java', [...cp, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', id, '-c', join(dir, 'kafka.properties')], { timeout: 60_000 });
}

/** The listener's port and, for Kafka, its KRaft controller's: both chosen free, neither derived from the other. */
interface Ports {
  port: number;
  controller: number;
}

function commandFor(kind: BrokerKind, { port, controller }: Ports, dir: string): { command: string; args: string[] } {
  switch (kind) {
    case 'nats':
      return { command: binary('nats-server'), args: ['-js', '-a', LOOPBACK, '-p', String(port), '-sd', join(dir, 'jetstream')] };
    case 'mosquitto': {
      const conf = join(dir, 'mosquitto.conf');
      writeFileSync(conf, [`listener ${port} ${LOOPBACK}`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'log_dest stderr', ''].join('\n'));
      return { command: binary('mosquitto'), args: ['-c', conf] };
    }
    case 'redis':
      return { command: binary('redis-server'), args: ['--port', String(port), '--bind', LOOPBACK, '--dir', dir, '--save', '', '--appendonly', 'yes', '--protected-mode', 'no'] };
    case 'kafka':
      return kafkaCommand(port, controller, dir);
  }
}

async function launch(kind: BrokerKind, ports: Ports, dir: string): Promise<Child> {
  const { command, args } = commandFor(kind, ports, dir);
  const child = startChild(kind, command, args, { cwd: dir, env: process.env });
  try {
    await waitUntil(child, () => canConnect(ports.port), `listening on ${ports.port}`, kind === 'kafka' ? 60_000 : 15_000, 50);
  } catch (e) {
    await child.stop(5_000); // never leave a half-started broker behind a retry
    throw e;
  }
  return child;
}

/** A private broker on `port` (default: a free one). */
export async function startBroker(kind: BrokerKind, port?: number): Promise<Broker> {
  // Another process may take a free port before the broker binds it: start afresh on other ports, unless the port
  // was asked for. Afresh, because a formatted KRaft store records its controller's address.
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), `ofn-events-${kind}-`));
    const ports: Ports = { port: port ?? (await freePort()), controller: 0 };
    while (kind === 'kafka' && (ports.controller === 0 || ports.controller === ports.port)) ports.controller = await freePort();
    try {
      if (kind === 'kafka') {
        commandFor(kind, ports, dir); // writes the properties the format reads
        await formatKafka(dir);
      }
      return brokerOf(kind, ports, dir, await launch(kind, ports, dir));
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 3 || port !== undefined) throw e;
    }
  }
}

function brokerOf(kind: BrokerKind, ports: Ports, dir: string, started: Child): Broker {
  let child: Child | undefined = started;
  const chosen = ports.port;
  const broker: Broker = {
    kind,
    port: chosen,
    url: `${SCHEME[kind]}${LOOPBACK}:${chosen}`,
    dir,
    async stop() {
      await child?.stop(5_000);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await child?.stop(5_000);
      child = await launch(kind, ports, dir);
    },
    async kill() {
      child?.kill('SIGKILL');
      await child?.stop(5_000);
    },
  };
  return broker;
}
