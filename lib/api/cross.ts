// Rules over the whole set of EventSources and Triggers, which no single resource shows: names that collide once
// derived, namespaces reading or writing each other's topics without consent, and Triggers that feed themselves.
// `validate` and the controller run the same rules (the controller over everything in the cluster, oldest first).
// Pure.
import { busTopic, eventSourceBusConsumerId, eventSourceFunctionName, SOURCE_KINDS, triggerBusConsumerId, triggerFunctionName } from '../naming.js';
import type { EventSource } from './eventsource.js';
import { error, type Problem } from './problems.js';
import type { Trigger } from './trigger.js';

/** EventSource annotations by which its namespace consents to Triggers of other namespaces (comma list, or `*`). */
export const CONSENT = {
  /** Triggers in these namespaces may read this EventSource's events. */
  readers: 'events.openfunction.io/readable-from',
  /** Triggers in these namespaces may publish into this EventSource's topics. */
  writers: 'events.openfunction.io/writable-from',
} as const;

export interface CrossProblem extends Problem {
  /** CamelCase status reason: NameConflict, NotPermitted, Cycle. */
  reason: 'NameConflict' | 'NotPermitted' | 'Cycle';
}

type Subject = EventSource | Trigger;

/** `Kind/namespace/name`: how problems are keyed. */
export const resourceKey = (r: { kind: string; metadata: { name: string; namespace?: string | undefined } }, defaultNamespace = 'default'): string =>
  `${r.kind}/${r.metadata.namespace ?? defaultNamespace}/${r.metadata.name}`;

const label = (r: Subject, ns: string) => `${r.kind} ${ns}/${r.metadata.name}`;

function consents(es: EventSource, annotation: string, namespace: string): boolean {
  const value = es.metadata.annotations?.[annotation];
  if (value === undefined) return false;
  return value.split(',').map((s) => s.trim()).some((n) => n === '*' || n === namespace);
}

/**
 * Problems per resource key. `resources` in precedence order: where two collide, the earlier one keeps its name and
 * the later one is refused (the controller sorts by creation time, so adding a resource never breaks a running one).
 */
