// The controller on a real kube-apiserver (etcd + kube-apiserver from scripts/peers.sh, RBAC on): our CRDs and the
// install set applied with kubectl next to OpenFunction's Function CRD and Dapr's Component CRD, every sample and
// golden case accepted, and `ofn-events controller --once` acting as its own ServiceAccount (impersonated), so a
// verb the shipped RBAC lacks fails here. Functions are server-side applied and accepted by the real Function CRD;
// status carries observedGeneration; a second pass writes nothing; a removed event is pruned.
import { execFile } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../runtime/control-plane.js';
import { sharedBrokerUrl } from '../support/brokers.js';
import { networkInterfaces } from 'node:os';
import { silentLogger } from '../../lib/function.js';
import { createHost, createMetrics, createSidecar, parseFuncContext } from '../../lib/host/index.js';
import { runCli } from '../support/cli.js';
import { DAPR_COMPONENT_CRD, established, functionCrdAsInstalled } from '../support/openfunction-crds.js';

const run = promisify(execFile);
const TIMEOUT = 180_000;
const CONTROLLER = 'system:serviceaccount:openfunction:openfunction-events-controller';
let cp: ControlPlane;
let admin: string;

async function kubectl(args: string[], kubeconfig = admin, input?: string): Promise<string> {
  const child = run(cp.kubectl, ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) child.child.stdin!.end(input);
  try {
    return (await child).stdout;
  } catch (e) {
    throw new Error(`kubectl ${args.join(' ')}: ${(e as { stderr?: string }).stderr ?? String(e)}`, { cause: e });
  }
}

const controllerOnce = () => runCli('controller', '--once', '--kubeconfig', cp.kubeconfig(CONTROLLER));
const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
type Item = { metadata: { name: string; generation?: number; ownerReferences?: Array<{ kind: string; name: string }> }; status?: { state?: string; conditions?: Array<{ type: string; reason?: string; message?: string; observedGeneration?: number }> } };

beforeAll(async () => {
  cp = await startControlPlane();
  admin = cp.kubeconfig();
  // What an OpenFunction 1.2 install brings: its namespace and the Function CRD; Dapr's Component CRD.
  await kubectl(['create', 'namespace', 'openfunction']);
  // OpenFunction's own configuration, which the install set must leave alone.
  await kubectl(['create', 'configmap', 'openfunction-config', '-n', 'openfunction', '--from-literal=knative={"serving":"on"}', '--from-literal=plugins.tracing=enabled']);
  await kubectl(['apply', '--server-side', '-f', '-'], admin, functionCrdAsInstalled());
  await kubectl(['apply', '--server-side', '-f', DAPR_COMPONENT_CRD]);
  await established((a) => kubectl(a), 'functions.core.openfunction.io', 'components.dapr.io');
}, TIMEOUT);

afterAll(() => cp?.stop(), TIMEOUT);

test('kubectl apply -k manifests installs on a real API server', async () => {
  const out = await kubectl(['apply', '-k', 'manifests']);
  expect(out).toMatch(/customresourcedefinition.apiextensions.k8s.io\/eventsources.events.openfunction.io (created|configured|serverside-applied)/);
  expect(out).toMatch(/function.core.openfunction.io\/openfunction-events-controller created/);
  expect(out).toMatch(/validatingadmissionpolicy.admissionregistration.k8s.io\/openfunction-events-switchover created/);
  await established((a) => kubectl(a), 'eventsources.events.openfunction.io', 'triggers.events.openfunction.io', 'eventbuses.events.openfunction.io', 'clustereventbuses.events.openfunction.io');
}, TIMEOUT);

test('every sample and golden case is accepted by our CRDs', async () => {
  for (const ns of ['team', 'other']) await kubectl(['create', 'namespace', ns]);
  for (const dir of ['manifests/samples/upstream', 'test/golden/cases']) {
    const out = await kubectl(['apply', '-f', dir]);
    expect(out).not.toMatch(/error/i);
  }
  await kubectl(['apply', '-f', 'manifests/samples/quickstart.yaml', '-n', 'default']);
}, TIMEOUT);

