// Every sample of upstream's user guide validates, alone and as the scenario files in manifests/samples/upstream.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isOurs, parseResource, validateSet } from '../../../lib/api/index.js';
import { englishSampleNames, referenceSamples } from '../../support/reference.js';

const samples = referenceSamples().filter((s) => isOurs(s.doc));
const nameOf = (doc: Record<string, unknown>) => `${String(doc.kind)}/${String((doc.metadata as { name: string }).name)}`;

describe('upstream user guide samples', () => {
  test('the guide has samples of every kind, and all the English guide shows', () => {
    expect(new Set(samples.map((s) => s.doc.kind))).toEqual(new Set(['EventSource', 'EventBus', 'ClusterEventBus', 'Trigger']));
    const found = new Set(samples.map((s) => nameOf(s.doc)));
    expect(englishSampleNames().filter((name) => !found.has(name))).toEqual([]);
  });

  test.each(samples.map((s) => [`line ${s.line}: ${nameOf(s.doc)}`, s.doc] as const))('%s validates', (_name, doc) => {
    const result = parseResource(doc);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  const dir = join('manifests', 'samples', 'upstream');
  test.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('scenario %s validates as a set, with no errors', (file) => {
    const documents = parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d, i) => ({ file, index: i + 1, doc: d.toJS() }));
    const report = validateSet(documents);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Only NATS Streaming's end-of-life notice may be left: every reference resolves within the scenario.
    expect(report.findings.filter((f) => !f.message.startsWith('NATS Streaming is end of life'))).toEqual([]);
    expect(report.resources.length).toBe(documents.length);
  });
});
