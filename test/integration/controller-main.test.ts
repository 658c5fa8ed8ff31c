// The built controller as OpenFunction runs it: its Dapr cron binding's resync tick (a POST daprd sends) and its
// watch drive reconciles against the API server named by KUBECONFIG (here, the fake).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/brokers.js';
import { startFakeKube } from '../support/fake-kube.js';
import { request } from '../support/http.js';
import { eventually } from '../support/local.js';

test('controller main: reconciles on start, serves the resync binding, exits 0 on SIGTERM', async () => {
  const main = 'dist/functions/controller/main.js';
  expect(existsSync(main)).toBe(true); // `npm test` builds first
  const fake = await startFakeKube();
  const EVENTS = 'events.openfunction.io/v1alpha1';
  fake.put('eventbuses', { apiVersion: EVENTS, kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { jetstream: { natsURL: 'nats://nats:4222' } } });
  fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'shop', namespace: 'default' }, spec: { eventBus: 'default', cron: { tick: { schedule: '@every 5s' } } } });
  const dir = mkdtempSync(join(tmpdir(), 'ofn-events-kubeconfig-'));
  writeFileSync(join(dir, 'config'), fake.kubeConfig.exportConfig());
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env, KUBECONFIG: join(dir, 'config'), PORT: String(port), DAPR_HTTP_PORT: '1',
      FUNC_CONTEXT: JSON.stringify({ name: 'openfunction-events-controller', runtime: 'Async', inputs: { resync: { uri: 'resync', componentName: 'serving-1-bindings-resync-a', componentType: 'bindings.cron' } } }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await eventually(() => fake.list('core.openfunction.io/v1beta2', 'functions').length === 1, 'the first reconcile');
    fake.remove('core.openfunction.io/v1beta2', 'functions', 'default', 'esw-shop-cron-tick'); // no watch event: only the resync tick can repair it
    expect((await request(`http://127.0.0.1:${port}/serving-1-bindings-resync-a`, 'POST', '', { 'content-type': 'application/json' })).status).toBe(200);
    await eventually(() => fake.list('core.openfunction.io/v1beta2', 'functions').length === 1, 'the resync to repair it');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs).toContain('"msg":"reconciled"');
  } finally {
    child.kill('SIGKILL');
    await fake.close();
  }
});