export function crossCheck(resources: readonly Subject[], options: { defaultNamespace?: string; complete: boolean }): Map<string, CrossProblem[]> {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const problems = new Map<string, CrossProblem[]>();
  const ns = (r: Subject) => r.metadata.namespace ?? defaultNamespace;
  // Paths may be given as functions: built only for a finding (this runs over every resource on every resync).
  const add = (r: Subject, reason: CrossProblem['reason'], path: string | (() => string), message: string) => {
    const key = resourceKey(r, defaultNamespace);
    problems.set(key, [...(problems.get(key) ?? []), { ...error(typeof path === 'string' ? path : path(), message), reason }]);
  };
  const eventSources = resources.filter((r): r is EventSource => r.kind === 'EventSource');
  const triggers = resources.filter((r): r is Trigger => r.kind === 'Trigger');

  // --- Derived names: the first claimant keeps a name; a later, different resource is refused. -------------------
  const claims = new Map<string, { owner: Subject; what: string }>();
  const claim = (r: Subject, name: string, what: string, path: string | (() => string)) => {
    const earlier = claims.get(name);
    if (!earlier) return void claims.set(name, { owner: r, what });
    if (earlier.owner === r) return;
    add(r, 'NameConflict', path, `${what} would be "${name.split('\u0000').pop()}", already ${earlier.what} of ${label(earlier.owner, ns(earlier.owner))}: rename one of them`);
  };
  const topicOwner = new Map<string, { es: EventSource; event: string }>();
  for (const es of eventSources) {
    const namespace = ns(es);
    for (const kind of SOURCE_KINDS) {
      const declared = es.spec[kind];
      if (!declared) continue;
      for (const event in declared) {
        const path = () => `spec.${kind}[${JSON.stringify(event)}]`;
        const fn = eventSourceFunctionName(es.metadata.name, kind, event);
        claim(es, `fn\u0000${namespace}\u0000${fn}`, 'its Function name', path);
        claim(es, `consumer\u0000${namespace}-${fn}`, 'its consumer id', path);
        if (!es.spec.eventBus) continue;
        const topic = busTopic(namespace, es.metadata.name, event);
        const owner = topicOwner.get(topic);
        // Two kinds declaring one event name in one EventSource share the topic on purpose (a warning elsewhere).
        if (owner && owner.es !== es) add(es, 'NameConflict', path, `its bus topic would be "${topic}", already the topic of event "${owner.event}" of ${label(owner.es, ns(owner.es))}: rename one of them`);
        else topicOwner.set(topic, { es, event });
      }
    }
    if (es.spec.eventBus) claim(es, `consumer\u0000${eventSourceBusConsumerId(ns(es), es.metadata.name)}`, 'its bus consumer id', 'metadata.name');
  }
  for (const t of triggers) {
    claim(t, `fn\u0000${ns(t)}\u0000${triggerFunctionName(t.metadata.name)}`, 'its Function name', 'metadata.name');
    claim(t, `consumer\u0000${triggerBusConsumerId(ns(t), t.metadata.name)}`, 'its bus consumer id', 'metadata.name');
  }

  // --- Tenancy: other namespaces' topics are read and written only with their EventSource's consent. --------------
  const byName = new Map(eventSources.map((es) => [`${ns(es)}/${es.metadata.name}`, es]));
  const reads = new Map<Trigger, Set<string>>();
  for (const t of triggers) {
    const topics = new Set<string>();
    for (const name in t.spec.inputs) {
      const input = t.spec.inputs[name]!;
      const inputNs = input.namespace ?? ns(t);
      topics.add(busTopic(inputNs, input.eventSource, input.event));
      if (inputNs === ns(t)) continue;
      const es = byName.get(`${inputNs}/${input.eventSource}`);
      const path = `spec.inputs[${JSON.stringify(name)}].namespace`;
      // validate sees part of the world: an EventSource it does not have may consent in the cluster.
      if (!es && options.complete) add(t, 'NotPermitted', path, `reads namespace "${inputNs}", whose EventSource "${input.eventSource}" is not there to consent: another namespace's events need its annotation ${CONSENT.readers}`);
      else if (es && !consents(es, CONSENT.readers, ns(t))) add(t, 'NotPermitted', path, `reads ${label(es, inputNs)}, which does not consent: annotate it ${CONSENT.readers}: "${ns(t)}" (or "*")`);
    }
    reads.set(t, topics);
    t.spec.subscribers.forEach((sub, i) => {
      for (const field of ['topic', 'deadLetterTopic'] as const) {
        const topic = sub[field];
        const owner = topic === undefined ? undefined : topicOwner.get(topic);
        if (!owner || ns(owner.es) === ns(t) || consents(owner.es, CONSENT.writers, ns(t))) continue;
        add(t, 'NotPermitted', `spec.subscribers[${i}].${field}`, `publishes into "${topic}", the topic of ${label(owner.es, ns(owner.es))}, which does not consent: annotate it ${CONSENT.writers}: "${ns(t)}" (or "*")`);
      }
    });
  }

  // --- Cycles: a Trigger whose topics feed its own inputs, directly or through other Triggers, fires without end. --
  // Triggers indexed by the topics they read, so the graph is built in one pass; strongly connected components
  // (Tarjan, linear) find every Trigger on a loop, and a breadth-first search inside its component names the loop.
  const readers = new Map<string, Trigger[]>();
  for (const t of triggers) for (const topic of reads.get(t)!) (readers.get(topic) ?? readers.set(topic, []).get(topic)!).push(t);
  const feeds = new Map<Trigger, Array<{ to: Trigger; path: string; topic: string }>>();
  for (const t of triggers) {
    const edges: Array<{ to: Trigger; path: string; topic: string }> = [];
    t.spec.subscribers.forEach((sub, i) => {
      for (const field of ['topic', 'deadLetterTopic'] as const) {
        const topic = sub[field];
        if (topic === undefined) continue;
        for (const other of readers.get(topic) ?? []) edges.push({ to: other, path: `spec.subscribers[${i}].${field}`, topic });
      }
    });
    feeds.set(t, edges);
  }
  const component = stronglyConnected(triggers, (t) => feeds.get(t)!.map((e) => e.to));
  for (const t of triggers) {
    const mine = component.get(t)!;
    const onLoop = mine.size > 1 || feeds.get(t)!.some((e) => e.to === t);
    if (!onLoop) continue;
    const loop = cycleThrough(t, feeds, mine);
    if (!loop) continue;
    const route = loop.map((step) => `"${step.topic}" → ${label(step.to, ns(step.to))}`).join(', then ');
    add(t, 'Cycle', loop[0]!.path, `feeds itself: ${route}; each firing would cause another without end. Break the loop (another topic, or a condition input this chain does not publish)`);
  }
  return problems;
}

/** Each node's strongly connected component (Tarjan's algorithm, iterative: no recursion depth to overflow). */
function stronglyConnected<T>(nodes: readonly T[], next: (n: T) => T[]): Map<T, Set<T>> {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const component = new Map<T, Set<T>>();
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: T; edges: T[]; i: number }> = [];
    const visit = (node: T) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: next(node), i: 0 });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++]!;
        if (!index.has(to)) visit(to);
        else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const members = new Set<T>();
        for (let n = stack.pop()!; ; n = stack.pop()!) {
          onStack.delete(n);
          members.add(n);
          component.set(n, members);
          if (n === frame.node) break;
        }
      }
    }
  }
  return component;
}

/** The shortest path of edges from `start` back to itself within `within` (breadth-first). */
function cycleThrough<T>(start: T, feeds: Map<T, Array<{ to: T; path: string; topic: string }>>, within: ReadonlySet<T>): Array<{ to: T; path: string; topic: string }> | undefined {
  const seen = new Set<T>();
  let frontier: Array<Array<{ to: T; path: string; topic: string }>> = (feeds.get(start) ?? []).filter((e) => within.has(e.to)).map((e) => [e]);
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const path of frontier) {
      const last = path[path.length - 1]!;
      if (last.to === start) return path;
      if (seen.has(last.to)) continue;
      seen.add(last.to);
      for (const e of feeds.get(last.to) ?? []) if (within.has(e.to)) next.push([...path, e]);
    }
    frontier = next;
  }
  return undefined;
}
