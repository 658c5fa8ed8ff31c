// `ofn-events render -f <file or dir> [-f …] [--namespace ns] [-o yaml|json]`: the Functions the controller would
// create for a set of resources, without a cluster, for review and GitOps. The plan's problems (what status would
// say) go to stderr, one line per resource.
import { stringify } from 'yaml';
import { validateSet } from '../lib/api/index.js';
import { imagesFrom, planAll, worldOf, type HandlerImages } from '../functions/controller/plan/index.js';
import { UPSTREAM_CONFIGMAP } from '../functions/controller/plan/world.js';
import { findingLine, type Cli } from './output.js';
import { loadDocuments, UsageError } from './load.js';

export const renderHelp = `Usage: ofn-events render -f <file or dir> [-f …] [--namespace <ns>] [-o yaml|json] [--images-from <file>]

Prints the OpenFunction Functions (core.openfunction.io/v1beta2) the controller would create for the
EventSources and Triggers in the files, using the EventBuses and ClusterEventBuses there. -o json prints one
List. Problems (a missing bus, an unresolvable sink, an invalid condition) go to stderr; exit status 1 then.
--images-from takes the handler images from the configuration ConfigMap in a file, as the controller of a cluster
installed from it would (openfunction-events-config, then upstream's openfunction-config).

Example: kubectl kustomize manifests > install.yaml && ofn-events render -f manifests/samples/quickstart.yaml --images-from install.yaml`;

/** The handler images a cluster installed from these files gets: our ConfigMap's keys, then upstream's. */
function imagesIn(file: string): HandlerImages {
  const maps = loadDocuments([file]).map((d) => d.doc as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> }).filter((d) => d?.kind === 'ConfigMap');
  const data = (name: string) => maps.find((m) => m.metadata?.name === name)?.data ?? {};
  if (!maps.some((m) => m.metadata?.name === 'openfunction-events-config' || m.metadata?.name === UPSTREAM_CONFIGMAP.name)) {
    throw new UsageError(`--images-from: ${file} has no ConfigMap openfunction-events-config or ${UPSTREAM_CONFIGMAP.name}`);
  }
  return imagesFrom({ ...data(UPSTREAM_CONFIGMAP.name), ...data('openfunction-events-config') });
}

export function render(files: string[], namespace: string | undefined, output: string, cli: Cli, imagesFromFile?: string): number {
  if (output !== 'yaml' && output !== 'json') throw new UsageError(`-o: expected yaml or json, got "${output}"`);
  const report = validateSet(loadDocuments(files), namespace);
  const invalid = report.findings.filter((f) => f.severity === 'error');
  for (const f of invalid) cli.err(findingLine(cli, f));
  const resources = report.resources.map((r) => r.resource);
  const plans = planAll(resources, worldOf(resources, imagesFromFile ? imagesIn(imagesFromFile) : undefined, namespace), namespace);
  const functions = plans.flatMap((p) => p.functions);
  for (const p of plans) {
    const label = `${p.resource.kind}/${p.resource.metadata.name}`;
    if (p.problems.length === 0) cli.err(`${label}: Ready when its ${p.functions.length} Function${p.functions.length === 1 ? '' : 's'} run`);
    for (const problem of p.problems) cli.err(`${label}: Error ${problem.reason}: ${problem.message}`);
  }
  if (output === 'json') cli.out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: functions }, null, 2));
  else cli.out(functions.map((f) => stringify(f, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n').trimEnd());
  return invalid.length > 0 || plans.some((p) => p.problems.length > 0) ? 1 : 0;
}