test('the controller, as its own ServiceAccount: Functions applied and accepted by the Function CRD, status with observedGeneration, printer columns', async () => {
  await kubectl(['create', 'namespace', 'shop']);
  const set = `
apiVersion: events.openfunction.io/v1alpha1
kind: EventBus
metadata: {name: default, namespace: shop}
spec:
  jetstream: {natsURL: "${sharedBrokerUrl('nats')}"}
---
apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: clock, namespace: shop}
spec:
  eventBus: default
  cron:
    a: {schedule: "@every 5s"}
    b: {schedule: "@every 7s"}
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: both, namespace: shop}
spec:
  eventBus: default
  inputs:
    a: {eventSource: clock, event: a}
    b: {eventSource: clock, event: b}
  subscribers:
    - {condition: a && b, sink: {uri: "http://display.shop.svc.cluster.local/"}}
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: broken, namespace: shop}
spec:
  eventBus: default
  inputs:
    a: {eventSource: clock, event: a}
  subscribers:
    - {condition: "a &&", sink: {uri: "http://display.shop.svc.cluster.local/"}}
`;
  await kubectl(['apply', '-f', '-'], admin, set);
  // Every answer from the API server, and whether its request rode a kept-alive TLS connection.
  const port = new URL(cp.server).port;
  const calls: boolean[] = [];
  const onAnswer = ({ request }: { request: { reusedSocket: boolean; host: string; getHeader(name: string): unknown } }) => {
    if (String(request.getHeader('host')).endsWith(`:${port}`)) calls.push(request.reusedSocket);
  };
  diagnostics.subscribe('http.client.response.finish', onAnswer as (message: unknown) => void);
  const first = await controllerOnce().finally(() => diagnostics.unsubscribe('http.client.response.finish', onAnswer as (message: unknown) => void));
  // client-node alone opened a connection (and a TLS handshake) per call; the controller keeps them.
  expect(calls.length).toBeGreaterThan(20);
  expect(calls.filter((reused) => !reused).length).toBeLessThan(calls.length / 2);
  expect(first.err.filter((l) => l.startsWith('error:') && !l.includes('/broken'))).toEqual([]);
  expect(first.out[0]).toMatch(/^applied [1-9]\d*, pruned 0, status writes [1-9]\d*, errors 0$/);

  const functions = await json<{ items: Item[] }>(['get', 'functions.core.openfunction.io', '-n', 'shop']);
  expect(functions.items.map((f) => f.metadata.name).sort()).toEqual(['esw-clock-cron-a', 'esw-clock-cron-b', 't-both']);
  expect(functions.items.find((f) => f.metadata.name === 't-both')!.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Trigger', name: 'both' })]);

  const trigger = await json<Item>(['get', 'trigger', 'both', '-n', 'shop']);
  expect(trigger.status!.state).toBe('Pending');
  for (const c of trigger.status!.conditions!) expect(c.observedGeneration).toBe(trigger.metadata.generation);
  // A resource the API server accepts and we reject: its status names the field.
  const broken = await json<Item>(['get', 'trigger', 'broken', '-n', 'shop']);
  expect(broken.status!.state).toBe('Error');
  expect(broken.status!.conditions!.find((c) => c.type === 'Planned')).toMatchObject({ reason: 'InvalidCondition', message: expect.stringContaining('spec.subscribers[0].condition') });

  const table = await kubectl(['get', 'eventsources,triggers', '-n', 'shop']);
  expect(table).toMatch(/NAME\s+EVENTBUS\s+SINK\s+STATUS/);
  expect(table).toMatch(/trigger.events.openfunction.io\/broken\s+default\s+Error/);

  // Nothing changed: nothing written.
  expect((await controllerOnce()).out[0]).toBe('applied 0, pruned 0, status writes 0, errors 0');
}, TIMEOUT);

test("switch-over: OpenFunction's own events controllers are refused our Functions and our status; the rest of OpenFunction is not", async () => {
  // OpenFunction's manager, with the broad rights its install gives it.
  const upstream = 'system:serviceaccount:openfunction:openfunction-controller-manager';
  await kubectl(['create', 'clusterrolebinding', 'openfunction-manager', '--clusterrole=cluster-admin', `--serviceaccount=openfunction:openfunction-controller-manager`]);
  const asUpstream = cp.kubeconfig(upstream);
  const fn = (name: string, labels: Record<string, string>) => JSON.stringify({ apiVersion: 'core.openfunction.io/v1beta2', kind: 'Function', metadata: { name, namespace: 'shop', labels }, spec: { version: 'v1', image: 'upstream/eventsource-handler:v4', serving: { triggers: { dapr: [{ name: 'x', type: 'bindings.cron' }] } } } });
  const refused = async (args: string[], input?: string) => {
    try {
      await kubectl(args, asUpstream, input);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  // Upstream's EventSource controller creating its esw-* Function, and updating ours.
  const create = await refused(['create', '-f', '-'], fn('esw-clock-cron-z', { 'controlled-by-eventsource': 'clock', 'openfunction.io/managed': 'true' }));
  expect(create).toMatch(/openfunction-events owns Functions generated for EventSources and Triggers: only system:serviceaccount:openfunction:openfunction-events-controller may write it, not system:serviceaccount:openfunction:openfunction-controller-manager/);
  expect(await refused(['patch', 'function', 't-both', '-n', 'shop', '--type', 'merge', '-p', '{"spec":{"image":"upstream/trigger-handler:v4"}}'])).toMatch(/openfunction-events owns/);
  expect(await refused(['delete', 'function', 't-both', '-n', 'shop'])).toMatch(/openfunction-events owns/);
  // Upstream's status writes on our resources.
  expect(await refused(['patch', 'trigger', 'both', '-n', 'shop', '--subresource', 'status', '--type', 'merge', '-p', '{"status":{"conditions":[]}}'])).toMatch(/openfunction-events owns the status of triggers/);
  // What OpenFunction's Function controller does: its own Functions, and status and metadata of ours.
  expect(await refused(['create', '-f', '-'], fn('a-user-function', {}))).toBe('');
  expect(await refused(['patch', 'function', 't-both', '-n', 'shop', '--subresource', 'status', '--type', 'merge', '-p', '{"status":{"serving":{"state":"Running"}}}'])).toBe('');
  expect(await refused(['annotate', 'function', 't-both', '-n', 'shop', 'openfunction.io/touched=yes'])).toBe('');
  // And ours still writes what it owns.
  expect((await controllerOnce()).out[0]).toMatch(/errors 0$/);
}, TIMEOUT);

test('names that collide, a cycle, and a read across namespaces without consent are refused in status; the owner never flips', async () => {
  await kubectl(['create', 'namespace', 'tenants']);
  await kubectl(['create', 'namespace', 'tenants-reader']);
  const bus = (ns: string) => `apiVersion: events.openfunction.io/v1alpha1
kind: EventBus
metadata: {name: default, namespace: ${ns}}
spec:
  jetstream: {natsURL: "${sharedBrokerUrl('nats')}"}
---
`;
  // esw-x-cron-cron-ev twice: x's event cron-ev, and x-cron's event ev.
  await kubectl(['apply', '-f', '-'], admin, `${bus('tenants')}${bus('tenants-reader')}apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: x, namespace: tenants}
spec: {eventBus: default, cron: {cron-ev: {schedule: "@every 5s"}}}
---
apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: x-cron, namespace: tenants}
spec: {eventBus: default, cron: {ev: {schedule: "@every 5s"}}}
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: loop, namespace: tenants}
spec:
  eventBus: default
  inputs: {tick: {eventSource: x, event: cron-ev}}
  subscribers: [{condition: tick, topic: tenants-x-cron-ev}]
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: reader, namespace: tenants-reader}
spec:
  eventBus: default
  inputs: {tick: {eventSource: x, event: cron-ev, namespace: tenants}}
  subscribers: [{condition: tick, sink: {uri: "http://display.tenants-reader.svc.cluster.local/"}}]
`);
  await controllerOnce();
  type Full = Item & { metadata: { creationTimestamp: string; labels?: Record<string, string> } };
  const sources = await json<{ items: Full[] }>(['get', 'eventsources', '-n', 'tenants']);
  // Oldest first; on a tie (timestamps have seconds) the name decides.
  const [winner, loser] = [...sources.items].sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
  const ownerOf = async () => (await json<Full>(['get', 'functions.core.openfunction.io', 'esw-x-cron-cron-ev', '-n', 'tenants'])).metadata.labels!['controlled-by-eventsource'];
  expect(await ownerOf()).toBe(winner!.metadata.name);
  const refused = await json<Item>(['get', 'eventsource', loser!.metadata.name, '-n', 'tenants']);
  expect(refused.status!.state).toBe('Error');
  expect(refused.status!.conditions!.find((c) => c.reason === 'NameConflict')!.message).toContain(`already its Function name of EventSource tenants/${winner!.metadata.name}`);
  // kubectl describe's story: a Warning Event with the reason, and the FUNCTIONS and REASON columns.
  const events = await json<{ items: Array<{ type: string; reason: string; message: string; involvedObject: { kind: string; name: string } }> }>(['get', 'events', '-n', 'tenants']);
  expect(events.items).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'NameConflict', involvedObject: expect.objectContaining({ kind: 'EventSource', name: loser!.metadata.name }) }));
  expect(await kubectl(['get', 'eventsources', '-n', 'tenants'])).toMatch(new RegExp(`${loser!.metadata.name}\\s+default\\s+Error\\s+0/1\\s+NameConflict`));
  const loop = await json<Item>(['get', 'trigger', 'loop', '-n', 'tenants']);
  expect(loop.status!.conditions!.find((c) => c.reason === 'Cycle')!.message).toContain('feeds itself: "tenants-x-cron-ev" → Trigger tenants/loop');
  const reader = await json<Item>(['get', 'trigger', 'reader', '-n', 'tenants-reader']);
  expect(reader.status!.conditions!.find((c) => c.reason === 'NotPermitted')!.message).toContain('annotate it events.openfunction.io/readable-from: "tenants-reader"');
  const functionsIn = async (ns: string) => (await json<{ items: Item[] }>(['get', 'functions.core.openfunction.io', '-n', ns])).items.map((f) => f.metadata.name).sort();
  expect(await functionsIn('tenants-reader')).toEqual([]);
  expect(await functionsIn('tenants')).toEqual(['esw-x-cron-cron-ev']);

  // Consent given: the reader runs. Reconciled again: the Function keeps its owner.
  await kubectl(['annotate', 'eventsource', 'x', '-n', 'tenants', 'events.openfunction.io/readable-from=tenants-reader']);
  await controllerOnce();
  expect(await functionsIn('tenants-reader')).toEqual(['t-reader']);
  expect(await ownerOf()).toBe(winner!.metadata.name);
}, TIMEOUT);

