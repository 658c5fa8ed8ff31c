// `ofn-events graph -f … [--format mermaid|dot]`: the topology — sources, bus topics, triggers with their conditions,
// sinks and topics — as Mermaid (default) or Graphviz DOT.
import { namespaceOf, validateSet, type EventSource, type Sink, type Trigger } from '../lib/api/index.js';
import { busTopic, SOURCE_KINDS } from '../lib/naming.js';
import type { Cli } from './output.js';
import { loadDocuments, UsageError } from './load.js';

export const graphHelp = `Usage: ofn-events graph -f <file or dir> [-f …] [--format mermaid|dot]

Draws the topology of the files — sources, bus topics, Triggers with their conditions, sinks and topics — as
Mermaid (default, renders on GitHub and in most Markdown viewers) or Graphviz DOT.

Example: ofn-events graph -f manifests/samples/quickstart.yaml --format dot | dot -Tsvg > events.svg`;

interface Edge {
  from: string;
  to: string;
  label?: string;
}

const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
const sinkLabel = (s: Sink) => (s.uri ? s.uri : `${s.ref?.kind ?? 'Service'} ${s.ref?.name}`);

export function graph(files: string[], format: string, cli: Cli): number {
  if (format !== 'mermaid' && format !== 'dot') throw new UsageError(`--format: expected mermaid or dot, got "${format}"`);
  const resources = validateSet(loadDocuments(files)).resources.map((r) => r.resource);
  const nodes = new Map<string, { label: string; shape: 'source' | 'topic' | 'trigger' | 'sink' }>();
  const edges: Edge[] = [];
  const node = (key: string, label: string, shape: 'source' | 'topic' | 'trigger' | 'sink') => (nodes.set(id(key), { label, shape }), id(key));

  for (const es of resources.filter((r): r is EventSource => r.kind === 'EventSource')) {
    const ns = namespaceOf(es);
    for (const kind of SOURCE_KINDS) {
      for (const event of Object.keys(es.spec[kind] ?? {})) {
        const source = node(`src_${ns}_${es.metadata.name}_${kind}_${event}`, `${kind} ${es.metadata.name}/${event}`, 'source');
        if (es.spec.eventBus) {
          const topic = busTopic(ns, es.metadata.name, event);
          edges.push({ from: source, to: node(`topic_${topic}`, topic, 'topic') });
        }
        if (es.spec.sink) edges.push({ from: source, to: node(`sink_${sinkLabel(es.spec.sink)}`, sinkLabel(es.spec.sink), 'sink') });
      }
    }
  }
  for (const t of resources.filter((r): r is Trigger => r.kind === 'Trigger')) {
    const ns = namespaceOf(t);
    const state = t.spec.correlation?.state;
    const stateLabel = state ? ` (state: ${state.component ?? state.type}${(t.spec.replicas ?? 1) > 1 ? `, ${t.spec.replicas} replicas` : ''})` : '';
    const trigger = node(`trigger_${ns}_${t.metadata.name}`, `Trigger ${t.metadata.name}${stateLabel}`, 'trigger');
    for (const [name, input] of Object.entries(t.spec.inputs)) {
      const topic = busTopic(input.namespace ?? ns, input.eventSource, input.event);
      edges.push({ from: node(`topic_${topic}`, topic, 'topic'), to: trigger, label: input.key ? `${name} by ${input.key}` : name });
    }
    for (const sub of t.spec.subscribers) {
      // An absence subscriber fires on what did not arrive: its edge says so.
      const when = sub.absence ? `${sub.condition}, then no ${sub.absence.input} within ${sub.absence.within}` : sub.condition;
      if (sub.sink) edges.push({ from: trigger, to: node(`sink_${sinkLabel(sub.sink)}`, sinkLabel(sub.sink), 'sink'), label: when });
      if (sub.topic) edges.push({ from: trigger, to: node(`topic_${sub.topic}`, sub.topic, 'topic'), label: when });
      if (sub.deadLetterSink) edges.push({ from: trigger, to: node(`sink_${sinkLabel(sub.deadLetterSink)}`, sinkLabel(sub.deadLetterSink), 'sink'), label: `dead letter: ${sub.condition}` });
    }
  }

  const q = (s: string) => s.replace(/"/g, "'");
  if (format === 'mermaid') {
    const shape = { source: ['[/', '/]'], topic: ['([', '])'], trigger: ['{{', '}}'], sink: ['[', ']'] } as const;
    cli.out('flowchart LR');
    for (const [key, n] of nodes) cli.out(`  ${key}${shape[n.shape][0]}"${q(n.label)}"${shape[n.shape][1]}`);
    for (const e of edges) cli.out(`  ${e.from} -->${e.label ? `|"${q(e.label)}"|` : ''} ${e.to}`);
  } else {
    const shape = { source: 'parallelogram', topic: 'cylinder', trigger: 'hexagon', sink: 'box' } as const;
    cli.out('digraph events {');
    cli.out('  rankdir=LR;');
    for (const [key, n] of nodes) cli.out(`  ${key} [label=${JSON.stringify(n.label)}, shape=${shape[n.shape]}];`);
    for (const e of edges) cli.out(`  ${e.from} -> ${e.to}${e.label ? ` [label=${JSON.stringify(e.label)}]` : ''};`);
    cli.out('}');
  }
  return 0;
}
