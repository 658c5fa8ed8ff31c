// `npm run package` output (npm test packages first): each function's bundle passes `node --check`, loads from a
// directory with no node_modules, and serves the Dapr app contract.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeConfig } from '../../lib/config/encoding.js';
import { freePort } from '../support/brokers.js';
import { startFakeKube } from '../support/fake-kube.js';
import { request } from '../support/http.js';
import { eventually } from '../support/local.js';

const FUNCTIONS = ['eventsource-handler', 'trigger-handler', 'controller'] as const;

/** The bundle, copied where no node_modules can be found. */
function isolated(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ofn-events-bundle-${name}-`));
  cpSync(join('build', 'functions', name), dir, { recursive: true });
  return dir;
}

async function serve(dir: string, env: Record<string, string>, ready: (url: string) => Promise<boolean>) {
  const port = await freePort();
  const child = spawn(process.execPath, ['index.mjs'], { cwd: dir, env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await eventually(async () => ready(url), `the bundle to serve (${logs.slice(-300)})`, 20_000);
  } finally {
    child.kill('SIGTERM');
  }
  // SIGTERM drains and exits 0, even straight after start (the controller may still be opening its watches).
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running 10 s after SIGTERM'), 10_000).unref())]);
  if (code !== 0) child.kill('SIGKILL');
  expect([code, logs.includes('"stopped"')]).toEqual([0, true]);
}

describe('function bundles', () => {
  test.each(FUNCTIONS)('%s: a package.json without dependencies, a Procfile, and an entry that passes node --check', (name) => {
    const dir = join('build', 'functions', name);
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect([pkg.main, pkg.dependencies, pkg.devDependencies]).toEqual(['index.mjs', undefined, undefined]);
    expect(readFileSync(join(dir, 'Procfile'), 'utf8')).toBe('web: node index.mjs\n');
    execFileSync(process.execPath, ['--check', join(dir, 'index.mjs')]);
  });

  test('eventsource-handler: loads without node_modules and answers the binding probe and health', async () => {
    const dir = isolated('eventsource-handler');
    await serve(dir, {
      FUNC_CONTEXT: JSON.stringify({ name: 'esw', runtime: 'Async', inputs: { 'esi-tick': { componentName: 'serving-1-bindings-esc-cron-tick-x', componentType: 'bindings.cron' } }, outputs: { 'ebo-es': { uri: 'default-es-tick', componentName: 'bus', componentType: 'pubsub.jetstream' } } }),
      CONFIG: encodeConfig({ eventBusOutputName: 'ebo-es', namespace: 'default', eventSource: 'es', event: 'tick', sourceKind: 'cron' }),
    }, async (url) => (await request(`${url}/serving-1-bindings-esc-cron-tick-x`, 'OPTIONS')).status === 200 && (await request(`${url}/healthz`, 'GET')).status === 200);
  });

  test('trigger-handler: loads without node_modules and lists its subscriptions', async () => {
    const dir = isolated('trigger-handler');
    await serve(dir, {
      FUNC_CONTEXT: JSON.stringify({ name: 't', runtime: 'Async', inputs: { 'ti-default-es-a': { uri: 'default-es-a', componentName: 'ebft-t', componentType: 'pubsub.jetstream' } } }),
      CONFIG: encodeConfig({ trigger: 't', namespace: 'default', inputs: [{ name: 'a', eventSource: 'es', event: 'a' }], subscribers: [{ condition: 'a' }] }),
    }, async (url) => JSON.parse((await request(`${url}/dapr/subscribe`, 'GET')).body)[0]?.topic === 'default-es-a');
  });

  test('controller: loads without node_modules, reconciles, and answers its resync binding', async () => {
    const fake = await startFakeKube();
    const dir = isolated('controller');
    writeFileSync(join(dir, 'kubeconfig'), fake.kubeConfig.exportConfig());
    try {
      await serve(dir, {
        KUBECONFIG: join(dir, 'kubeconfig'),
        FUNC_CONTEXT: JSON.stringify({ name: 'controller', runtime: 'Async', inputs: { resync: { componentName: 'serving-1-bindings-resync-a', componentType: 'bindings.cron' } } }),
      }, async (url) => (await request(`${url}/serving-1-bindings-resync-a`, 'OPTIONS')).status === 200 && fake.requests.some((r) => r.path.startsWith('/apis/events.openfunction.io/v1alpha1/eventsources')));
    } finally {
      await fake.close();
    }
  });
});
