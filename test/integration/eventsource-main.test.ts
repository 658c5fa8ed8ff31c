// The built entry point as OpenFunction runs it: env FUNC_CONTEXT, CONFIG, PORT and DAPR_*; a binding event as
// daprd sends it; the publish it makes to the sidecar; JSON logs; and a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { encodeConfig } from '../../lib/config/encoding.js';
import { freePort } from '../support/brokers.js';
import { request, startRecorder } from '../support/http.js';
import { eventually } from '../support/local.js';

const main = 'dist/functions/eventsource-handler/main.js';

test('eventsource-handler main: serves, publishes a CloudEvent through the sidecar, drains on SIGTERM', async () => {
  expect(existsSync(main)).toBe(true); // `npm test` builds first
  // The handler's extended-metadata PUT (the Dapr dashboard's description) is not what these tests check.
  const sidecar = await startRecorder(204, 0, (path) => path.startsWith('/v1.0/metadata/'));
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(port),
      DAPR_HOST: '127.0.0.1',
      DAPR_HTTP_PORT: String(sidecar.port),
      FUNC_CONTEXT: JSON.stringify({
        name: 'esw-my-es-cron-tick', version: 'v1.0.0', runtime: 'Async',
        inputs: { 'esi-tick': { uri: 'esc-cron-tick', componentName: 'serving-1-bindings-esc-cron-tick-x', componentType: 'bindings.cron' } },
        outputs: { 'ebo-my-es': { uri: 'default-my-es-tick', componentName: 'serving-1-pubsub-ebfes-my-es-y', componentType: 'pubsub.jetstream' } },
      }),
      CONFIG: encodeConfig({ eventBusOutputName: 'ebo-my-es', eventBusTopic: 'default-my-es-tick', logLevel: '2', namespace: 'default', eventSource: 'my-es', event: 'tick', sourceKind: 'cron' }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await eventually(() => logs.includes('"msg":"serving"'), 'the host to listen');
    const response = await request(`http://127.0.0.1:${port}/serving-1-bindings-esc-cron-tick-x`, 'POST', '', { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    const [publish] = await sidecar.waitFor(1);
    expect(publish!.path).toBe('/v1.0/publish/serving-1-pubsub-ebfes-my-es-y/default-my-es-tick');
    expect(JSON.parse(publish!.body.toString())).toMatchObject({ specversion: '1.0', type: 'io.openfunction.events.cron', source: '/apis/events.openfunction.io/v1alpha1/namespaces/default/eventsources/my-es/events/tick' });
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.some((l) => l.msg.startsWith('event ') && l.msg.includes('io.openfunction.events.cron') && l.level === 20)).toBe(true); // logLevel "2": per-event debug lines
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs).toContain('"msg":"stopped"');
  } finally {
    child.kill('SIGKILL');
    await sidecar.close();
  }
});

test('eventsource-handler main: a bad CONFIG is reported as a JSON log line and exit status 1', async () => {
  const child = spawn(process.execPath, [main], { env: { ...process.env, FUNC_CONTEXT: JSON.stringify({ name: 'f', runtime: 'Async' }), CONFIG: 'e30=' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  const line = JSON.parse(out.trim().split('\n').pop()!) as { msg: string; reason: string };
  expect(line.msg).toBe('cannot start');
  expect(line.reason).toMatch(/^eventsource-handler: env CONFIG: namespace: required/);
});
