// `ofn-events validate -f <file or dir> [-f …]`: every resource against its schema and against the rest of the set.
// Exit 0 without errors (warnings allowed), 1 with errors, 2 on usage errors.
import { formatProblem, hasErrors, validateSet } from '../lib/api/index.js';
import type { Cli } from './cli.js';
import { loadDocuments } from './load.js';

export const validateHelp = `Usage: ofn-events validate -f <file or dir> [-f …] [--namespace <ns>]

Checks EventSource, EventBus, ClusterEventBus and Trigger resources: each against its schema, and Trigger
inputs against the EventSources and buses in the same set. Prints one line per problem:
  file:document kind/name: field.path: message
Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.`;

export function validate(files: string[], namespace: string | undefined, cli: Cli): number {
  const report = validateSet(loadDocuments(files), namespace);
  for (const f of report.findings) {
    cli.out(`${f.file}:${f.index} ${f.resource}: ${formatProblem(f)}`);
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const skipped = report.skipped > 0 ? `, ${report.skipped} other document${report.skipped === 1 ? '' : 's'} skipped` : '';
  cli.err(`${plural(report.checked, 'resource')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${skipped}`);
  return hasErrors(report.findings) ? 1 : 0;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
