// bench/controller-apiserver: the controller against a real kube-apiserver (etcd + kube-apiserver from the peer
// cache): N EventSources and N Triggers reconciled to applied Functions (and status), next to
// `kubectl apply --server-side` of the same rendered Functions against the same API server in the same run, then a
// second pass of an unchanged world (0 writes) and the controller's RSS. Goal (issue): ratio ≥ 1.0, i.e. the
// controller is not slower than kubectl. `N` (default 1000) sets the size.
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
import { machine, table } from '../support/report.js';

const exec = promisify(execFile);
const N = Number(process.env.N ?? 1000);

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

  const docs = (ns: string) => {
    const out: unknown[] = [{ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventBus', metadata: { name: 'default', namespace: ns }, spec: { jetstream: { natsURL: 'nats://nats:4222' } } }];
    for (let i = 0; i < N; i++) {
      out.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'EventSource', metadata: { name: `es-${i}`, namespace: ns }, spec: { eventBus: 'default', sink: { uri: `http://sink-${i}.${ns}.svc/` }, cron: { tick: { schedule: '@every 5s' } } } });
      out.push({ apiVersion: 'events.openfunction.io/v1alpha1', kind: 'Trigger', metadata: { name: `t-${i}`, namespace: ns }, spec: { eventBus: 'default', inputs: { tick: { eventSource: `es-${i}`, event: 'tick' } }, subscribers: [{ condition: 'tick', sink: { uri: `http://s-${i}/` } }] } });
    }
    return out;
  };
  // The resources the controller reconciles (not timed).
  await kubectl(['apply', '--server-side', '-f', '-'], docs('ctrl').map((d) => stringify(d)).join('---\n'));
  // The same Functions rendered for kubectl, in a namespace of their own.
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
  const secondMs = performance.now() - t1;
  const rssMB = process.memoryUsage().rss / 1024 / 1024;
  const t2 = performance.now();
  await kubectl(['apply', '--server-side', '--field-manager', 'bench', '-f', file]);
  const kubectlMs = performance.now() - t2;

  const ratio = kubectlMs / controllerMs;
  console.log(`bench/controller-apiserver on ${machine()}, kube-apiserver and etcd from the peer cache: ${N} EventSources + ${N} Triggers\n`);
  console.log(table([
    ['', 'Functions', 'writes', 'ms'],
    ['controller, first pass (apply + status)', String(first.applied), String(first.applied + first.statusWrites), controllerMs.toFixed(0)],
    ['  … and its Events written', '', String(first.applied + first.statusWrites + N * 2), withEventsMs.toFixed(0)],
    ['controller, second pass', '0', String(second.applied + second.pruned + second.statusWrites), secondMs.toFixed(0)],
    ['kubectl apply --server-side (Functions only)', String(rendered.length), String(rendered.length), kubectlMs.toFixed(0)],
  ]));
  console.log(`\nratio (kubectl time ÷ controller time, goal ≥ 1.0): ${ratio.toFixed(2)}; with the Events' tail ${(kubectlMs / withEventsMs).toFixed(2)}; controller RSS ${rssMB.toFixed(0)} MB`);
  console.log(JSON.stringify({ bench: 'controller-apiserver', machine: machine(), n: N, functions: rendered.length, controllerMs: Math.round(controllerMs), withEventsMs: Math.round(withEventsMs), ratioWithEvents: Number((kubectlMs / withEventsMs).toFixed(3)), kubectlMs: Math.round(kubectlMs), ratioToKubectl: Number(ratio.toFixed(3)), secondPassWrites: second.applied + second.pruned + second.statusWrites, secondPassMs: Math.round(secondMs), errors: first.errors.length + second.errors.length, rssMB: Math.round(rssMB) }));
} finally {
  await cp.stop();
}
process.exit(0);
