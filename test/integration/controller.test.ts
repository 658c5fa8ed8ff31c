// The controller's reconcile through @kubernetes/client-node against a fake API server at the HTTP boundary:
// creation, status, no writes when nothing changed, pruning, repair of a deleted Function, problems as status.
import { silentLogger } from '../../lib/function.js';
import { kubeFrom, type Kube } from '../../lib/io/kube.js';
import { createEventRecorder } from '../../functions/controller/events.js';
import { reconcileAll } from '../../functions/controller/reconcile.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube.js';

const EVENTS = 'events.openfunction.io/v1alpha1';
const FN = 'core.openfunction.io/v1beta2';
let fake: FakeKube;
let kube: Kube;
let clock = new Date('2026-01-01T00:00:00Z');
const reconcile = () => reconcileAll(kube, { now: () => clock, log: silentLogger, configMaps: [{ namespace: 'openfunction', name: 'openfunction-events-config' }, { namespace: 'openfunction', name: 'openfunction-config' }] });

beforeEach(async () => {
  fake = await startFakeKube();
  kube = kubeFrom(fake.kubeConfig);
  fake.put('eventbuses', { apiVersion: EVENTS, kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { jetstream: { natsURL: 'nats://nats:4222' } } });
  fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'shop', namespace: 'default' }, spec: { eventBus: 'default', cron: { tick: { schedule: '@every 5s' } }, mqtt: { paid: { url: 'tcp://m:1883', topic: 'paid' } } } });
  fake.put('triggers', { apiVersion: EVENTS, kind: 'Trigger', metadata: { name: 'orders', namespace: 'default' }, spec: { eventBus: 'default', inputs: { paid: { eventSource: 'shop', event: 'paid' } }, subscribers: [{ condition: 'paid', sink: { uri: 'http://s/' } }] } });
});
afterEach(() => fake.close());

const functionNames = () => fake.list(FN, 'functions').map((f) => f.metadata.name).sort();
const statusOf = (plural: string, name: string) => fake.get(EVENTS, plural, 'default', name)!.status as { state: string; conditions: Array<{ type: string; status: string; reason: string; message: string }> };

