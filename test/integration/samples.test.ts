// Every sample in manifests/samples is accepted by validate, render, graph and dev. dev runs the samples whose
// sources this machine can reach (cron, and brokers the tests start); Kafka samples point at a cluster's Kafka,
// which cannot run here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

const samples = ['manifests/samples/upstream', 'manifests/samples/simulate', 'manifests/samples']
  .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f)));

describe('samples', () => {
  test.each(samples)('%s: validate, render and graph accept it', async (file) => {
    expect((await runCli('validate', '-f', file)).code).toBe(0);
    const render = await runCli('render', '-f', file);
    expect([render.code, render.err.filter((l) => / Error /.test(l))]).toEqual([0, []]);
    expect((await runCli('graph', '-f', file)).code).toBe(0);
  });

  test.each(samples.filter((f) => !readFileSync(f, 'utf8').includes('kafka:')))('%s: dev runs it in memory', async (file) => {
    const result = await runCli('dev', '-f', file, '--bus', 'memory', '--for', '50ms');
    // A source whose broker is a cluster address cannot run here: dev waits for it, says why, and exits 1 naming it
    // in the summary; cron-only samples run whole and exit 0.
    const cronOnly = !/\b(mqtt|redis):/.test(readFileSync(file, 'utf8'));
    const neverRan = result.err.filter((l) => l.includes('NEVER RAN'));
    if (cronOnly) expect([result.code, neverRan]).toEqual([0, []]);
    else {
      expect(result.code).toBe(1);
      expect(neverRan.length).toBeGreaterThan(0);
      expect(neverRan.every((l) => /^ {2}EventSource\/\S+: NEVER RAN: .+/.test(l))).toBe(true);
    }
  });
});
