// bench/controller: how the controller's pure plan scales (1, 100, 1,000 and 10,000 EventSources plus as many Triggers,
// each EventSource with two events, each Trigger with two inputs) and what a second reconcile of an unchanged world
// decides to write. Goals (issues): planMs10000 < 1000 and linear growth (growth1000to10000 near 10); writesOnSecondReconcile = 0.
// The writes are counted at the API: the 1,000 + 1,000 world is reconciled twice through @kubernetes/client-node
// against the fake API server of the tests, and the second pass's PATCH/DELETE requests are counted.
import { parseResource, type Resource } from '../../lib/api/index.js';
import { silentLogger } from '../../lib/function.js';
import { crossCheck } from '../../lib/api/cross.js';
import { kubeFrom } from '../../lib/io/kube.js';
import { reconcileAll } from '../../functions/controller/reconcile.js';
import { planAll, worldOf, type ResourcePlan } from '../../functions/controller/plan/index.js';
import { startFakeKube } from '../../test/support/fake-kube.js';
import { fmt, machine, median, spread, table } from '../support/report.js';

function world(n: number): Resource[] {
  const docs: unknown[] = [{ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventBus', metadata: { name: 'default', namespace: 'default' }, spec: { jetstream: { natsURL: 'nats://nats:4222' } } }];
  for (let i = 0; i < n; i++) {
    docs.push({
      apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name: `es-${i}`, namespace: 'default', uid: `uid-es-${i}` },
      spec: { eventBus: 'default', sink: { uri: `http://sink-${i}.default.svc/` }, kafka: { orders: { brokers: 'kafka:9092', topic: `orders-${i}`, authRequired: false } }, cron: { tick: { schedule: '@every 5s' } } },
    });
    docs.push({
      apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name: `t-${i}`, namespace: 'default', uid: `uid-t-${i}` },
      spec: { eventBus: 'default', inputs: { orders: { eventSource: `es-${i}`, event: 'orders' }, tick: { eventSource: `es-${i}`, event: 'tick' } }, subscribers: [{ condition: 'orders && tick && orders.data.total > 100', sink: { uri: `http://s-${i}/` }, deadLetterSink: { uri: `http://dlq-${i}/` } }, { condition: 'orders', topic: `all-orders-${i}` }] },
    });
  }
  return docs.map((d) => (parseResource(d) as { ok: true; resource: Resource }).resource);
}

const sizes = [1, 100, 1000, 10_000];
const runs = Number(process.env.RUNS ?? 7);
const rows = [['EventSources + Triggers', 'Functions', 'plan ms (median)', 'spread (min–max)', 'µs per resource']];
const planMs: Record<number, number> = {};
let writesOnSecondReconcile = 0;
let spread10000 = '';
let firstWrites = 0;
let firstReconcileMs = 0;
for (const n of sizes) {
  const resources = world(n);
  const w = worldOf(resources);
  let plans: ResourcePlan[] = [];
  // What the controller computes per resync: every plan, and the rules across resources (names, tenancy, cycles).
  const subjects = resources.filter((r) => r.kind === 'EventSource' || r.kind === 'Trigger') as Parameters<typeof crossCheck>[0];
  for (let i = 0; i < 3; i++) plans = planAll(resources, w); // warm-up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    plans.length = 0; // the controller keeps no plan from one resync to the next
    const t = performance.now();
    plans = planAll(resources, w);
    crossCheck(subjects, { complete: true });
    times.push(performance.now() - t);
  }
  planMs[n] = median(times);
  const functions = plans.reduce((sum, p) => sum + p.functions.length, 0);
  rows.push([`${n} + ${n}`, String(functions), fmt(planMs[n]!), spread(times), fmt((planMs[n]! * 1000) / (2 * n))]);
  if (n === 10_000) spread10000 = spread(times);
  if (n === 1000) {
    const fake = await startFakeKube();
    for (const r of resources) fake.put(r.kind === 'EventSource' ? 'eventsources' : r.kind === 'Trigger' ? 'triggers' : 'eventbuses', r as never);
    const kube = kubeFrom(fake.kubeConfig);
    const t = performance.now();
    const first = await reconcileAll(kube, { now: () => new Date('2026-01-01T00:00:00Z'), log: silentLogger });
    firstReconcileMs = performance.now() - t;
    firstWrites = first.applied + first.pruned + first.statusWrites;
    // The world then changes once more, as OpenFunction reports the Functions running; reconciling that is the
    // status going Ready. The world is unchanged from there: the next reconcile is the one measured.
    for (const f of fake.list('core.openfunction.io/v1beta2', 'functions')) f.status = { serving: { state: 'Running' } };
    await reconcileAll(kube, { now: () => new Date('2026-01-01T00:01:00Z'), log: silentLogger });
    fake.reset();
    await reconcileAll(kube, { now: () => new Date('2026-01-01T00:02:00Z'), log: silentLogger });
    writesOnSecondReconcile = fake.writes().length;
    await fake.close();
  }
}

// The first reconcile of a cluster writes every Function: against an API server answering in LATENCY_MS, one write
// at a time (concurrency 1) next to the controller's default (8 resources at once), on 200 + 200 resources.
const LATENCY_MS = 5;
const firstMs: Record<number, number> = {};
for (const concurrency of [1, 8]) {
  const fake = await startFakeKube({ latencyMs: LATENCY_MS });
  for (const r of world(200)) fake.put(r.kind === 'EventSource' ? 'eventsources' : r.kind === 'Trigger' ? 'triggers' : 'eventbuses', r as never);
  const t = performance.now();
  await reconcileAll(kubeFrom(fake.kubeConfig), { now: () => new Date('2026-01-01T00:00:00Z'), log: silentLogger, concurrency });
  firstMs[concurrency] = performance.now() - t;
  await fake.close();
}
console.log(`bench/controller — ${machine()}, median of ${runs} plans per size\n`);
console.log(table(rows));
const growth = planMs[1000]! / planMs[100]!;
const growth10k = planMs[10_000]! / planMs[1000]!;
console.log(`\n1,000 vs 100: ${growth.toFixed(1)}× the time for 10× the resources; 10,000 vs 1,000: ${growth10k.toFixed(1)}× (linear is 10×); 10,000 + 10,000 planned in ${fmt(planMs[10_000]!)} ms (goal < 1,000)`);
console.log(`through the API (fake server, @kubernetes/client-node): first reconcile ${firstWrites} writes in ${fmt(firstReconcileMs)} ms; reconciling the settled, unchanged world again: ${writesOnSecondReconcile} writes`);
console.log(`first reconcile of 200 + 200 against an API server answering in ${LATENCY_MS} ms: one at a time ${fmt(firstMs[1]!)} ms, 8 at once ${fmt(firstMs[8]!)} ms (${fmt(firstMs[1]! / firstMs[8]!)}×)`);
console.log(JSON.stringify({ firstReconcileSpeedup: Number((firstMs[1]! / firstMs[8]!).toFixed(2)), planMs1: Number(planMs[1]!.toFixed(3)), planMs100: Number(planMs[100]!.toFixed(2)), planMs1000: Number(planMs[1000]!.toFixed(1)), planMs10000: Number(planMs[10_000]!.toFixed(0)), planMs10000Spread: spread10000, growth100to1000: Number(growth.toFixed(2)), growth1000to10000: Number(growth10k.toFixed(2)), firstReconcileWrites: firstWrites, writesOnSecondReconcile }));
