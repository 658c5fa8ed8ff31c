// Reads resource files for the CLI: files or directories (recursively, *.yaml, *.yml, *.json), each a stream of
// YAML documents. Failing to read or parse is a usage error (exit 2), reported without a stack trace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Document } from '../lib/api/index.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

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

/** Every document of every file, numbered from 1 within its file; files named as the user named them. */
export function loadDocuments(paths: readonly string[]): Document[] {
  const documents: Document[] = [];
  for (const path of paths) {
    for (const file of filesUnder(path)) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      parseAllDocuments(text).forEach((parsed, i) => {
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
        documents.push({ file, index: i + 1, doc });
      });
    }
  }
  return documents;
}
