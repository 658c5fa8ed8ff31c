// `ofn-events validate -f <file or dir> [-f …]`: every resource against its schema and against the rest of the set.
// Exit 0 without errors (warnings allowed), 1 with errors, 2 on usage errors.
import { hasErrors, validateSet } from '../lib/api/index.js';
import { findingLine, type Cli } from './output.js';
import { loadDocuments, UsageError } from './load.js';

export const validateHelp = `Usage: ofn-events validate -f <file or dir> [-f …] [--namespace <ns>] [--strict] [-o text|json]

Checks EventSource, EventBus, ClusterEventBus and Trigger resources: each against its schema, and against the rest
of the set (inputs, buses, names, namespaces, cycles). -f takes files, directories, comma lists and - (stdin); a
resource defined twice keeps its last definition, as kubectl apply would. Prints one line per problem:
  file:line:column kind/name (document n): field.path: message
and names each document it skipped (not an events.openfunction.io resource) on stderr.
  --strict     warnings fail too (for CI)
  -o json      one JSON object: findings (with file, line, column, severity, path, message) and skipped documents
Exit status: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 usage error.

Example: ofn-events validate -f manifests/samples --strict`;

export function validate(files: string[], namespace: string | undefined, cli: Cli, options: { strict?: boolean; output?: string; stdin?: () => string } = {}): number {
  const output = options.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`-o: expected text or json, got "${output}"`);
  const report = validateSet(loadDocuments(files, options.stdin), namespace);
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const failed = hasErrors(report.findings) || (options.strict === true && warnings > 0);
  if (output === 'json') {
    cli.out(JSON.stringify({ ok: !failed, checked: report.checked, errors, warnings, findings: report.findings, skipped: report.skippedDocuments }, null, 2));
    return failed ? 1 : 0;
  }
  for (const f of report.findings) cli.out(findingLine(cli, f));
  for (const s of report.skippedDocuments) cli.err(`skipped ${s.file}:${s.index} ${s.kind}/${s.name} (${s.apiVersion}): not an events.openfunction.io resource`);
  const skipped = report.skipped > 0 ? `, ${report.skipped} other document${report.skipped === 1 ? '' : 's'} skipped` : '';
  cli.err(`${plural(report.checked, 'resource')} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${skipped}${options.strict && warnings > 0 && errors === 0 ? ' (--strict: warnings fail)' : ''}`);
  return failed ? 1 : 0;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
