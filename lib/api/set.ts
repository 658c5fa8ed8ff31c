// Validation of a set of documents, each alone and against the others (what `ofn-events validate` and, later, the
// controller and `dev` rely on). A reference to something missing from the set is a warning, since it may exist in
// the cluster; a reference that the set contradicts is an error. Pure.
import { crossCheck as crossResourceProblems, resourceKey } from './cross.js';
import { checkResource } from './rules.js';
import { error, formatProblem, warning, type Problem } from './problems.js';
import { API_GROUP, API_GROUP_VERSION } from './common.js';
import { KINDS } from './kinds.js';
import { closest, editDistance } from './suggest.js';
import { isOurs, parseResource, type Resource } from './validate.js';
import type { EventBusSpec } from './eventbus.js';
import type { EventSource } from './eventsource.js';
import { SOURCE_KINDS } from '../naming.js';

export interface Document {
  /** Where it came from, for messages: file name and 1-based document number within the file. */
  file: string;
  index: number;
  doc: unknown;
  /** Where a field path (`spec.inputs["a"].event`) is in the file, when the document came from YAML text. */
  locate?: (path: string) => { line: number; column: number } | undefined;
}

export interface Finding extends Problem {
  file: string;
  index: number;
  /** 1-based position of the offending node (or its nearest ancestor in the file), when known. */
  line?: number;
  column?: number;
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
  /** Which they are, to be named. */
  skippedDocuments: Array<{ file: string; index: number; kind: string; apiVersion: string; name: string }>;
}

export const DEFAULT_NAMESPACE = 'default';

export const namespaceOf = (r: { metadata: { namespace?: string | undefined } }, fallback = DEFAULT_NAMESPACE): string =>
  r.metadata.namespace ?? fallback;

/**
 * A finding as editors and CI read it: `file:line:column` of the offending node, then the resource, the document
 * number as context, the field and the message. Without a position (no YAML text), `file:document`.
 */
export const formatFinding = (f: Finding): string =>
  f.line === undefined ? `${f.file}:${f.index} ${f.resource}: ${formatProblem(f)}` : `${f.file}:${f.line}:${f.column} ${f.resource} (document ${f.index}): ${formatProblem(f)}`;

/** The bus a resource in `namespace` names: that namespace's EventBus, else the ClusterEventBus (upstream-behaviour §6). */
export function busSpecIn(resources: readonly Resource[], namespace: string, name: string): EventBusSpec | undefined {
  const found = resources.find((r) => r.kind === 'EventBus' && namespaceOf(r) === namespace && r.metadata.name === name) ?? resources.find((r) => r.kind === 'ClusterEventBus' && r.metadata.name === name);
  return found?.spec as EventBusSpec | undefined;
}

/** The event names an EventSource declares, over every source kind. */
export const declaredEvents = (es: EventSource): string[] => SOURCE_KINDS.flatMap((kind) => Object.keys(es.spec[kind] ?? {}));

