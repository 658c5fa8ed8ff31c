// `ofn-events status`: what a running deployment does, through a kubeconfig — each EventSource and Trigger with its
// state, its Functions running of those planned, why it is not Ready, and what flowed through it, read from its
// Functions' metrics through the API server's pod proxy (what the user's kubeconfig may read; a pod that does not
// answer counts as nothing, and the line says so).
import { CoreV1Api } from '@kubernetes/client-node';
import { parseResource, type Resource, type Status } from '../lib/api/index.js';
import { kubeFrom, type KubeObject } from '../lib/io/kube.js';
import { LABELS } from '../lib/naming.js';
import { countersOf, metricKeysOf, parseMetrics } from '../runtime/counters.js';
import { summary } from './dev/summary.js';
import { loadKubeConfig } from './kubeconfig.js';
import { UsageError, type Cli } from './output.js';

export const statusHelp = `Usage: ofn-events status [-n <namespace> | -A] [-o text|wide|json] [--kubeconfig <file>]

Shows each EventSource and Trigger of a cluster: its state, its Functions running of those planned, the reason
when it is not Ready and the message naming the field at fault, and what flowed through it — events in (and
redelivered), delivered, published, failed attempts and dead letters per subscriber — read from its Functions'
metrics through the API server's pod proxy. -o wide adds each Function's Dapr components; -o json prints it all
as one object. The namespace is the kubeconfig's unless -n or -A (all namespaces) is given.

Example: ofn-events status -A -o wide`;

const EVENTS = { group: 'events.openfunction.io', version: 'v1alpha1' };
const FUNCTIONS = { group: 'core.openfunction.io', version: 'v1beta2', plural: 'functions' };
/** The function container's port (OpenFunction: function-port 8080), where the host serves /metrics. */
const FUNCTION_PORT = 8080;

interface FunctionView {
  name: string;
  state: string;
  components: string[];
  metrics?: string;
  metricsError?: string;
}

interface ResourceView {
  namespace: string;
  kind: string;
  name: string;
  state: string;
  functions: string;
  reason: string;
  message?: string;
  flow: string[];
  functionDetails: FunctionView[];
}

const nsOf = (o: { metadata: { namespace?: string | undefined } }) => o.metadata.namespace ?? 'default';

