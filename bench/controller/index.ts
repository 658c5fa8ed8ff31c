// bench/controller: how the controller's pure plan scales (1, 100 and 1,000 EventSources plus as many Triggers,
// each EventSource with two events, each Trigger with two inputs) and what a second reconcile of an unchanged world
// decides to write. Goals (issue): planMs1000 < 200 and linear growth; writesOnSecondReconcile = 0.
// The writes counted are the plan's decisions (writesFor); the Kubernetes I/O layer applies exactly those.
import { parseResource, type Resource } from '../../lib/api/index.js';
import { planAll, statusFor, worldOf, writesFor, type ResourcePlan } from '../../functions/controller/plan/index.js';
import { fmt, machine, median, table } from '../support/report.js';

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

const sizes = [1, 100, 1000];
const runs = Number(process.env.RUNS ?? 7);
const rows = [['EventSources + Triggers', 'Functions', 'plan ms (median)', 'µs per resource']];
const planMs: Record<number, number> = {};
let writesOnSecondReconcile = 0;
for (const n of sizes) {
  const resources = world(n);
  const w = worldOf(resources);
  let plans: ResourcePlan[] = [];
  for (let i = 0; i < 3; i++) plans = planAll(resources, w); // warm-up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    plans = planAll(resources, w);
    times.push(performance.now() - t);
  }
  planMs[n] = median(times);
  const functions = plans.reduce((sum, p) => sum + p.functions.length, 0);
  rows.push([`${n} + ${n}`, String(functions), fmt(planMs[n]!), fmt((planMs[n]! * 1000) / (2 * n))]);
  if (n === 1000) {
    // First reconcile: everything is written. Second: the world is what the first wrote.
    const now = new Date('2026-01-01T00:00:00Z');
    const firstStatus = plans.map((p) => statusFor(1, p, [], undefined, now));
    const owned = plans.map((p) => p.functions.map((f) => ({ name: f.metadata.name, labels: JSON.parse(JSON.stringify(f.metadata.labels)), spec: JSON.parse(JSON.stringify(f.spec)) })));
    const again = planAll(resources, w);
    writesOnSecondReconcile = again.reduce((sum, p, i) => {
      const writes = writesFor(p.functions, owned[i]!, statusFor(1, p, [], firstStatus[i], new Date(now.getTime() + 60_000)), firstStatus[i]);
      return sum + writes.apply.length + writes.prune.length + (writes.status ? 1 : 0);
    }, 0);
  }
}
console.log(`bench/controller — ${machine()}, median of ${runs} plans per size\n`);
console.log(table(rows));
const growth = planMs[1000]! / planMs[100]!;
console.log(`\n1,000 vs 100: ${growth.toFixed(1)}× the time for 10× the resources (linear is 10×); second reconcile of an unchanged world: ${writesOnSecondReconcile} writes`);
console.log(JSON.stringify({ planMs1: Number(planMs[1]!.toFixed(3)), planMs100: Number(planMs[100]!.toFixed(2)), planMs1000: Number(planMs[1000]!.toFixed(1)), growth100to1000: Number(growth.toFixed(2)), writesOnSecondReconcile }));
