// `npm run package` output (npm test packages first): each function's package is what OpenFunction's builder-node
// builds — `npm ci` with NODE_ENV=production and Node 16.15's own npm, an entry that passes `node --check`, a
// Procfile web process — and runs, on builder-node's Node 16.15 and on Node 20, from a directory with no
// node_modules, serving the Dapr app contract; the handlers built that way then run the quickstart behind real daprd.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findNode16Npm } from '../../runtime/peers.js';
import { encodeConfig } from '../../lib/config/encoding.js';
import { freePort } from '../support/brokers.js';
import { startFakeKube } from '../support/fake-kube.js';
import { sharedBrokerUrl } from '../support/brokers.js';
import { daprPeers, runOnDapr } from '../support/dapr.js';
import { request, startRecorder } from '../support/http.js';
import { eventually } from '../support/local.js';

const FUNCTIONS = ['eventsource-handler', 'trigger-handler', 'controller'] as const;

/** The bundle, copied where no node_modules can be found. */
function isolated(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ofn-events-bundle-${name}-`));
  cpSync(join('build', 'functions', name), dir, { recursive: true });
  return dir;
}

const { node16 } = daprPeers();
const NODES = [['Node 20', process.execPath], ['Node 16.15', node16]] as const;

async function serve(node: string, dir: string, env: Record<string, string>, ready: (url: string) => Promise<boolean>) {
  const port = await freePort();
  const child = spawn(node, ['index.mjs'], { cwd: dir, env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  test.each(FUNCTIONS)('%s: what builder-node does succeeds: npm ci (production, Node 16.15\'s npm), node --check, a Procfile web process', (name) => {
    const dir = isolated(name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect([pkg.main, pkg.dependencies, pkg.devDependencies]).toEqual(['index.mjs', undefined, undefined]);
    expect(readFileSync(join(dir, 'Procfile'), 'utf8')).toBe('web: node index.mjs\n');
    builderNodeBuild(dir);
    for (const [, node] of NODES) execFileSync(node, ['--check', join(dir, 'index.mjs')]);
  });

  test.each(NODES)('eventsource-handler on %s: loads without node_modules and answers the binding probe and health', async (_, node) => {
    const dir = isolated('eventsource-handler');
    await serve(node, dir, {
      FUNC_CONTEXT: JSON.stringify({ name: 'esw', runtime: 'Async', inputs: { 'esi-tick': { componentName: 'serving-1-bindings-esc-cron-tick-x', componentType: 'bindings.cron' } }, outputs: { 'ebo-es': { uri: 'default-es-tick', componentName: 'bus', componentType: 'pubsub.jetstream' } } }),
      CONFIG: encodeConfig({ eventBusOutputName: 'ebo-es', namespace: 'default', eventSource: 'es', event: 'tick', sourceKind: 'cron' }),
    }, async (url) => (await request(`${url}/serving-1-bindings-esc-cron-tick-x`, 'OPTIONS')).status === 200 && (await request(`${url}/healthz`, 'GET')).status === 200);
  });

  test.each(NODES)('trigger-handler on %s: loads without node_modules and lists its subscriptions', async (_, node) => {
    const dir = isolated('trigger-handler');
    await serve(node, dir, {
      FUNC_CONTEXT: JSON.stringify({ name: 't', runtime: 'Async', inputs: { 'ti-default-es-a': { uri: 'default-es-a', componentName: 'ebft-t', componentType: 'pubsub.jetstream' } } }),
      CONFIG: encodeConfig({ trigger: 't', namespace: 'default', inputs: [{ name: 'a', eventSource: 'es', event: 'a' }], subscribers: [{ condition: 'a' }] }),
    }, async (url) => JSON.parse((await request(`${url}/dapr/subscribe`, 'GET')).body)[0]?.topic === 'default-es-a');
  });

  test.each(NODES)('controller on %s: loads without node_modules, reconciles, and answers its resync binding', async (_, node) => {
    const fake = await startFakeKube();
    const dir = isolated('controller');
    writeFileSync(join(dir, 'kubeconfig'), fake.kubeConfig.exportConfig());
    try {
      await serve(node, dir, {
        KUBECONFIG: join(dir, 'kubeconfig'),
        FUNC_CONTEXT: JSON.stringify({ name: 'controller', runtime: 'Async', inputs: { resync: { componentName: 'serving-1-bindings-resync-a', componentType: 'bindings.cron' } } }),
      }, async (url) => (await request(`${url}/serving-1-bindings-resync-a`, 'OPTIONS')).status === 200 && fake.requests.some((r) => r.path.startsWith('/apis/events.openfunction.io/v1alpha1/eventsources')));
    } finally {
      await fake.close();
    }
  });

  test('the handlers as builder-node builds them run the quickstart on Node 16.15 behind real daprd', async () => {
    const built = new Map((['eventsource-handler', 'trigger-handler'] as const).map((h) => {
      const dir = isolated(h);
      builderNodeBuild(dir);
      return [h, dir];
    }));
    const sink = await startRecorder(200);
    const quickstart = readFileSync(join('manifests', 'samples', 'quickstart.yaml'), 'utf8').replace(/natsURL: .*/, `natsURL: ${sharedBrokerUrl('nats')}`);
    // The Procfile's web process, as the buildpack's launcher runs it.
    const run = await runOnDapr(quickstart, { sinks: new Map([['display', sink.url]]), packageCommand: (h) => ({ command: node16, args: procfileArgs(built.get(h)!), cwd: built.get(h)! }) });
    try {
      const [fired] = await sink.waitFor(1, 30_000);
      expect(fired!.headers).toMatchObject({ 'ce-type': 'io.openfunction.events.trigger.fired', 'ce-ofntrigger': 'together', 'ce-ofncondition': 'two && three' });
    } finally {
      await run.stop();
      await sink.close();
    }
  }, 120_000);
});

/** builder-node's npm step (runtime-contract §3.2): `npm ci --quiet`, NODE_ENV=production, with Node 16.15's npm. */
function builderNodeBuild(dir: string): void {
  const npm = findNode16Npm();
  if (!npm) throw new Error('no npm for Node 16.15: run `npm run peers` (scripts/peers.sh node16)');
  execFileSync(node16, [npm, 'ci', '--quiet', '--no-audit', '--no-fund', '--offline'], {
    cwd: dir,
    env: { PATH: `${dirname(node16)}:${process.env.PATH ?? ''}`, NODE_ENV: 'production', HOME: dir, npm_config_cache: join(dir, '.npm') },
    stdio: 'pipe',
  });
}

/** The arguments of the Procfile's `web: node …` line. */
function procfileArgs(dir: string): string[] {
  const web = /^web:\s*node\s+(.*)$/m.exec(readFileSync(join(dir, 'Procfile'), 'utf8'));
  if (!web) throw new Error(`${dir}/Procfile has no "web: node …" line`);
  return web[1]!.trim().split(/\s+/);
}