describe('controller - reconcile through the Kubernetes API', () => {
  test('creates the Functions with server-side apply, owned by their resource, and reports Pending until they run', async () => {
    expect(await reconcile()).toEqual({ applied: 3, pruned: 0, statusWrites: 2, errors: [] });
    expect(functionNames()).toEqual(['esw-shop-cron-tick', 'esw-shop-mqtt-paid', 't-orders']);
    const apply = fake.requests.find((r) => r.method === 'PATCH' && r.path.includes('/functions/t-orders'))!;
    expect(apply.contentType).toBe('application/apply-patch+yaml');
    expect(apply.path).toMatch(/^\/apis\/core\.openfunction\.io\/v1beta2\/namespaces\/default\/functions\/t-orders\?.*fieldManager=openfunction-events/);
    const fn = fake.get(FN, 'functions', 'default', 't-orders')!;
    expect(fn.metadata.ownerReferences).toEqual([{ apiVersion: EVENTS, kind: 'Trigger', name: 'orders', uid: fake.get(EVENTS, 'triggers', 'default', 'orders')!.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(statusOf('triggers', 'orders').state).toBe('Pending');
    expect(fake.requests.find((r) => r.path.endsWith('/triggers/orders/status'))!.contentType).toBe('application/merge-patch+json');
  });

  test('Ready once the Functions run; an unchanged world is then reconciled with no writes at all', async () => {
    await reconcile();
    for (const f of fake.list(FN, 'functions')) f.status = { serving: { state: 'Running' } };
    clock = new Date('2026-01-01T00:01:00Z');
    expect(await reconcile()).toEqual({ applied: 0, pruned: 0, statusWrites: 2, errors: [] });
    expect(statusOf('eventsources', 'shop')).toMatchObject({ state: 'Ready' });
    fake.reset();
    clock = new Date('2026-01-01T00:02:00Z');
    expect(await reconcile()).toEqual({ applied: 0, pruned: 0, statusWrites: 0, errors: [] });
    expect(fake.writes()).toEqual([]);
  });

  test('an event removed from the spec has its Function pruned; a deleted Function is recreated', async () => {
    await reconcile();
    fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'shop', namespace: 'default' }, spec: { eventBus: 'default', mqtt: { paid: { url: 'tcp://m:1883', topic: 'paid' } } } });
    fake.remove(FN, 'functions', 'default', 't-orders');
    fake.reset();
    const stats = await reconcile();
    expect([stats.applied, stats.pruned]).toEqual([1, 1]);
    expect(functionNames()).toEqual(['esw-shop-mqtt-paid', 't-orders']);
    const deletion = fake.requests.find((r) => r.method === 'DELETE')!;
    expect(deletion.path).toBe('/apis/core.openfunction.io/v1beta2/namespaces/default/functions/esw-shop-cron-tick');
    expect((deletion.body as { preconditions: { uid: string } }).preconditions.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a hand edit of a field we own is repaired; a field we do not own is left alone', async () => {
    await reconcile();
    const fn = fake.get(FN, 'functions', 'default', 't-orders')!;
    (fn.spec as { image: string }).image = 'someone/else:latest';
    (fn.spec as { workloadRuntime: string }).workloadRuntime = 'WasmEdge';
    fake.reset();
    expect((await reconcile()).applied).toBe(1);
    expect((fake.get(FN, 'functions', 'default', 't-orders')!.spec as { image: string }).image).toBe('registry.invalid/openfunction-events/trigger-handler:0.1.0');
    fake.get(FN, 'functions', 'default', 't-orders')!.spec = { ...(fake.get(FN, 'functions', 'default', 't-orders')!.spec as object), workloadRuntime: 'WasmEdge' };
    fake.reset();
    await reconcile();
    expect(fake.writes().filter((w) => w.path.includes('/functions/'))).toEqual([]);
  });

  test('a missing bus or an invalid condition is an Error status naming the field, with no Functions', async () => {
    fake.put('triggers', { apiVersion: EVENTS, kind: 'Trigger', metadata: { name: 'orders', namespace: 'default' }, spec: { eventBus: 'default', inputs: { paid: { eventSource: 'shop', event: 'paid' } }, subscribers: [{ condition: 'paid && unpaid', topic: 'x' }] } });
    fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'shop', namespace: 'default' }, spec: { eventBus: 'elsewhere', cron: { tick: { schedule: '@every 5s' } } } });
    await reconcile();
    expect(functionNames()).toEqual([]);
    expect(statusOf('eventsources', 'shop')).toMatchObject({ state: 'Error', conditions: [{ type: 'Planned', status: 'False', reason: 'EventBusNotFound' }, {}, { type: 'Ready', status: 'False' }] });
    expect(statusOf('triggers', 'orders').conditions[0]).toMatchObject({ reason: 'InvalidCondition', message: 'spec.subscribers[0].condition: at character 9: unknown input "unpaid"; did you mean "paid"?' });
  });

  test('a bus change reaches every Function on it; a bus without a backend is an Error', async () => {
    await reconcile();
    fake.put('eventbuses', { apiVersion: EVENTS, kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { redis: { redisHost: 'redis:6379' } } });
    await reconcile();
    for (const name of ['esw-shop-cron-tick', 't-orders']) {
      const pubsub = (fake.get(FN, 'functions', 'default', name)!.spec as { serving: { pubsub: Record<string, { type: string }> } }).serving.pubsub;
      expect(Object.values(pubsub).map((c) => c.type)).toEqual(['pubsub.redis']);
    }
    fake.put('eventbuses', { apiVersion: EVENTS, kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { topic: 'x' } });
    await reconcile();
    expect(statusOf('triggers', 'orders').conditions[0]).toMatchObject({ reason: 'EventBusInvalid', message: 'spec.eventBus: EventBus default/default: set one bus backend: natsStreaming, jetstream, kafka, redis (jetstream is recommended)' });
    expect(functionNames()).toEqual(['esw-shop-cron-tick', 'esw-shop-mqtt-paid', 't-orders']); // kept while in Error
  });

  test("handler images come from our ConfigMap, then from upstream's keys in OpenFunction's own", async () => {
    fake.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'openfunction-config', namespace: 'openfunction' }, data: { 'openfunction.trigger-handler.image': 'registry.local/trigger-handler:upstream', 'openfunction.eventsource-handler.image': 'registry.local/eventsource-handler:upstream' } });
    fake.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'openfunction-events-config', namespace: 'openfunction' }, data: { 'openfunction.trigger-handler.image': 'registry.local/trigger-handler:ours' } });
    await reconcile();
    expect((fake.get(FN, 'functions', 'default', 't-orders')!.spec as { image: string }).image).toBe('registry.local/trigger-handler:ours');
    expect((fake.get(FN, 'functions', 'default', 'esw-shop-cron-tick')!.spec as { image: string }).image).toBe('registry.local/eventsource-handler:upstream');
  });
});