export function validateSet(documents: readonly Document[], defaultNamespace = DEFAULT_NAMESPACE): SetReport {
  const report: SetReport = { resources: [], findings: [], checked: 0, skipped: 0, skippedDocuments: [] };
  const seen = new Map<string, Document>();

  for (const d of documents) {
    if (d.doc === null || d.doc === undefined) continue; // an empty document between `---` separators
    if (!isOurs(d.doc)) {
      const misgrouped = ourKindElsewhere(d.doc);
      if (misgrouped) {
        report.checked++;
        report.findings.push({ ...error('apiVersion', misgrouped), file: d.file, index: d.index, resource: labelOf(d.doc) });
        continue;
      }
      const { kind, apiVersion, metadata } = (d.doc ?? {}) as { kind?: unknown; apiVersion?: unknown; metadata?: { name?: unknown } };
      report.skipped++;
      report.skippedDocuments.push({ file: d.file, index: d.index, kind: textOf(kind), apiVersion: textOf(apiVersion), name: textOf(metadata?.name) });
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
      // As kubectl applying the files in order: the last definition wins. The earlier one is dropped with its
      // findings, so a directory of tutorial steps does not cascade into errors.
      report.resources = report.resources.filter((r) => !(r.file === earlier.file && r.index === earlier.index));
      report.findings = report.findings.filter((f) => !(f.file === earlier.file && f.index === earlier.index));
      add([warning('metadata.name', `replaces ${label} of ${earlier.file}:${earlier.locate?.('metadata.name')?.line ?? earlier.index} (the last definition wins, as with kubectl apply)`)]);
    }
    seen.set(key, d);
    add(checkResource(resource));
    report.resources.push({ file: d.file, index: d.index, resource });
  }

  report.findings.push(...crossCheck(report.resources, defaultNamespace));
  // Positions last, for the findings of every check: the node a finding's path names, in its own document.
  const byDocument = new Map(documents.map((d) => [`${d.file}\u0000${d.index}`, d]));
  for (const f of report.findings) {
    const at = byDocument.get(`${f.file}\u0000${f.index}`)?.locate?.(f.path);
    if (at) Object.assign(f, at);
  }
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
      const near = closest(busName, [...[...buses].filter((b) => b.startsWith(`${ns(r)}/`)).map((b) => b.slice(ns(r).length + 1)), ...clusterBuses]);
      findings.push(at(warning('spec.eventBus', `no EventBus "${busName}" in namespace "${ns(r)}" nor ClusterEventBus "${busName}" in this set; ${near ? `did you mean "${near}"? Otherwise it` : 'it'} must exist in the cluster`)));
    }
    if (r.kind !== 'Trigger') continue;
    for (const [name, input] of Object.entries(r.spec.inputs)) {
      const inputNs = input.namespace ?? ns(r);
      const path = `spec.inputs[${JSON.stringify(name)}]`;
      const es = eventSources.get(`${inputNs}/${input.eventSource}`);
      if (!es) {
        const near = closest(input.eventSource, [...eventSources.keys()].filter((k) => k.startsWith(`${inputNs}/`)).map((k) => k.slice(inputNs.length + 1)));
        findings.push(at(warning(`${path}.eventSource`, `no EventSource "${input.eventSource}" in namespace "${inputNs}" in this set; ${near ? `did you mean "${near}"? Otherwise it` : 'it'} must exist in the cluster`)));
        continue;
      }
      const events = declaredEvents(es);
      if (!events.includes(input.event)) {
        const near = closest(input.event, events);
        const declared = near ? `did you mean "${near}"?` : events.length > 0 ? `it declares ${events.map((e) => `"${e}"`).join(', ')}` : 'it declares no events';
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

/**
 * For a document of one of our kinds under another API group that looks like a slip of ours (a letter off, or
 * OpenFunction's name in it), what to write instead. Argo's or Knative's own EventSource stay skipped.
 */
function ourKindElsewhere(doc: unknown): string | undefined {
  const { kind, apiVersion } = (doc ?? {}) as { kind?: unknown; apiVersion?: unknown };
  if (typeof kind !== 'string' || !KINDS.some((k) => k.kind === kind) || typeof apiVersion !== 'string') return undefined;
  const group = apiVersion.split('/')[0]!;
  if (!group.includes('openfunction') && editDistance(group, API_GROUP) > 3) return undefined;
  return `${kind} belongs to ${API_GROUP_VERSION}, got ${JSON.stringify(apiVersion)}: write apiVersion: ${API_GROUP_VERSION}`;
}

/**
 * A field of a document we do not own, as text for the skipped list. Not `String()`: YAML such as
 * `kind: {toString: false}` gives an object whose conversion to a primitive throws.
 */
function textOf(value: unknown): string {
  if (value === undefined || value === null) return '?';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? 'a list' : 'an object';
  }
}

function labelOf(doc: unknown): string {
  const { kind, metadata } = doc as { kind?: unknown; metadata?: { name?: unknown } };
  const name = typeof metadata?.name === 'string' ? metadata.name : '?';
  return `${typeof kind === 'string' ? kind : '?'}/${name}`;
}
