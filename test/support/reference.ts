// The sample YAML of upstream's user guide (shared/reference), as documents. The Chinese guide keeps its code
// blocks indented by four spaces with line breaks intact; the English text has them flattened onto one line, so
// it is only used to cross-check that every sample it names is found here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const SHARED = join(process.cwd(), '..', 'shared');

export interface ReferenceSample {
  line: number;
  text: string;
  doc: Record<string, unknown>;
}

/** Every code block of the guide that starts with `apiVersion:`, parsed. */
export function referenceSamples(file = join(SHARED, 'reference', 'openfunction-events-zh.txt')): ReferenceSample[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const samples: ReferenceSample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^ {4}apiVersion: /.test(lines[i]!)) continue;
    const start = i;
    const block: string[] = [];
    while (i < lines.length && (lines[i]!.startsWith('    ') || lines[i]!.trim() === '') && !(block.length > 0 && lines[i]!.trim() === '' && !lines[i + 1]?.startsWith('    '))) {
      block.push(lines[i]!.slice(4));
      i++;
    }
    const text = block.join('\n');
    const [parsed] = parseAllDocuments(text);
    if (parsed && parsed.errors.length === 0) samples.push({ line: start + 1, text, doc: parsed.toJS() as Record<string, unknown> });
    else throw new Error(`reference sample at line ${start + 1} does not parse: ${parsed?.errors[0]?.message}`);
  }
  return samples;
}

/** `kind/name` of every events.openfunction.io sample the English guide shows (flattened text). */
export function englishSampleNames(file = join(SHARED, 'reference', 'openfunction-concepts-en.txt')): string[] {
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/apiVersion: events\.openfunction\.io\/v1alpha1 kind: (\w+) metadata: name: ([\w.-]+)/g)) {
    names.add(`${m[1]}/${m[2]}`);
  }
  return [...names];
}
