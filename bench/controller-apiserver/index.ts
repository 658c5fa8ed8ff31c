// bench/controller-apiserver: the controller against a real kube-apiserver (etcd + kube-apiserver from the peer
// cache): N EventSources and N Triggers reconciled to applied Functions (and status), next to
// `kubectl apply --server-side` of the same rendered Functions against the same API server in the same run, then a
// second pass of an unchanged world (0 writes) and the controller's RSS, over `ROUNDS` (default 3) rounds, each on a
// fresh etcd and API server (rounds on one grew etcd and slowed each other), alternating which side goes first. Goal (issue): ratio ≥ 1.0, i.e. the controller is not slower than kubectl. `N`
// (default 1000) sets the size.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { parseResource, type Resource } from '../../lib/api/index.js';
import { silentLogger } from '../../lib/function.js';
import { kubeFrom } from '../../lib/io/kube.js';
import { planAll, worldOf } from '../../functions/controller/plan/index.js';
import { createEventRecorder } from '../../functions/controller/events.js';
import { reconcileAll } from '../../functions/controller/reconcile.js';
import { startControlPlane } from '../../runtime/control-plane.js';
import { established, functionCrdAsInstalled } from '../../test/support/openfunction-crds.js';
import { machine, median, spread, table } from '../support/report.js';

const exec = promisify(execFile);
const N = Number(process.env.N ?? 1000);
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 3));

const docs = (ns: string) => {
  const out: unknown[] = [{ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventBus', metadata: { name: 'default', namespace: ns }, spec: { jetstream: { natsURL: 'nats://nats:4222' } } }];
  for (let i = 0; i < N; i++) {
    out.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name: `es-${i}`, namespace: ns }, spec: { eventBus: 'default', sink: { uri: `http://sink-${i}.${ns}.svc/` }, cron: { tick: { schedule: '@every 5s' } } } });
    out.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name: `t-${i}`, namespace: ns }, spec: { eventBus: 'default', inputs: { tick: { eventSource: `es-${i}`, event: 'tick' } }, subscribers: [{ condition: 'tick', sink: { uri: `http://s-${i}/` } }] } });
  }
  return out;
};

interface Round {
  controllerMs: number;
  withEventsMs: number;
  kubectlMs: number;
  applied: number;
  statusWrites: number;
  secondWrites: number;
  secondMs: number;
  errors: number;
  rssMB: number;
}

