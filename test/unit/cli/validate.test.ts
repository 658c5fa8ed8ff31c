import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { makeEventBus, makeEventSource, makeTrigger } from '../../support/builders.js';
import { runCli, tempFiles } from '../../support/cli.js';

const yaml = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');

describe('ofn-events validate', () => {
  test('a valid set exits 0 and says what it checked', async () => {
    const dir = tempFiles({ 'set.yaml': yaml(makeEventBus(), makeEventSource(), makeTrigger()) });
    const result = await runCli('validate', '-f', dir);
    expect(result).toEqual({ code: 0, out: [], err: ['3 resources checked: 0 errors, 0 warnings'] });
  });

  test('warnings alone exit 0', async () => {
    const dir = tempFiles({ 't.yaml': yaml(makeTrigger()) });
    const result = await runCli('validate', '-f', join(dir, 't.yaml'));
    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(2);
    expect(result.out[0]).toBe(`${join(dir, 't.yaml')}:1 Trigger/my-trigger: spec.eventBus: warning: no EventBus "default" in namespace "default" nor ClusterEventBus "default" in this set; it must exist in the cluster`);
  });

  test('errors exit 1, one line per problem: file:document kind/name: field.path: message', async () => {
    const dir = tempFiles({
      'a.yaml': yaml(makeEventBus(), makeEventSource({ spec: { cron: { tick: { schedule: undefined, shedule: '@every 5s' } } } })),
      'b.yml': yaml(makeTrigger({ spec: { inputs: { tick: { eventSource: 'other', event: 'x' } }, subscribers: [{ condition: 'tick' }] } })),
      'notes.txt': 'not a resource file',
    });
    const result = await runCli('validate', '-f', dir, '--namespace', 'default');
    const rel = (f: string) => join(dir, f);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      `${rel('a.yaml')}:2 EventSource/my-es: spec.cron["tick"].schedule: required`,
      `${rel('a.yaml')}:2 EventSource/my-es: spec.cron["tick"].shedule: unknown field; did you mean "schedule"?`,
      `${rel('b.yml')}:1 Trigger/my-trigger: spec.subscribers[0]: set sink, topic or both: matching events need somewhere to go`,
      `${rel('b.yml')}:1 Trigger/my-trigger: spec.inputs["tick"].eventSource: warning: no EventSource "other" in namespace "default" in this set; it must exist in the cluster`,
    ]);
    expect(result.err).toEqual(['3 resources checked: 3 errors, 1 warning']);
  });

  test('several -f, and documents of other kinds skipped', async () => {
    const dir = tempFiles({ 'bus.yaml': yaml(makeEventBus()), 'es.yaml': yaml(makeEventSource(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }) });
    const result = await runCli('validate', '-f', join(dir, 'bus.yaml'), '-f', join(dir, 'es.yaml'));
    expect(result).toEqual({ code: 0, out: [], err: ['2 resources checked: 0 errors, 0 warnings, 1 other document skipped'] });
  });

  test.each([
    ['no -f', ['validate'], 'ofn-events: validate needs at least one -f <file or dir>'],
    ['a missing file', ['validate', '-f', 'does-not-exist.yaml'], 'ofn-events: does-not-exist.yaml: no such file or directory'],
    ['an unknown option', ['validate', '--fiel', 'x'], "ofn-events: Unknown option '--fiel'"],
    ['an unknown command', ['valdate'], 'ofn-events: unknown command "valdate"'],
  ])('usage errors exit 2: %s', async (_name, argv, message) => {
    const result = await runCli(...argv);
    expect(result.code).toBe(2);
    expect(result.err[0]?.startsWith(message)).toBe(true);
    expect(result.err[1]).toBe("Run 'ofn-events --help' for usage.");
  });

  test('a file that is not YAML exits 2 with where it broke', async () => {
    const dir = tempFiles({ 'broken.yaml': 'spec:\n  a: [1, 2\n' });
    const result = await runCli('validate', '-f', join(dir, 'broken.yaml'));
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/broken\.yaml:\d+:\d+: not valid YAML: /);
  });

  test('help goes to stdout and exits 0', async () => {
    const result = await runCli('validate', '--help');
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^Usage: ofn-events validate -f/);
  });
});

describe('ofn-events binary', () => {
  const bin = join('dist', 'cli', 'main.js');

  test('runs with plain node after the build, with the exit codes of the command', () => {
    expect(existsSync(bin)).toBe(true); // `npm test` builds first; run `npm run build` when running jest alone
    const ok = spawnSync(process.execPath, [bin, 'validate', '-f', 'manifests/samples/upstream/01-sink.yaml'], { encoding: 'utf8' });
    expect([ok.status, ok.stderr.trim()]).toEqual([0, '1 resource checked: 0 errors, 0 warnings']);
    const dir = tempFiles({ 'bad.yaml': 'apiVersion: events.openfunction.io/v1alpha1\nkind: EventBus\nmetadata: {name: b}\nspec: {}\n' });
    const bad = spawnSync(process.execPath, [bin, 'validate', '-f', dir], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('EventBus/b: spec: set one bus backend');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('is declared as the package bin', () => {
    const pkg = JSON.parse(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("fs").readFileSync("package.json","utf8"))'], { encoding: 'utf8' })) as { bin: Record<string, string> };
    expect(pkg.bin['ofn-events']).toBe('dist/cli/main.js');
  });
});