export async function status(options: { namespace?: string; all?: boolean; output?: string; kubeconfig?: string }, cli: Cli): Promise<number> {
  const output = options.output ?? 'text';
  if (!['text', 'wide', 'json'].includes(output)) throw new UsageError(`-o: expected text, wide or json, got "${output}"`);
  const kc = loadKubeConfig(options.kubeconfig);
  const namespace = options.all ? undefined : (options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default');
  const kube = kubeFrom(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const inScope = (o: KubeObject) => namespace === undefined || nsOf(o) === namespace;
  const [eventSources, triggers, functions] = await Promise.all([
    kube.list(EVENTS.group, EVENTS.version, 'eventsources'),
    kube.list(EVENTS.group, EVENTS.version, 'triggers'),
    kube.list(FUNCTIONS.group, FUNCTIONS.version, FUNCTIONS.plural, `${LABELS.managed}=true`),
  ]);

  const views = await Promise.all(
    [...eventSources, ...triggers].filter(inScope).map(async (object): Promise<ResourceView> => {
      const st = (object.status ?? {}) as Status;
      const ready = st.conditions?.find((c) => c.type === 'Ready');
      const label = object.kind === 'Trigger' ? LABELS.trigger : LABELS.eventSource;
      const mine = functions.filter((f) => nsOf(f) === nsOf(object) && f.metadata.labels?.[label] === object.metadata.name);
      const details = await Promise.all(mine.map((f) => functionView(core, f)));
      const parsed = parseResource(object);
      const texts = details.filter((d) => d.metrics).map((d) => d.metrics!);
      const flow = parsed.ok ? [...summary(countersOf(texts.map((text) => ({ text, keys: metricKeysOf(parsed.resource as Resource) })))), ...firingsOf(texts, object.metadata.name)] : [];
      return {
        namespace: nsOf(object), kind: object.kind, name: object.metadata.name, state: st.state ?? 'Unknown', functions: st.functions ?? `?/${mine.length}`,
        reason: st.reason ?? ready?.reason ?? '', ...(ready && ready.status !== 'True' && ready.message ? { message: ready.message } : {}),
        flow, functionDetails: details,
      };
    }),
  );
  views.sort((a, b) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`));
  if (output === 'json') {
    cli.out(JSON.stringify({ namespace: namespace ?? null, resources: views.map(({ functionDetails, ...v }) => ({ ...v, details: functionDetails.map(({ metrics: _m, ...d }) => d) })) }, null, 2));
    return 0;
  }
  if (views.length === 0) {
    cli.err(`no EventSources or Triggers ${namespace ? `in namespace ${namespace}` : 'in the cluster'}`);
    return 0;
  }
  const rows = [['NAMESPACE', 'KIND', 'NAME', 'STATE', 'FUNCTIONS', 'REASON'], ...views.map((v) => [v.namespace, v.kind, v.name, v.state, v.functions, v.reason])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  rows.forEach((r, i) => {
    cli.out(r.map((cell, j) => cell.padEnd(widths[j]!)).join('  ').trimEnd());
    const v = views[i - 1];
    if (!v) return;
    if (v.message) cli.out(`    ${v.message}`);
    for (const line of v.flow) cli.out(`    ${line.trim()}`);
    const silent = v.functionDetails.filter((d) => d.metricsError);
    for (const d of silent) cli.out(`    ${d.name}: no metrics (${d.metricsError})`);
    if (output === 'wide') for (const d of v.functionDetails) cli.out(`    Function ${d.name}: ${d.state}; Dapr components: ${d.components.join(', ') || 'none'}`);
  });
  return 0;
}

/** Per subscriber of a Trigger: how often its condition held and what became of the deliveries, from ctx.count. */
function firingsOf(texts: readonly string[], trigger: string): string[] {
  const rows = new Map<string, { condition: string; fired: number; results: Map<string, number> }>();
  for (const sample of texts.flatMap((t) => parseMetrics(t))) {
    if (sample.labels.trigger !== trigger || sample.labels.subscriber === undefined) continue;
    const row = rows.get(sample.labels.subscriber) ?? { condition: '', fired: 0, results: new Map<string, number>() };
    rows.set(sample.labels.subscriber, row);
    if (sample.name === 'ofn_events_firings_total') {
      row.fired += sample.value;
      row.condition = sample.labels.condition ?? row.condition;
    }
    if (sample.name === 'ofn_events_deliveries_total') row.results.set(sample.labels.result ?? '?', (row.results.get(sample.labels.result ?? '?') ?? 0) + sample.value);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([subscriber, r]) => `subscriber ${subscriber} ${JSON.stringify(r.condition)}: ${r.fired} fired${[...r.results].map(([result, n]) => `, ${n} ${result}`).join('')}`);
}

async function functionView(core: CoreV1Api, f: KubeObject): Promise<FunctionView> {
  const spec = f.spec as { serving?: { bindings?: Record<string, unknown>; pubsub?: Record<string, unknown> } } | undefined;
  const st = f.status as { serving?: { state?: string; resourceRef?: string } } | undefined;
  const view: FunctionView = { name: f.metadata.name, state: st?.serving?.state ?? 'no serving yet', components: [...Object.keys(spec?.serving?.bindings ?? {}), ...Object.keys(spec?.serving?.pubsub ?? {})].sort() };
  const serving = st?.serving?.resourceRef;
  if (!serving) return view;
  try {
    const pods = await core.listNamespacedPod({ namespace: nsOf(f), labelSelector: `openfunction.io/serving=${serving}` });
    const portOf = (p: (typeof pods.items)[number]) => p.spec?.containers.flatMap((c) => c.ports ?? []).find((port) => port.name === 'function-port')?.containerPort ?? FUNCTION_PORT;
    const texts = await Promise.all(pods.items.map((p) => core.connectGetNamespacedPodProxyWithPath({ name: `${p.metadata!.name}:${portOf(p)}`, namespace: nsOf(f), path: 'metrics' })));
    if (pods.items.length === 0) view.metricsError = 'no pods';
    // Replicas add up: every pod counts what it handled.
    else view.metrics = texts.map(String).join('\n');
  } catch (e) {
    view.metricsError = (e as Error).message.split('\n')[0]!;
  }
  return view;
}
