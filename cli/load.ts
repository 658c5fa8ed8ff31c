// Reads resource files for the CLI: files or directories (recursively, *.yaml, *.yml, *.json), each a stream of
// YAML documents. Failing to read or parse is a usage error (exit 2), reported without a stack trace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, type Document as YamlDocument } from 'yaml';
import type { Document } from '../lib/api/index.js';

import { UsageError } from './output.js';

export { UsageError };

const RESOURCE_FILE = /\.(ya?ml|json)$/i;

function filesUnder(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`${path}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return filesUnder(child);
      return RESOURCE_FILE.test(entry.name) ? [child] : [];
    });
}

/** What `-f -` names: standard input, read once. */
export const STDIN = '-';

/**
 * Every document of every file, numbered from 1 within its file; files named as the user named them. As kubectl's
 * -f: a comma list names several, and `-` is standard input (shown as <stdin>).
 */
export function loadDocuments(paths: readonly string[], readStdin: () => string = () => readFileSync(0, 'utf8')): Document[] {
  const documents: Document[] = [];
  for (const path of paths.flatMap((p) => p.split(',')).filter((p) => p !== '')) {
    for (const file of path === STDIN ? ['<stdin>'] : filesUnder(path)) {
      let text: string;
      try {
        text = path === STDIN ? readStdin() : readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      const lines = new LineCounter();
      parseAllDocuments(text, { lineCounter: lines }).forEach((parsed, i) => {
        const first = parsed.errors[0];
        if (first) {
          const at = first.linePos?.[0];
          throw new UsageError(`${file}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
        }
        let doc: unknown;
        try {
          // An alias without its anchor, or an alias bomb (maxAliasCount), is found only here.
          doc = parsed.toJS({ maxAliasCount: 1000 });
        } catch (e) {
          throw new UsageError(`${file}: document ${i + 1}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
        }
        documents.push({ file, index: i + 1, doc, locate: (path) => locate(parsed, lines, path) });
      });
    }
  }
  return documents;
}

/** `spec.kafka["created"].brokers` → ['spec', 'kafka', 'created', 'brokers']; `[0]` → 0. */
export function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(JSON.parse(m[3]!) as string);
  }
  return segments;
}

/** Line and column (1-based) of the node at `path`, or of its nearest ancestor present in the YAML. */
function locate(doc: YamlDocument.Parsed, lines: LineCounter, path: string): { line: number; column: number } | undefined {
  const segments = pathSegments(path);
  for (let n = segments.length; n >= 0; n--) {
    // A field is shown at its key (`shedule:`), where an editor's eye looks, not at its value.
    const parent = n === 0 ? undefined : n === 1 ? doc.contents : doc.getIn(segments.slice(0, n - 1), true);
    const key = isMap(parent) ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === segments[n - 1])?.key : undefined;
    const node = isNode(key) ? key : n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return undefined;
}
