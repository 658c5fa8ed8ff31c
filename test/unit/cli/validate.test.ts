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
    expect(result.out[0]).toBe(`${join(dir, 't.yaml')}:6:3 Trigger/my-trigger (document 1): spec.eventBus: warning: no EventBus "default" in namespace "default" nor ClusterEventBus "default" in this set; it must exist in the cluster`);
  });

  test('errors exit 1, one line per problem: file:line:column kind/name (document n): field.path: message', async () => {
    const dir = tempFiles({
      'a.yaml': yaml(makeEventBus(), makeEventSource({ spec: { cron: { tick: { schedule: undefined, shedule: '@every 5s' } } } })),
      'b.yml': yaml(makeTrigger({ spec: { inputs: { tick: { eventSource: 'other', event: 'x' } }, subscribers: [{ condition: 'tick' }] } })),
      'notes.txt': 'not a resource file',
    });
    const result = await runCli('validate', '-f', dir, '--namespace', 'default');
    const rel = (f: string) => join(dir, f);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      `${rel('a.yaml')}:16:5 EventSource/my-es (document 2): spec.cron["tick"].schedule: required`,
      `${rel('a.yaml')}:17:7 EventSource/my-es (document 2): spec.cron["tick"].shedule: unknown field; did you mean "schedule"?`,
      `${rel('b.yml')}:12:7 Trigger/my-trigger (document 1): spec.subscribers[0]: set sink, topic or both: matching events need somewhere to go`,
      `${rel('b.yml')}:9:7 Trigger/my-trigger (document 1): spec.inputs["tick"].eventSource: warning: no EventSource "other" in namespace "default" in this set; it must exist in the cluster`,
    ]);
    expect(result.err).toEqual(['3 resources checked: 3 errors, 1 warning']);
  });

  test('several -f, and documents of other kinds skipped', async () => {
    const dir = tempFiles({ 'bus.yaml': yaml(makeEventBus()), 'es.yaml': yaml(makeEventSource(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }) });
    const result = await runCli('validate', '-f', join(dir, 'bus.yaml'), '-f', join(dir, 'es.yaml'));
    expect(result).toEqual({ code: 0, out: [], err: [`skipped ${join(dir, 'es.yaml')}:2 ConfigMap/x (v1): not an events.openfunction.io resource`, '2 resources checked: 0 errors, 0 warnings, 1 other document skipped'] });
  });

  test('one of our kinds under a mistyped API group is an error naming the right one, not a silent skip', async () => {
    const dir = tempFiles({ 't.yaml': yaml({ ...makeTrigger(), apiVersion: 'event.openfunction.io/v1alpha1' }, { ...makeEventSource(), apiVersion: 'argoproj.io/v1alpha1' }) });
    const result = await runCli('validate', '-f', join(dir, 't.yaml'));
    expect(result.code).toBe(1);
    expect(result.out).toEqual([`${join(dir, 't.yaml')}:1:1 Trigger/my-trigger (document 1): apiVersion: Trigger belongs to events.openfunction.io/v1alpha1, got "event.openfunction.io/v1alpha1": write apiVersion: events.openfunction.io/v1alpha1`]);
    expect(result.err[0]).toBe(`skipped ${join(dir, 't.yaml')}:2 EventSource/my-es (argoproj.io/v1alpha1): not an events.openfunction.io resource`); // Argo's own kind
  });

  test('did you mean, for EventSource, bus and event names one edit away', async () => {
    const dir = tempFiles({ 's.yaml': yaml(makeEventBus(), makeEventSource(), makeTrigger({ spec: { eventBus: 'defualt', inputs: { tick: { eventSource: 'my-es', event: 'tik' }, tock: { eventSource: 'my-ess', event: 'tick' } } } })) });
    const text = (await runCli('validate', '-f', dir)).out.join('\n');
    expect(text).toContain('no EventBus "defualt" in namespace "default" nor ClusterEventBus "defualt" in this set; did you mean "default"?');
    expect(text).toContain('EventSource "my-es" declares no event "tik"; did you mean "tick"?');
    expect(text).toContain('no EventSource "my-ess" in namespace "default" in this set; did you mean "my-es"?');
  });

  test('a directory of tutorial steps: a resource defined again replaces the earlier one with a warning, no cascade', async () => {
    const dir = tempFiles({
      '1.yaml': yaml(makeEventBus(), makeEventSource({ spec: { cron: { old: { schedule: '@every 5s' } } } })),
      '2.yaml': yaml(makeEventSource(), makeTrigger()),
    });
    const result = await runCli('validate', '-f', dir);
    expect(result.code).toBe(0);
    expect(result.out).toEqual([`${join(dir, '2.yaml')}:4:3 EventSource/my-es (document 1): metadata.name: warning: replaces EventSource/my-es of ${join(dir, '1.yaml')}:12 (the last definition wins, as with kubectl apply)`]);
  });

  test('--strict fails on warnings; -o json carries positions and skipped documents; -f - reads stdin; -f takes comma lists', async () => {
    const dir = tempFiles({ 't.yaml': yaml(makeTrigger()), 'b.yaml': yaml(makeEventBus()), 'es.yaml': yaml(makeEventSource()) });
    expect((await runCli('validate', '-f', join(dir, 't.yaml'))).code).toBe(0);
    const strict = await runCli('validate', '-f', join(dir, 't.yaml'), '--strict');
    expect([strict.code, strict.err.at(-1)]).toEqual([1, '1 resource checked: 0 errors, 2 warnings (--strict: warnings fail)']);
    const json = JSON.parse((await runCli('validate', '-f', join(dir, 't.yaml'), '-o', 'json')).out.join('\n')) as { ok: boolean; findings: Array<{ line: number; column: number; path: string }> };
    expect(json.ok).toBe(true);
    expect(json.findings[0]).toMatchObject({ line: 6, column: 3, path: 'spec.eventBus', severity: 'warning' });
    const { run } = await import('../../../cli/cli.js');
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['validate', '-f', '-', '-f', `${join(dir, 'b.yaml')},${join(dir, 'es.yaml')}`], { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => yaml(makeTrigger()) });
    expect([code, out, err]).toEqual([0, [], ['3 resources checked: 0 errors, 0 warnings']]);
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

  test("the project's own tree passes: samples, tutorial steps, install set", async () => {
    const result = await runCli('validate', '-f', 'manifests');
    expect([result.code, result.out.filter((l) => !l.includes(': warning: '))]).toEqual([0, []]);
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
    expect(bad.stdout).toContain('bad.yaml:4:1 EventBus/b (document 1): spec: set one bus backend');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('is declared as the package bin', () => {
    const pkg = JSON.parse(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("fs").readFileSync("package.json","utf8"))'], { encoding: 'utf8' })) as { bin: Record<string, string> };
    expect(pkg.bin['ofn-events']).toBe('dist/cli/main.js');
  });
});
