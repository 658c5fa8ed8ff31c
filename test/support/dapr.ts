// Runs resources on real daprd sidecars (runtime/dapr) for integration tests: the handler bundles of
// `npm run package` under builder-node's Node 16.15, exactly as a cluster runs them. The peers come from
// scripts/peers.sh, which `npm test` runs first; a missing one fails the test with the command that installs it.
import { parseAllDocuments } from 'yaml';
import type { Resource } from '../../lib/api/index.js';
import { validateSet } from '../../lib/api/index.js';
import { packageCommand } from '../../runtime/dapr/packages.js';
import { startDaprTopology, type DaprTopology, type DaprTopologyOptions } from '../../runtime/dapr/topology.js';
import { DAPRD_HELP, findDaprd, findNode16 } from '../../runtime/peers.js';

export function daprPeers(): { daprd: string; node16: string } {
  const daprd = findDaprd();
  if (!daprd) throw new Error(DAPRD_HELP);
  const node16 = findNode16();
  if (!node16) throw new Error('no Node 16.15: install it with `npm run peers` (scripts/peers.sh node16)');
  return { daprd, node16 };
}

/** The resources of a YAML text, validated: a test's resources must be ones `validate` accepts. */
export function resourcesOf(yaml: string): Resource[] {
  const documents = parseAllDocuments(yaml).map((d, i) => ({ file: 'test.yaml', index: i + 1, doc: d.toJS() }));
  const report = validateSet(documents);
  const errors = report.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new Error(`invalid test resources: ${errors.map((f) => `${f.resource}: ${f.path}: ${f.message}`).join('; ')}`);
  return report.resources.map((r) => r.resource);
}

export interface DaprRun extends DaprTopology {
  /** Every line the processes wrote, by function, for failure messages. */
  logs: Map<string, string[]>;
  /** The running function named `name` (a Function name such as esw-src-mqtt-m or t-both). */
  fn(name: string): DaprTopology['functions'][number];
}

export async function runOnDapr(yaml: string, options: Partial<DaprTopologyOptions> = {}): Promise<DaprRun> {
  const { daprd, node16 } = daprPeers();
  const logs = new Map<string, string[]>();
  const topology = await startDaprTopology(resourcesOf(yaml), {
    daprd,
    packageCommand: (handler) => packageCommand(handler, node16),
    display: () => {},
    startBrokers: false,
    onLine: (fn, source, line) => {
      const lines = logs.get(fn) ?? [];
      lines.push(`${source}: ${line}`);
      if (lines.length > 400) lines.shift();
      logs.set(fn, lines);
    },
    ...options,
  });
  return Object.assign(topology, {
    logs,
    fn(name: string) {
      const found = topology.functions.find((f) => f.launch.function === name);
      if (!found) throw new Error(`no function ${name}; running: ${topology.functions.map((f) => f.launch.function).join(', ')}`);
      return found;
    },
  });
}

/** The error and warning lines of a run's logs, for a failure message. */
export function complaints(run: DaprRun): string {
  return [...run.logs.entries()]
    .flatMap(([fn, lines]) => lines.filter((l) => /"level":("error"|"fatal"|50|60)|"level":"warning"/.test(l) && !/mTLS|increasedCardinality|placement|[Ss]cheduler|Actor runtime/.test(l)).map((l) => `${fn} ${l.slice(0, 400)}`))
    .join('\n');
}
