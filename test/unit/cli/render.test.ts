import { join } from 'node:path';
import { stringify } from 'yaml';
import { makeEventBus, makeEventSource, makeTrigger } from '../../support/builders.js';
import { runCli, tempFiles } from '../../support/cli.js';

const yaml = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');

describe('ofn-events render', () => {
  test('-o json prints one List of Functions; the status lines go to stderr; exit 0 when all plan', async () => {
    const dir = tempFiles({ 'set.yaml': yaml(makeEventBus(), makeEventSource(), makeTrigger()) });
    const result = await runCli('render', '-f', join(dir, 'set.yaml'), '-o', 'json', '--namespace', 'team');
    const list = JSON.parse(result.out.join('\n')) as { kind: string; items: Array<{ metadata: { name: string; namespace: string } }> };
    expect([result.code, list.kind, list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)]).toEqual([0, 'List', ['team/esw-my-es-cron-tick', 'team/t-my-trigger']]);
    expect(result.err).toEqual(['EventSource/my-es: Ready when its 1 Function run', 'Trigger/my-trigger: Ready when its 1 Function run']);
  });

  test('a problem exits 1 and names the field', async () => {
    const dir = tempFiles({ 'set.yaml': yaml(makeEventSource()) });
    const result = await runCli('render', '-f', dir);
    expect(result.code).toBe(1);
    expect(result.err).toEqual(['EventSource/my-es: Error EventBusNotFound: spec.eventBus: no EventBus "default" in namespace "default" and no ClusterEventBus "default"']);
    expect(result.out).toEqual(['']);
  });

  test('-o must be yaml or json', async () => {
    const result = await runCli('render', '-f', 'manifests/samples/upstream/01-sink.yaml', '-o', 'xml');
    expect([result.code, result.err[0]]).toEqual([2, 'ofn-events: -o: expected yaml or json, got "xml"']);
  });
});
