// `ofn-events simulate -f <yaml> --events <timeline.jsonl> [--trigger name] [--json]`: feeds a timeline through the
// Trigger's own correlation engine on a virtual clock, so users can test conditions before deploying.
import { readFileSync } from 'node:fs';
import { validateSet, namespaceOf, type Trigger } from '../lib/api/index.js';
import { eventSourceUri, isEvent, type Event } from '../lib/cloudevents.js';
import { parseDuration } from '../lib/duration.js';
import { InvalidSpecError } from '../lib/errors.js';
import { Correlator, DEFAULT_MAX_KEYS, deliveredEvent, modelOf, type Firing } from '../functions/trigger-handler/index.js';
import { findingLine, type Cli } from './output.js';
import { loadDocuments, UsageError } from './load.js';

export const simulateHelp = `Usage: ofn-events simulate -f <file or dir> --events <timeline.jsonl> [--trigger <name>] [--json]

Feeds a timeline of events through a Trigger's conditions on a virtual clock and shows what fires: per
correlation key when its inputs have keys, and absence firings at their deadlines.
Each timeline line is a JSON object:
  {"at": "12s", "input": "eventA", "data": {...}}         at: a duration ("1m30s") or milliseconds
  {"at": 15000, "input": "eventB", "event": {...}}        event: a full CloudEvent instead of data
  {"at": "30s", "restart": true}                          the Trigger restarts: state in memory is lost,
                                                          state in a store (correlation.state) is kept
--json prints one JSON object per firing: {"at", "input", "subscriber", "condition", "key", "event"}.

Example: ofn-events simulate -f manifests/samples/quickstart.yaml --events timeline.jsonl --trigger my-trigger`;

type Step = { line: number; at: number } & ({ input: string; event: Event } | { restart: true });

function readTimeline(file: string, trigger: Trigger): Step[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const inputs = Object.keys(trigger.spec.inputs);
  const ns = namespaceOf(trigger);
  const steps: Step[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) return;
    const where = `${file}:${line}`;
    let entry: { at?: unknown; input?: unknown; data?: unknown; event?: unknown; restart?: unknown };
    try {
      entry = JSON.parse(raw) as typeof entry;
    } catch {
      throw new UsageError(`${where}: not a JSON object`);
    }
    const at = typeof entry.at === 'number' ? entry.at : typeof entry.at === 'string' ? parseDuration(entry.at) : undefined;
    if (at === undefined || at < 0) throw new UsageError(`${where}: at: expected a duration such as "12s" or "1m30s", or milliseconds`);
    if (entry.restart !== undefined) {
      if (entry.restart !== true) throw new UsageError(`${where}: restart: expected true`);
      steps.push({ line, at, restart: true });
      return;
    }
    if (typeof entry.input !== 'string' || !inputs.includes(entry.input)) {
      throw new UsageError(`${where}: input: expected one of ${inputs.map((n) => `"${n}"`).join(', ')}, got ${JSON.stringify(entry.input)}`);
    }
    let event: Event;
    if (entry.event !== undefined) {
      if (!isEvent(entry.event)) throw new UsageError(`${where}: event: expected a CloudEvent with specversion, id, source and type`);
      event = entry.event;
    } else {
      const input = trigger.spec.inputs[entry.input]!;
      event = {
        specversion: '1.0',
        id: `sim-${line}`,
        source: eventSourceUri({ namespace: input.namespace ?? ns, eventSource: input.eventSource, event: input.event }),
        type: 'io.openfunction.events.simulated',
        time: new Date(at).toISOString(),
        ...(entry.data === undefined ? {} : { datacontenttype: 'application/json', data: entry.data }),
      };
    }
    steps.push({ line, at, input: entry.input, event });
  });
  return steps.sort((a, b) => a.at - b.at || a.line - b.line);
}

const showAt = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** Characters of a firing's data shown per line. */
const DATA_SHOWN = 120;