async function round(controllerFirst: boolean): Promise<Round> {
  const cp = await startControlPlane();
  const admin = cp.kubeconfig();
  const kubectl = async (args: string[], input?: string) => {
    const child = exec(cp.kubectl, ['--kubeconfig', admin, ...args], { maxBuffer: 256 * 1024 * 1024 });
    if (input !== undefined) child.child.stdin!.end(input);
    return (await child).stdout;
  };
  try {
    await kubectl(['apply', '--server-side', '-f', '-'], functionCrdAsInstalled());
    await kubectl(['apply', '--server-side', '-f', 'manifests/crds']);
    await established(kubectl, 'functions.core.openfunction.io', 'eventsources.events.openfunction.io', 'triggers.events.openfunction.io', 'eventbuses.events.openfunction.io');
    for (const ns of ['ctrl', 'kctl']) await kubectl(['create', 'namespace', ns]);
    // The resources the controller reconciles (not timed), and the same Functions rendered for kubectl in a
    // namespace of their own.
    await kubectl(['apply', '--server-side', '-f', '-'], docs('ctrl').map((d) => stringify(d)).join('---\n'));
    const resources = docs('kctl').map((d) => (parseResource(d) as { resource: Resource }).resource);
    const rendered = planAll(resources, worldOf(resources)).flatMap((p) => p.functions);
    const file = join(cp.dir, 'rendered.yaml');
    writeFileSync(file, rendered.map((f) => stringify(f)).join('---\n'));

    const kc = new KubeConfig();
    kc.loadFromFile(admin);
    const kube = kubeFrom(kc);
    // A CRD just established answers 429 "storage is (re)initializing" for a moment: wait until each lists.
    for (const [group, version, plural] of [['events.openfunction.io', 'v1alpha1', 'eventsources'], ['events.openfunction.io', 'v1alpha1', 'triggers'], ['events.openfunction.io', 'v1alpha1', 'eventbuses'], ['events.openfunction.io', 'v1alpha1', 'clustereventbuses'], ['core.openfunction.io', 'v1beta2', 'functions']] as const) {
      for (;;) {
        try {
          await kube.list(group, version, plural);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }

    const runController = async () => {
      // As the controller runs: its Events go out beside the reconcile (functions/controller/events.ts). The goal is
      // measured to the point every Function and status is written; the Events' tail is timed on its own.
      const events = createEventRecorder(kube, silentLogger);
      const t0 = performance.now();
      const first = await reconcileAll(kube, { now: () => new Date(), log: silentLogger, events });
      const controllerMs = performance.now() - t0;
      await events.flushed();
      const withEventsMs = performance.now() - t0;
      const t1 = performance.now();
      const second = await reconcileAll(kube, { now: () => new Date(), log: silentLogger, events });
      await events.flushed();
      return { controllerMs, withEventsMs, applied: first.applied, statusWrites: first.statusWrites, secondWrites: second.applied + second.pruned + second.statusWrites, secondMs: performance.now() - t1, errors: first.errors.length + second.errors.length };
    };
    const runKubectl = async () => {
      const t = performance.now();
      await kubectl(['apply', '--server-side', '--field-manager', 'bench', '-f', file]);
      return performance.now() - t;
    };
    if (controllerFirst) {
      const controller = await runController();
      return { ...controller, kubectlMs: await runKubectl(), rssMB: process.memoryUsage().rss / 1024 / 1024 };
    }
    const kubectlMs = await runKubectl();
    return { ...(await runController()), kubectlMs, rssMB: process.memoryUsage().rss / 1024 / 1024 };
  } finally {
    await cp.stop();
  }
}

const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round(i % 2 === 0));

const ratios = rounds.map((r) => r.kubectlMs / r.controllerMs);
const withEvents = rounds.map((r) => r.kubectlMs / r.withEventsMs);
const rssMB = Math.max(...rounds.map((r) => r.rssMB));
console.log(`bench/controller-apiserver on ${machine()}, kube-apiserver and etcd from the peer cache: ${N} EventSources + ${N} Triggers, ${ROUNDS} rounds\n`);
console.log(table([
  ['round', 'first', 'controller: Functions + status ms', '… and Events ms', 'second pass writes / ms', 'kubectl --server-side ms', 'ratio'],
  ...rounds.map((r, i) => [String(i + 1), i % 2 === 0 ? 'controller' : 'kubectl', `${r.applied} + ${r.statusWrites}: ${r.controllerMs.toFixed(0)}`, r.withEventsMs.toFixed(0), `${r.secondWrites} / ${r.secondMs.toFixed(0)}`, `${2 * N}: ${r.kubectlMs.toFixed(0)}`, ratios[i]!.toFixed(2)]),
]));
console.log(`\nratio (kubectl time ÷ controller time to every Function and status written, goal ≥ 1.0): median ${median(ratios).toFixed(2)} (${spread(ratios)}); to its last Event ${median(withEvents).toFixed(2)} (${spread(withEvents)}); process RSS ${rssMB.toFixed(0)} MB at most`);
console.log(JSON.stringify({ bench: 'controller-apiserver', machine: machine(), n: N, rounds: ROUNDS, ratioToKubectl: Number(median(ratios).toFixed(3)), ratios: ratios.map((r) => Number(r.toFixed(3))), ratioWithEvents: Number(median(withEvents).toFixed(3)), controllerMs: rounds.map((r) => Math.round(r.controllerMs)), withEventsMs: rounds.map((r) => Math.round(r.withEventsMs)), kubectlMs: rounds.map((r) => Math.round(r.kubectlMs)), secondPassWrites: rounds.reduce((s, r) => s + r.secondWrites, 0), secondPassMs: rounds.map((r) => Math.round(r.secondMs)), errors: rounds.reduce((s, r) => s + r.errors, 0), rssMB: Math.round(rssMB) }));
process.exit(0);
