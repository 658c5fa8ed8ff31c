// The CLI as a shell pipes it (`ofn-events render … | kubectl apply -f -`): output larger than a pipe's buffer
// reaches a slow reader whole before the process exits.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tempFiles } from '../support/cli.js';

test('render of 400 EventSources into a pipe read late arrives whole, and the exit code says so', async () => {
  const docs = Array.from({ length: 400 }, (_, i) => stringify({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name: `es-${i}` }, spec: { sink: { uri: `http://sink-${i}.default.svc/` }, cron: { tick: { schedule: '@every 5s' } } } }));
  const dir = tempFiles({ 'many.yaml': docs.join('---\n') });
  const child = spawn(process.execPath, ['dist/cli/main.js', 'render', '-f', join(dir, 'many.yaml'), '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  // A slow reader: nothing is read for a while, so the pipe fills and the writer must wait.
  child.stdout.pause();
  await new Promise((r) => setTimeout(r, 1000));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const out = Buffer.concat(chunks).toString('utf8');
  expect(out.length).toBeGreaterThan(256 * 1024);
  expect(code).toBe(0);
  expect((JSON.parse(out) as { items: unknown[] }).items).toHaveLength(400);
}, 60_000);