test('ofn-events status: state, Functions, reasons and messages from the API server, and live counts from a pod\'s metrics through the pod proxy', async () => {
  // A Function's pod as a kubelet would report it, its IP this machine's, where a real host serves its metrics.
  const ip = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  const host = createHost({ context: parseFuncContext(JSON.stringify({ name: 't-reader', runtime: 'Async', inputs: { 'ti-tenants-x-cron-ev': { uri: 'tenants-x-cron-ev', componentName: 'c', componentType: 'pubsub.jetstream' } }, outputs: {} })), fn: async (ctx) => {
    ctx.count?.('firings', { trigger: 'reader', subscriber: '0', condition: 'tick' });
    ctx.count?.('deliveries', { trigger: 'reader', subscriber: '0', result: 'delivered' });
  }, sidecar: createSidecar({ host: '127.0.0.1', httpPort: 1 }), log: silentLogger, metrics: createMetrics(false) });
  const port = await host.listen(0, '0.0.0.0');
  try {
    for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${port}/events/ti-tenants-x-cron-ev`, { method: 'POST', body: JSON.stringify({ specversion: '1.0', id: `e${i}`, source: '/s', type: 't', data: {} }) });
    await kubectl(['patch', 'functions.core.openfunction.io', 't-reader', '-n', 'tenants-reader', '--subresource=status', '--type', 'merge', '-p', '{"status":{"serving":{"state":"Running","resourceRef":"serving-abcde"}}}']);
    await kubectl(['apply', '-f', '-'], admin, `apiVersion: v1
kind: Pod
metadata: {name: t-reader-pod, namespace: tenants-reader, labels: {openfunction.io/serving: serving-abcde}}
spec:
  containers: [{name: function, image: trigger-handler, ports: [{name: function-port, containerPort: ${port}}]}]
`);
    await kubectl(['patch', 'pod', 't-reader-pod', '-n', 'tenants-reader', '--subresource=status', '--type', 'merge', '-p', JSON.stringify({ status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } })]);
    const result = await runCli('status', '-A', '-o', 'wide', '--kubeconfig', admin);
    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    expect(text).toMatch(/^NAMESPACE\s+KIND\s+NAME\s+STATE\s+FUNCTIONS\s+REASON$/m);
    expect(text).toMatch(/^tenants\s+Trigger\s+loop\s+Error\s+\d+\/\d+\s+Cycle\n\s+spec\.subscribers\[0\]\.topic: feeds itself/m);
    expect(text).toMatch(/^tenants-reader\s+Trigger\s+reader\s+\w+\s+\d+\/1/m);
    // What flowed, from the pod's own metrics through the API server.
    expect(text).toContain('Trigger/tenants-reader/reader: 3 in');
    expect(text).toContain('subscriber 0 "tick": 3 fired, 3 delivered');
    expect(text).toMatch(/Function t-reader: Running; Dapr components: /);
    const json = JSON.parse((await runCli('status', '-n', 'tenants', '-o', 'json', '--kubeconfig', admin)).out.join('\n')) as { resources: Array<{ name: string; reason: string }> };
    expect(json.resources.map((r) => [r.name, r.reason])).toContainEqual(['loop', 'Cycle']);
  } finally {
    await host.drain(1000);
  }
}, TIMEOUT);

test("the admin's policies, read by the controller from its ConfigMap: private sinks refused until allowed, Secrets refused under secretRefs: deny", async () => {
  await kubectl(['create', 'namespace', 'policy']);
  await kubectl(['apply', '-f', '-'], admin, `apiVersion: events.openfunction.io/v1alpha1
kind: EventBus
metadata: {name: default, namespace: policy}
spec:
  jetstream: {natsURL: "${sharedBrokerUrl('nats')}"}
---
apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: clock, namespace: policy}
spec: {eventBus: default, cron: {tick: {schedule: "@every 5s"}}}
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata: {name: meta, namespace: policy}
spec:
  eventBus: default
  inputs: {tick: {eventSource: clock, event: tick}}
  subscribers: [{condition: tick, sink: {uri: "http://169.254.169.254/latest/meta-data/"}}]
`);
  const config = (patch: Record<string, string>) => kubectl(['patch', 'configmap', 'openfunction-events-config', '-n', 'openfunction', '--type', 'merge', '-p', JSON.stringify({ data: patch })]);
  const functionsIn = async () => (await json<{ items: Item[] }>(['get', 'functions.core.openfunction.io', '-n', 'policy'])).items.map((f) => f.metadata.name).sort();
  try {
    await controllerOnce();
    const refused = await json<Item>(['get', 'trigger', 'meta', '-n', 'policy']);
    expect(refused.status!.conditions!.find((c) => c.reason === 'NotPermitted')!.message).toContain('spec.subscribers[0].sink.uri: 169.254.169.254 is link-local');
    expect(await functionsIn()).toEqual(['esw-clock-cron-tick']);

    await config({ allowPrivateSinks: 'true' });
    await controllerOnce();
    expect(await functionsIn()).toEqual(['esw-clock-cron-tick', 't-meta']);

    await config({ secretRefs: 'deny' });
    await kubectl(['apply', '-f', '-'], admin, `apiVersion: events.openfunction.io/v1alpha1
kind: EventSource
metadata: {name: feed, namespace: policy}
spec:
  eventBus: default
  kafka:
    orders: {brokers: "kafka:9092", topic: orders, authRequired: true, saslUsername: u, saslPassword: {secretKeyRef: {name: any-secret, key: password}}}
`);
    await controllerOnce();
    const feed = await json<Item>(['get', 'eventsource', 'feed', '-n', 'policy']);
    expect(feed.status!.conditions!.find((c) => c.reason === 'NotPermitted')!.message).toBe('spec.kafka.orders.saslPassword: names a Secret, and this cluster sets secretRefs: "deny" (openfunction-events-config)');
    expect(await functionsIn()).not.toContain('esw-feed-kafka-orders');
  } finally {
    await config({ allowPrivateSinks: 'false', secretRefs: 'allow' });
  }
}, TIMEOUT);

test('an event removed from the EventSource: its Function is pruned', async () => {
  await kubectl(['patch', 'eventsource', 'clock', '-n', 'shop', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/cron/b"}]']);
  const result = await controllerOnce();
  expect(result.out[0]).toMatch(/^applied \d+, pruned 1, /);
  const functions = await json<{ items: Item[] }>(['get', 'functions.core.openfunction.io', '-n', 'shop', '-l', 'openfunction.io/managed=true']);
  expect(functions.items.map((f) => f.metadata.name).sort()).toEqual(['esw-clock-cron-a', 't-both']);
  const source = await json<Item>(['get', 'eventsource', 'clock', '-n', 'shop']);
  expect(source.status!.conditions!.every((c) => c.observedGeneration === source.metadata.generation)).toBe(true);
}, TIMEOUT);

test("kubectl delete -k manifests deletes nothing OpenFunction owns; apply changed none of it", async () => {
  const before = await json<{ data: Record<string, string> }>(['get', 'configmap', 'openfunction-config', '-n', 'openfunction']);
  await kubectl(['delete', '-k', 'manifests', '--wait=false']);
  const after = await json<{ data: Record<string, string> }>(['get', 'configmap', 'openfunction-config', '-n', 'openfunction']);
  expect(after.data).toEqual(before.data);
  expect(after.data).toEqual({ knative: '{"serving":"on"}', 'plugins.tracing': 'enabled' });
  await kubectl(['get', 'namespace', 'openfunction']);
  await kubectl(['get', 'crd', 'functions.core.openfunction.io', 'components.dapr.io']);
}, TIMEOUT);

test("one knob sets every image: the ConfigMap's registry reaches the controller's image and both handler images, and render shows what such a cluster gets", async () => {
  const { mkdtempSync, cpSync, readFileSync: read, writeFileSync: write } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'ofn-events-kustomize-'));
  cpSync('manifests', join(dir, 'manifests'), { recursive: true });
  const config = join(dir, 'manifests', 'config', 'openfunction-events-config.yaml');
  write(config, read(config, 'utf8').replace(/^ {2}registry: .*$/m, '  registry: my.registry.example/team'));
  const built = await kubectl(['kustomize', join(dir, 'manifests')]);
  write(join(dir, 'install.yaml'), built);
  const docs = parseAllDocuments(built).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: { image?: string }; data?: Record<string, string> });
  expect(docs.find((d) => d.kind === 'Function')!.spec!.image).toBe('my.registry.example/team/openfunction-events/controller:0.1.0');
  expect(docs.find((d) => d.kind === 'ConfigMap')!.data).toMatchObject({
    'openfunction.eventsource-handler.image': 'my.registry.example/team/openfunction-events/eventsource-handler:0.1.0',
    'openfunction.trigger-handler.image': 'my.registry.example/team/openfunction-events/trigger-handler:0.1.0',
  });
  const rendered = await runCli('render', '-f', 'manifests/samples/quickstart.yaml', '--images-from', join(dir, 'install.yaml'), '-o', 'json');
  const images = (JSON.parse(rendered.out.join('\n')) as { items: Array<{ spec: { image: string } }> }).items.map((f) => f.spec.image);
  expect([...new Set(images)].sort()).toEqual(['my.registry.example/team/openfunction-events/eventsource-handler:0.1.0', 'my.registry.example/team/openfunction-events/trigger-handler:0.1.0']);
}, TIMEOUT);
