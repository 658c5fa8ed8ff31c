// `ofn-events dev --runtime dapr`: the quickstart as a cluster runs it, each Function behind a real daprd, shown
// firing and summed up; and what it says when it cannot run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedBrokerUrl } from '../support/brokers.js';
import { runCli, tempFiles } from '../support/cli.js';

test('the quickstart fires through real sidecars into the event display, and the summary counts it', async () => {
  const quickstart = readFileSync(join('manifests', 'samples', 'quickstart.yaml'), 'utf8').replace(/natsURL: .*/, `natsURL: ${sharedBrokerUrl('nats')}`);
  const dir = tempFiles({ 'quickstart.yaml': quickstart });
  const result = await runCli('dev', '--runtime', 'dapr', '-f', join(dir, 'quickstart.yaml'), '--for', '9s');
  expect([result.code, result.code === 0 ? '' : result.err.join('\n')]).toEqual([0, '']);
  expect(result.err.some((l) => l.startsWith('runtime: Dapr ('))).toBe(true);
  expect(result.err).toContain(`JetStream at ${sharedBrokerUrl('nats')}: stream OFN_EVENTS captures default-clock-every-three, default-clock-every-two`);
  expect(result.out.filter((l) => l.startsWith('☁  Trigger/default/together subscriber 0')).length).toBeGreaterThan(0);
  expect(result.out.some((l) => l.includes('type io.openfunction.events.trigger.fired'))).toBe(true);
  expect(result.err.some((l) => /^ {2}Trigger\/default\/together subscriber 0: [1-9]\d* delivered$/.test(l))).toBe(true);
  expect(result.err.some((l) => /^ {2}EventSource\/default\/clock\/every-two → bus: [1-9]\d* published$/.test(l))).toBe(true);
}, 60_000);

test('without a daprd it says where to get one; --bus does not apply', async () => {
  const dir = tempFiles({ 'q.yaml': readFileSync(join('manifests', 'samples', 'quickstart.yaml'), 'utf8') });
  const missing = await runCli('dev', '--runtime', 'dapr', '--daprd', '/nonexistent/daprd', '-f', join(dir, 'q.yaml'), '--for', '1s');
  expect(missing.code).toBe(1);
  expect(missing.err).toContain('error: cannot start: --daprd: no file at /nonexistent/daprd');
  const bus = await runCli('dev', '--runtime', 'dapr', '--bus', 'memory', '-f', join(dir, 'q.yaml'));
  expect(bus.code).toBe(2);
  expect(bus.err[0]).toMatch(/--bus applies to the local runtime/);
});
