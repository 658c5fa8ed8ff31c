// Validation of a set of documents, each alone and against the others (what `ofn-events validate` and, later, the
// controller and `dev` rely on). A reference to something missing from the set is a warning, since it may exist in
// the cluster; a reference that the set contradicts is an error. Pure.
import { crossCheck as crossResourceProblems, resourceKey } from './cross.js';
import { checkResource } from './rules.js';
import { error, warning, type Problem } from './problems.js';
import { isOurs, parseResource, type Resource } from './validate.js';
import type { EventSource } from './eventsource.js';
import { SOURCE_KINDS } from '../naming.js';

export interface Document {
  /** Where it came from, for messages: file name and 1-based document number within the file. */
  file: string;
  index: number;
  doc: unknown;
}

export interface Finding extends Problem {
  file: string;
  index: number;
  /** `Trigger/my-trigger`, or `` when the document has no recognisable kind and name. */
  resource: string;
}

export interface SetReport {
  resources: Array<{ file: string; index: number; resource: Resource }>;
  findings: Finding[];
  /** Our documents checked, valid or not. */
  checked: number;
  /** Documents that are not ours (another API group), left alone. */
  skipped: number;
}

export const DEFAULT_NAMESPACE = 'default';

export const namespaceOf = (r: { metadata: { namespace?: string | undefined } }, fallback = DEFAULT_NAMESPACE): string =>
  r.metadata.namespace ?? fallback;

/** The event names an EventSource declares, over every source kind. */
export const declaredEvents = (es: EventSource): string[] => SOURCE_KINDS.flatMap((kind) => Object.keys(es.spec[kind] ?? {}));

export function validateSet(documents: readonly Document[], defaultNamespace = DEFAULT_NAMESPACE): SetReport {
  const report: SetReport = { resources: [], findings: [], checked: 0, skipped: 0 };
  const seen = new Map<string, Document>();

  for (const d of documents) {
    if (d.doc === null || d.doc === undefined) continue; // an empty document between `---` separators
    if (!isOurs(d.doc)) {
      report.skipped++;
      continue;
    }
    report.checked++;
    const label = labelOf(d.doc);
    const add = (problems: Problem[]) => report.findings.push(...problems.map((p) => ({ ...p, file: d.file, index: d.index, resource: label })));
    const parsed = parseResource(d.doc);
    if (!parsed.ok) {
      add(parsed.problems);
      continue;
    }
    const { resource } = parsed;
    const key = `${resource.kind}/${resource.kind === 'ClusterEventBus' ? '' : namespaceOf(resource, defaultNamespace)}/${resource.metadata.name}`;
    const earlier = seen.get(key);
    if (earlier) {
      add([error('metadata.name', `${label} is also defined in ${earlier.file}:${earlier.index}`)]);
      continue;
    }
    seen.set(key, d);
    add(checkResource(resource));
    report.resources.push({ file: d.file, index: d.index, resource });
  }

  report.findings.push(...crossCheck(report.resources, defaultNamespace));
  return report;
}

function crossCheck(resources: SetReport['resources'], defaultNamespace: string): Finding[] {
  const findings: Finding[] = [];
  const ns = (r: Resource) => namespaceOf(r, defaultNamespace);
  const eventSources = new Map<string, EventSource>();
  const buses = new Set<string>();
  const clusterBuses = new Set<string>();
  for (const { resource: r } of resources) {
    if (r.kind === 'EventSource') eventSources.set(`${ns(r)}/${r.metadata.name}`, r);
    if (r.kind === 'EventBus') buses.add(`${ns(r)}/${r.metadata.name}`);
    if (r.kind === 'ClusterEventBus') clusterBuses.add(r.metadata.name);
  }
  const busKnown = (namespace: string, name: string) => buses.has(`${namespace}/${name}`) || clusterBuses.has(name);

  // Names, tenancy and cycles over the whole set, earlier documents first (this set may be part of the cluster only).
  const subjects = resources.flatMap(({ resource: r }) => (r.kind === 'EventSource' || r.kind === 'Trigger' ? [r] : []));
  const cross = crossResourceProblems(subjects, { defaultNamespace, complete: false });

  for (const { file, index, resource: r } of resources) {
    const at = (p: Problem): Finding => ({ ...p, file, index, resource: `${r.kind}/${r.metadata.name}` });
    for (const { reason: _reason, ...p } of cross.get(resourceKey(r, defaultNamespace)) ?? []) findings.push(at(p));
    const busName = r.kind === 'EventSource' || r.kind === 'Trigger' ? r.spec.eventBus : undefined;
    if (busName && !busKnown(ns(r), busName)) {
      findings.push(at(warning('spec.eventBus', `no EventBus "${busName}" in namespace "${ns(r)}" nor ClusterEventBus "${busName}" in this set; it must exist in the cluster`)));
    }
    if (r.kind !== 'Trigger') continue;
    for (const [name, input] of Object.entries(r.spec.inputs)) {
      const inputNs = input.namespace ?? ns(r);
      const path = `spec.inputs[${JSON.stringify(name)}]`;
      const es = eventSources.get(`${inputNs}/${input.eventSource}`);
      if (!es) {
        findings.push(at(warning(`${path}.eventSource`, `no EventSource "${input.eventSource}" in namespace "${inputNs}" in this set; it must exist in the cluster`)));
        continue;
      }
      const events = declaredEvents(es);
      if (!events.includes(input.event)) {
        const declared = events.length > 0 ? `it declares ${events.map((e) => `"${e}"`).join(', ')}` : 'it declares no events';
        findings.push(at(error(`${path}.event`, `EventSource "${input.eventSource}" declares no event "${input.event}"; ${declared}`)));
      } else if (!es.spec.eventBus) {
        findings.push(at(error(`${path}.eventSource`, `EventSource "${input.eventSource}" has no eventBus, so its events never reach a Trigger`)));
      } else if (es.spec.eventBus !== r.spec.eventBus) {
        findings.push(at(warning(`${path}.eventSource`, `EventSource "${input.eventSource}" publishes to bus "${es.spec.eventBus}", this Trigger reads bus "${r.spec.eventBus}"`)));
      }
    }
  }
  return findings;
}

function labelOf(doc: unknown): string {
  const { kind, metadata } = doc as { kind?: unknown; metadata?: { name?: unknown } };
  const name = typeof metadata?.name === 'string' ? metadata.name : '?';
  return `${typeof kind === 'string' ? kind : '?'}/${name}`;
}