import { createController } from '../../functions/controller/controller.js';
import { eventually } from '../support/local.js';

describe('controller - watch', () => {
  test('a change to a resource is reconciled without waiting for the resync tick', async () => {
    let reconciles = 0;
    const controller = createController(kube, {
      log: silentLogger,
      now: () => clock,
      timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
      onReconciled: () => void reconciles++,
    });
    try {
      await controller.start();
      await eventually(() => functionNames().length === 3, 'the first reconcile');
      const before = reconciles;
      fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'late', namespace: 'default' }, spec: { eventBus: 'default', cron: { tock: { schedule: '@every 9s' } } } });
      // The Function is written during the reconcile, and the count moves when it returns: wait for both.
      await eventually(() => functionNames().includes('esw-late-cron-tock') && reconciles > before, 'the watch to trigger a reconcile');
      expect(reconciles).toBeGreaterThan(before);
    } finally {
      await controller.stop();
    }
  });
});

describe('controller - writes in flight', () => {
  // The lanes fill up; the one Event writer (functions/controller/events.ts) may add a write in a gap between them.
  test.each([[1, 2], [3, 4]])('with concurrency %i, at most %i writes are in flight at once, and every write lands', async (concurrency, most) => {
    const slow = await startFakeKube({ latencyMs: 20 });
    try {
      for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) slow.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name, namespace: 'default' }, spec: { cron: { tick: { schedule: '@every 5s' } }, sink: { uri: 'http://sink/' } } });
      const stats = await reconcileAll(kubeFrom(slow.kubeConfig), { now: () => clock, log: silentLogger, concurrency });
      expect([stats.applied, stats.errors]).toEqual([6, []]);
      expect(slow.list(FN, 'functions')).toHaveLength(6);
      // Each resource writes its Function and then its status, in order; resources overlap up to the bound.
      expect(slow.peakWritesInFlight()).toBeGreaterThanOrEqual(concurrency);
      expect(slow.peakWritesInFlight()).toBeLessThanOrEqual(most);
    } finally {
      await slow.close();
    }
  });
});

describe('controller - Events', () => {
  test('an Event API that does not answer holds no reconcile: Functions and status land, then the Events follow', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held: Kube = { ...kube, recordEvent: async (...args) => (await gate, kube.recordEvent(...args)) };
    const events = createEventRecorder(held, silentLogger);
    expect(await reconcileAll(held, { now: () => clock, log: silentLogger, events })).toEqual({ applied: 3, pruned: 0, statusWrites: 2, errors: [] });
    expect(statusOf('triggers', 'orders').state).toBe('Pending');
    const eventsPosted = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events')).length;
    expect(eventsPosted()).toBe(0);
    open();
    await events.flushed();
    expect(eventsPosted()).toBe(2);
  });

  test('stopping the controller waits for the Events already queued, up to its grace period', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held: Kube = { ...kube, recordEvent: async (...args) => (await gate, kube.recordEvent(...args)) };
    const timers = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
    const eventsPosted = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events')).length;
    let reconciled = false;
    const controller = createController(held, { log: silentLogger, now: () => clock, timers, onReconciled: () => void (reconciled = true) });
    await controller.start();
    await eventually(() => reconciled, 'the first reconcile');
    let stopped = false;
    const stopping = controller.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(eventsPosted()).toBe(2);
    // An Event API that never answers holds a stop only for the grace period.
    const stuck: Kube = { ...kube, recordEvent: () => new Promise<void>(() => {}) };
    let stuckReconciled = false;
    fake.put('triggers', { apiVersion: EVENTS, kind: 'Trigger', metadata: { name: 'later', namespace: 'default' }, spec: { eventBus: 'default', inputs: { paid: { eventSource: 'shop', event: 'paid' } }, subscribers: [{ condition: 'paid', sink: { uri: 'http://s/' } }] } });
    // The grace period's timer is the test's to fire (a distinctive length marks it), not a real wait.
    const GRACE_MS = 12_345;
    let graceEnds: (() => void) | undefined;
    const graceTimers = { ...timers, setTimeout: (fn: () => void, ms: number) => (ms === GRACE_MS ? ((graceEnds = fn), undefined) : timers.setTimeout(fn, ms)) };
    const second = createController(stuck, { log: silentLogger, now: () => clock, timers: graceTimers, onReconciled: () => void (stuckReconciled = true) });
    await second.start();
    await eventually(() => stuckReconciled, "the second controller's reconcile");
    let secondStopped = false;
    const secondStopping = second.stop(GRACE_MS).then(() => (secondStopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondStopped).toBe(false);
    graceEnds!();
    await expect(secondStopping).resolves.toBe(true);
  });

  test('without a recorder of its own, a reconcile returns once its Events are written (ofn-events controller --once)', async () => {
    await reconcile();
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/events')).length).toBe(2);
  });
});