export function simulate(files: string[], timeline: string, triggerName: string | undefined, json: boolean, cli: Cli): number {
  const report = validateSet(loadDocuments(files));
  const errors = report.findings.filter((f) => f.severity === 'error');
  for (const f of errors) cli.err(findingLine(cli, f));
  if (errors.length > 0) return 1;
  const triggers = report.resources.map((r) => r.resource).filter((r): r is Trigger => r.kind === 'Trigger');
  const trigger = triggerName ? triggers.find((t) => t.metadata.name === triggerName) : triggers.length === 1 ? triggers[0] : undefined;
  if (!trigger) {
    throw new UsageError(triggerName ? `no Trigger "${triggerName}" in the files` : `${triggers.length === 0 ? 'no Trigger' : `${triggers.length} Triggers (${triggers.map((t) => t.metadata.name).join(', ')})`} in the files; name one with --trigger`);
  }
  const ns = namespaceOf(trigger);
  let model: ReturnType<typeof modelOf>;
  try {
    model = modelOf({
      namespace: ns,
      trigger: trigger.metadata.name,
      inputs: Object.entries(trigger.spec.inputs).map(([name, input]) => ({ name, ...input })),
      subscribers: trigger.spec.subscribers,
      correlation: trigger.spec.correlation,
    });
  } catch (e) {
    if (e instanceof InvalidSpecError) {
      cli.err(`Trigger/${trigger.metadata.name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const newCorrelator = () => new Correlator(model, trigger.spec.correlation?.maxKeys ?? DEFAULT_MAX_KEYS);
  let correlator = newCorrelator();
  const durable = trigger.spec.correlation?.state !== undefined;

  const show = (at: number, input: string, firings: Firing[]) => {
    for (const f of firings) {
      if (json) {
        cli.out(JSON.stringify({ at, input, subscriber: f.subscriber, condition: f.condition, ...(f.key === undefined ? {} : { key: f.key }), event: deliveredEvent(trigger.metadata.name, f) }));
        continue;
      }
      const sub = trigger.spec.subscribers[f.subscriber]!;
      const targets = [sub.sink ? `sink ${sub.sink.uri ?? `${sub.sink.ref?.kind}/${sub.sink.ref?.name}`}` : '', sub.topic ? `topic ${sub.topic}` : ''].filter(Boolean).join(' and ');
      const data = f.event.data === undefined ? '' : ` ${JSON.stringify(f.event.data).slice(0, DATA_SHOWN)}`;
      cli.out(`          → subscriber ${f.subscriber} (${f.condition}) to ${targets}: ${f.event.type} ${f.event.id}${data}`);
    }
  };
  /** Absence firings due up to `until`, each at its own deadline. */
  const expireUntil = (until: number) => {
    for (let due = correlator.nextDue(); due !== undefined && due <= until; due = correlator.nextDue()) {
      const firings = correlator.expire(due);
      if (firings.length === 0) continue;
      for (const f of firings) {
        const absence = trigger.spec.subscribers[f.subscriber]!.absence!;
        if (!json) cli.out(`${showAt(due).padStart(8)}  (no ${absence.input} within ${absence.within}${f.key === undefined ? '' : ` for key ${f.key}`}): 1 fired`);
        show(due, absence.input, [f]);
      }
    }
  };

  for (const step of readTimeline(timeline, trigger)) {
    expireUntil(step.at);
    if ('restart' in step) {
      if (!durable) correlator = newCorrelator();
      if (!json) cli.out(`${showAt(step.at).padStart(8)}  restart: ${durable ? 'state kept in the state store' : 'state in memory lost (set correlation.state to keep it)'}`);
      continue;
    }
    const expression = model.inputs[model.slots.get(step.input)!]!.key;
    const key = expression ? expression.of(step.event) : '';
    // An event without its key is not correlated, as in the handler.
    const firings = key === undefined ? [] : correlator.onEvent([step.input], step.event, step.at, key);
    if (!json) {
      const keyNote = model.keyed ? (key === undefined ? ` (no key at ${expression!.source}: not correlated)` : ` [key ${key}]`) : '';
      cli.out(`${showAt(step.at).padStart(8)}  ${step.input}  ${step.event.id}${keyNote}: ${firings.length === 0 ? 'nothing fired' : `${firings.length} fired`}`);
    }
    show(step.at, step.input, firings);
  }
  // Timers still armed fire at their deadlines, as nothing more arrives.
  expireUntil(Number.POSITIVE_INFINITY);
  return 0;
}
