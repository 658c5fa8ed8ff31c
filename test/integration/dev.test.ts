// `ofn-events dev` end to end: in memory, on real NATS JetStream and mosquitto with a real HTTP sink, and the
// README's quickstart command itself (bounded by --for, and stopped by Ctrl-C).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { freePort, sharedBrokerUrl } from '../support/brokers.js';
import { dev } from '../../cli/dev/command.js';
import { runCli, tempFiles } from '../support/cli.js';
import { startRecorder } from '../support/http.js';
import { eventually } from '../support/local.js';

const yaml = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');
const r = (kind: string, name: string, spec: unknown) => ({ apiVersion: 'events.openfunction.io/v1alpha1', kind, metadata: { name }, spec });

describe('ofn-events dev', () => {
  test('a Trigger feeding its own input is refused before anything runs, naming the loop', async () => {
    const dir = tempFiles({
      'loop.yaml': yaml(
        r('EventSource', 'clock', { eventBus: 'default', cron: { a: { schedule: '@every 200ms' } } }),
        r('Trigger', 'echo', { eventBus: 'default', correlation: { payload: 'correlated' }, inputs: { a: { eventSource: 'clock', event: 'a' } }, subscribers: [{ condition: 'a', topic: 'default-clock-a' }] }),
      ),
    });
    const result = await runCli('dev', '-f', join(dir, 'loop.yaml'), '--bus', 'memory', '--for', '1s');
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('Trigger/echo (document 2): spec.subscribers[0].topic: feeds itself: "default-clock-a" → Trigger default/echo');
    expect(result.err.join('\n')).not.toContain('running');
  });

  test("a state store's password in a Secret cannot be read without a cluster: dev says which field, before anything runs", async () => {
    const dir = tempFiles({
      'keyed.yaml': yaml(
        r('EventSource', 'clock', { eventBus: 'default', cron: { a: { schedule: '@every 1h' } } }),
        r('Trigger', 'keyed', {
          eventBus: 'default',
          correlation: { state: { type: 'state.redis', metadata: { redisHost: '127.0.0.1:6379', redisPassword: { secretKeyRef: { name: 'redis', key: 'password' } } } } },
          inputs: { a: { eventSource: 'clock', event: 'a', key: 'subject' } },
          subscribers: [{ condition: 'a', sink: { uri: 'http://example.invalid/' } }],
        }),
      ),
    });
    const result = await runCli('dev', '-f', join(dir, 'keyed.yaml'), '--bus', 'memory', '--for', '10ms');
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('spec.correlation.state.metadata.redisPassword: a secretKeyRef cannot be read without a cluster; give the value inline for local runs');
  });

  test("a subscriber's delivery.timeout bounds each request to its sink: a hanging sink is dead-lettered in time", async () => {
    const { createServer } = await import('node:http');
    const hanging = createServer(() => undefined); // takes requests, never answers
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const dead = await startRecorder(200);
    const hangingUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/`;
    const dir = tempFiles({
      'slow.yaml': yaml(
        r('EventSource', 'clock', { eventBus: 'default', cron: { a: { schedule: '@every 200ms' } } }),
        r('Trigger', 'slow', { eventBus: 'default', inputs: { a: { eventSource: 'clock', event: 'a' } }, subscribers: [{ condition: 'a', sink: { uri: hangingUrl }, deadLetterSink: { uri: dead.url }, delivery: { retry: 0, timeout: '300ms' } }] }),
      ),
    });
    try {
      await runCli('dev', '-f', join(dir, 'slow.yaml'), '--bus', 'memory', '--for', '2s');
      // The default (10 s) would dead-letter nothing within the run.
      expect(dead.requests.length).toBeGreaterThan(0);
      expect(dead.requests[0]!.headers['ce-ofnerrordata']).toMatch(/timeout/i);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
      await dead.close();
    }
  });

  test('dev never hides a failure: the refusing sink and its reason, once; undelivered events and a source that never ran fail the run', async () => {
    const refusing = await startRecorder(400);
    const dir = tempFiles({
      'fail.yaml': yaml(
        r('EventSource', 'clock', { eventBus: 'default', cron: { a: { schedule: '@every 100ms' } }, mqtt: { m: { url: `tcp://127.0.0.1:${await freePort()}`, topic: 'x' } } }),
        r('Trigger', 'picky', { eventBus: 'default', inputs: { a: { eventSource: 'clock', event: 'a' } }, subscribers: [{ condition: 'a', sink: { uri: 'http://picky.default.svc.cluster.local/' } }] }),
      ),
    });
    try {
      const result = await runCli('dev', '-f', join(dir, 'fail.yaml'), '--bus', 'memory', '--for', '1500ms', '--sink', `http://picky.default.svc.cluster.local/=${refusing.url}`, '-v');
      const err = result.err.join('\n');
      expect(refusing.requests.length).toBeGreaterThan(2); // the uri sink went where --sink mapped it
      // Said once, though every event fails the same way.
      expect(result.err.filter((l) => l.includes('Trigger/default/picky subscriber 0: delivery failed:') && l.includes('HTTP 400'))).toHaveLength(1);
      expect(err).toMatch(/EventSource\/default\/clock\/m: waiting: .*; retrying/);
      expect(err).toMatch(/ {2}Trigger\/default\/picky subscriber 0: \d+ failed attempts, \d+ NOT DELIVERED/);
      expect(err).toMatch(/ {2}EventSource\/default\/clock\/m: NEVER RAN: /);
      // -v: why each event fired or not
      expect(err).toMatch(/trace: event clock-a-\S+ on a; active: a; fired: 0 "a"; not fired: none/);
      expect(result.code).toBe(1);
    } finally {
      await refusing.close();
    }
  });

  test('a source whose broker is down at start is retried with backoff, and runs once the broker is up', async () => {
    const { startBroker } = await import('../../runtime/brokers.js');
    const port = await freePort();
    const dir = tempFiles({ 'late.yaml': yaml(r('EventSource', 'late', { sink: { uri: 'http://display.default.svc/' }, mqtt: { m: { url: `tcp://127.0.0.1:${port}`, topic: 'late/x' } } })) });
    let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
    const { run } = await import('../../cli/cli.js');
    const lines: string[] = [];
    const running = run(['dev', '-f', join(dir, 'late.yaml'), '--bus', 'memory', '--for', '4s', '--sink', 'http://display.default.svc/=display'], { out: () => {}, err: (l) => lines.push(l) });
    try {
      await eventually(() => lines.some((l) => l.includes('waiting:')), 'dev to find nobody on the port');
      broker = await startBroker('mosquitto', port);
      const result = { code: await running, err: lines };
      const err = result.err.join('\n');
      expect(err).toMatch(/EventSource\/default\/late\/m: waiting: .*; retrying/);
      expect(err).toMatch(/EventSource\/default\/late\/m: running now \(after \d+ retries\)/);
      expect(err).not.toContain('NEVER RAN');
      expect(result.code).toBe(0);
    } finally {
      await running.catch(() => undefined);
      await broker?.stop();
    }
  });

  test('in memory: cron sources through a two-input condition to the display, then a summary', async () => {
    const dir = tempFiles({
      'demo.yaml': yaml(
        r('EventSource', 'clock', { eventBus: 'default', cron: { a: { schedule: '@every 200ms' }, b: { schedule: '@every 300ms' } } }),
        r('Trigger', 'both', { eventBus: 'default', correlation: { window: '1s' }, inputs: { a: { eventSource: 'clock', event: 'a' }, b: { eventSource: 'clock', event: 'b' } }, subscribers: [{ condition: 'a && b', sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'display' } } }] }),
      ),
    });
    const result = await runCli('dev', '-f', join(dir, 'demo.yaml'), '--bus', 'memory', '--for', '1500ms');
    expect(result.code).toBe(0);
    expect(result.out.filter((l) => l.startsWith('☁  Trigger/default/both subscriber 0')).length).toBeGreaterThan(0);
    expect(result.err).toContain('bus: in memory (--bus memory)');
    expect(result.err.some((l) => /^ {2}Trigger\/default\/both subscriber 0: \d+ delivered$/.test(l))).toBe(true);
  });

  test('on a terminal: a live view drawn in place, display lines above it, erased before the summary', async () => {
    const dir = tempFiles({
      'demo.yaml': yaml(
        r('EventSource', 'clock', { eventBus: 'default', cron: { a: { schedule: '@every 200ms' } } }),
        r('Trigger', 'ticks', { eventBus: 'default', inputs: { a: { eventSource: 'clock', event: 'a' } }, subscribers: [{ condition: 'a', sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'display' } } }] }),
      ),
    });
    const terminal: string[] = [];
    const out: string[] = [];
    const err: string[] = [];
    const code = await dev([join(dir, 'demo.yaml')], { bus: 'memory', sinks: [], for: '1200ms', terminal: { write: (t) => terminal.push(t) } }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code).toBe(0);
    // ANSI: ESC [ n F (cursor up n lines) then ESC [ J (clear to the end of the screen)
    const erase = String.raw`\x1b\[\d+F\x1b\[J`;
    const views = terminal.filter((t) => t.includes('redelivered  delivered  failed'));
    // drawn at start, again after each displayed event and on the 1 s tick
    expect(views.length).toBeGreaterThan(out.length);
    expect(views.at(-1)).toMatch(new RegExp(`^(${erase})? {2,}in {2}redelivered {2}delivered`));
    expect(terminal.filter((t) => new RegExp(`^${erase}`).test(t)).length).toBeGreaterThan(out.length); // each redraw erased the last
    expect(views.at(-1)).toMatch(/\n {2}subscriber 0 +\d+/);
    expect(out.filter((l) => l.startsWith('☁  Trigger/default/ticks subscriber 0')).length).toBeGreaterThan(0);
    expect(terminal.at(-1)).toMatch(new RegExp(`^${erase}$`)); // erased before the closing summary
    expect(err).toContain('what flowed:');
  });

  test('on real NATS JetStream and mosquitto: MQTT messages reach a real HTTP sink through a Trigger, once each', async () => {
    const sink = await startRecorder();
    const topic = `dev/${process.pid}`;
    const dir = tempFiles({
      'set.yaml': yaml(
        r('EventBus', 'default', { jetstream: { natsURL: sharedBrokerUrl('nats'), streamName: `DEV_${process.pid}` } }),
        r('EventSource', 'sensors', { eventBus: 'default', mqtt: { reading: { url: sharedBrokerUrl('mosquitto').replace('mqtt://', 'tcp://'), topic } } }),
        r('Trigger', 'hot', { eventBus: 'default', inputs: { reading: { eventSource: 'sensors', event: 'reading' } }, subscribers: [{ condition: 'reading.data.celsius > 30', sink: { uri: sink.url } }] }),
      ),
    });
    const running = runCli('dev', '-f', join(dir, 'set.yaml'), '--for', '5s');
    try {
      const publisher = await mqtt.connectAsync(sharedBrokerUrl('mosquitto'), { clientId: `dev-test-${process.pid}` });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // dev connects its source and subscriptions
      for (let i = 0; i < 10; i++) await publisher.publishAsync(topic, JSON.stringify({ n: i, celsius: i % 2 === 0 ? 35 : 20 }), { qos: 1 });
      await publisher.endAsync();
      await eventually(() => sink.requests.length >= 5, 'five hot readings at the sink');
      const result = await running;
      expect(result.code).toBe(0);
      expect(result.err).toContain(`bus default/default: jetstream (reachable)`);
      expect(sink.requests.map((q) => JSON.parse(q.body.toString()).n).sort((a: number, b: number) => a - b)).toEqual([0, 2, 4, 6, 8]);
      expect(new Set(sink.requests.map((q) => q.headers['ce-id'])).size).toBe(5);
      expect(sink.requests[0]!.headers).toMatchObject({ 'ce-type': 'io.openfunction.events.mqtt', 'ce-ofntrigger': 'hot', 'ce-ofncondition': 'reading.data.celsius > 30' });
    } finally {
      await running.catch(() => undefined);
      await sink.close();
    }
  });

  test('the built CLI runs a broker-backed Trigger on its own thread: deliveries, display lines and counts come back', async () => {
    const sink = await startRecorder();
    const topic = `dev-thread/${process.pid}`;
    const dir = tempFiles({
      'set.yaml': yaml(
        r('EventBus', 'default', { jetstream: { natsURL: sharedBrokerUrl('nats'), streamName: `DEVT_${process.pid}` } }),
        r('EventSource', 'probes', { eventBus: 'default', mqtt: { reading: { url: sharedBrokerUrl('mosquitto'), topic } } }),
        r('Trigger', 'hot', {
          eventBus: 'default',
          inputs: { reading: { eventSource: 'probes', event: 'reading' } },
          subscribers: [{ condition: 'reading.data.celsius > 30', sink: { uri: sink.url } }, { condition: 'reading', sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'display' } } }],
        }),
      ),
    });
    const child = spawn(process.execPath, ['dist/cli/main.js', 'dev', '-f', join(dir, 'set.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let [out, err] = ['', ''];
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually(() => err.includes('Ctrl-C to stop'), 'dev to start');
      expect(err).toContain('Trigger/default/hot: on its own worker thread');
      const publisher = await mqtt.connectAsync(sharedBrokerUrl('mosquitto'), { clientId: `dev-thread-test-${process.pid}` });
      for (let i = 0; i < 10; i++) await publisher.publishAsync(topic, JSON.stringify({ n: i, celsius: i % 2 === 0 ? 35 : 20 }), { qos: 1 });
      await publisher.endAsync();
      await eventually(() => sink.requests.length >= 5 && (out.match(/☁ {2}Trigger\/default\/hot subscriber 1/g) ?? []).length >= 10, 'deliveries and display lines');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(sink.requests.map((q) => JSON.parse(q.body.toString()).n).sort((a: number, b: number) => a - b)).toEqual([0, 2, 4, 6, 8]);
      // The worker's counters, merged into dev's closing summary.
      expect(err).toContain('  Trigger/default/hot: 10 in');
      expect(err).toContain('  Trigger/default/hot subscriber 0: 5 delivered');
      expect(err).toContain('  Trigger/default/hot subscriber 1: 10 delivered');
    } finally {
      child.kill('SIGKILL');
      await sink.close();
    }
  });

  test('a bus that cannot take a topic stops dev with an error naming the stream that has it', async () => {
    const set = (stream: string) => yaml(
      r('EventBus', 'default', { jetstream: { natsURL: sharedBrokerUrl('nats'), streamName: stream } }),
      r('EventSource', 'gauges', { eventBus: 'default', cron: { tick: { schedule: '@every 1h' } } }),
      r('Trigger', 'watch', { eventBus: 'default', inputs: { tick: { eventSource: 'gauges', event: 'tick' } }, subscribers: [{ condition: 'tick', sink: { uri: 'http://127.0.0.1:1/' } }] }),
    );
    const dir = tempFiles({ 'first.yaml': set(`FIRST_${process.pid}`), 'second.yaml': set(`SECOND_${process.pid}`) });
    expect((await runCli('dev', '-f', join(dir, 'first.yaml'), '--for', '10ms')).code).toBe(0);
    const second = await runCli('dev', '-f', join(dir, 'second.yaml'), '--for', '10ms');
    expect(second.code).toBe(1);
    expect(second.err.at(-1)).toBe(`error: cannot start: JetStream stream "SECOND_${process.pid}" cannot take topic "default-gauges-tick": stream "FIRST_${process.pid}" already captures it (set streamName to "FIRST_${process.pid}", or delete that stream)`);
  });

  test('an unreachable bus falls back to memory and says why', async () => {
    const dir = tempFiles({ 'set.yaml': yaml(r('EventBus', 'default', { jetstream: { natsURL: 'nats://127.0.0.1:1' } }), r('EventSource', 'clock', { eventBus: 'default', cron: { a: { schedule: '@every 1h' } } })) });
    const result = await runCli('dev', '-f', join(dir, 'set.yaml'), '--for', '10ms');
    expect(result.err.find((l) => l.startsWith('bus default/default:'))).toMatch(/^bus default\/default: unreachable \(.+\); using the in-memory bus$/);
  });
});

describe('the quickstart command', () => {
  const run = (args: string[]) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', 'dev', '-f', 'manifests/samples/quickstart.yaml', '--bus', 'memory', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { child, exited, out: () => out, err: () => err };
  };

  test('shows events flowing through the condition and exits 0 after --for', async () => {
    const q = run(['--for', '4s']);
    expect(await q.exited).toBe(0);
    expect(q.out()).toContain('type io.openfunction.events.trigger.fired');
    expect(q.err()).toContain('what flowed:');
  });

  test('Ctrl-C drains and exits 0', async () => {
    const q = run([]);
    await eventually(() => q.err().includes('Ctrl-C to stop'), 'dev to start');
    q.child.kill('SIGINT');
    expect(await q.exited).toBe(0);
    expect(q.err()).toContain('draining…');
  });
});