describe('controller - connections', () => {
  test('calls reuse kept-alive connections (client-node alone opens one per call)', async () => {
    const own = await startFakeKube();
    try {
      for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) own.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name, namespace: 'default' }, spec: { cron: { tick: { schedule: '@every 5s' } }, sink: { uri: 'http://sink/' } } });
      const stats = await reconcileAll(kubeFrom(own.kubeConfig), { now: () => clock, log: silentLogger, concurrency: 1 });
      expect(stats.applied).toBe(6);
      // The lists go out at once, each on a connection of its own; the writes after them, one resource at a
      // time, open none (without the shared agent, every one of the 24 calls had its own connection).
      const lists = own.requests.filter((r) => r.method === 'GET').length;
      expect(own.requests.length - lists).toBeGreaterThanOrEqual(12);
      expect(own.connections()).toBeLessThanOrEqual(lists);
    } finally {
      await own.close();
    }
  });
});

describe('controller - policy', () => {
  test('a sink aimed at cloud metadata or the sidecar is refused, until the admin allows private sinks', async () => {
    fake.put('triggers', { apiVersion: EVENTS, kind: 'Trigger', metadata: { name: 'orders', namespace: 'default' }, spec: { eventBus: 'default', inputs: { paid: { eventSource: 'shop', event: 'paid' } }, subscribers: [{ condition: 'paid', sink: { uri: 'http://169.254.169.254/latest/meta-data/' } }, { condition: 'paid', sink: { uri: 'http://localhost:3500/v1.0/publish/x/y' } }] } });
    await reconcile();
    expect(statusOf('triggers', 'orders')).toMatchObject({ state: 'Error', conditions: expect.arrayContaining([expect.objectContaining({ reason: 'NotPermitted', message: expect.stringContaining('spec.subscribers[0].sink.uri: 169.254.169.254 is link-local') })]) });
    expect(functionNames()).not.toContain('t-orders');
    fake.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'openfunction-events-config', namespace: 'openfunction' }, data: { allowPrivateSinks: 'true' } });
    await reconcile();
    expect(functionNames()).toContain('t-orders');
  });

  test('with secretRefs: deny, a resource naming a Secret is refused, naming the field', async () => {
    fake.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'openfunction-events-config', namespace: 'openfunction' }, data: { secretRefs: 'deny' } });
    fake.put('eventsources', { apiVersion: EVENTS, kind: 'EventSource', metadata: { name: 'feed', namespace: 'default' }, spec: { eventBus: 'default', kafka: { orders: { brokers: 'k:9092', topic: 'orders', authRequired: true, saslUsername: 'u', saslPassword: { secretKeyRef: { name: 'any-secret', key: 'password' } } } } } });
    await reconcile();
    expect(statusOf('eventsources', 'feed').conditions).toContainEqual(expect.objectContaining({ reason: 'NotPermitted', message: 'spec.kafka.orders.saslPassword: names a Secret, and this cluster sets secretRefs: "deny" (openfunction-events-config)' }));
    expect(statusOf('eventsources', 'shop').state).not.toBe('Error');
  });
});

describe('controller - liveness', () => {
  test('a call the API server never answers fails its own resource after the timeout; the others are reconciled', async () => {
    const hung = await startFakeKube({ hang: (method, path) => method === 'PATCH' && path.endsWith('/functions/t-orders') });
    try {
      for (const plural of ['eventbuses', 'eventsources', 'triggers']) for (const o of fake.list(EVENTS, plural)) hung.put(plural, o);
      const stats = await reconcileAll(kubeFrom(hung.kubeConfig, { timeoutMs: 300 }), { now: () => clock, log: silentLogger });
      expect(stats.errors).toEqual(['Trigger default/orders: Kubernetes API: apply functions.core.openfunction.io default/t-orders: no answer in time']);
      expect(hung.list(FN, 'functions').map((f) => f.metadata.name).sort()).toEqual(['esw-shop-cron-tick', 'esw-shop-mqtt-paid']);
    } finally {
      await hung.close();
    }
  });
});
