// A test-only stand-in for OpenFunction's Function controller (which cannot be built from the Go module proxy:
// research/real-peers §5): it watches the Functions in an API server and launches each as OpenFunction would — the
// function's package behind a real daprd with the Function's components (runtime/dapr) — then reports
// `status.serving.state: Running`, as OpenFunction does once the workload runs. Cluster DNS is emulated for sinks:
// a component URL `http://<service>.<namespace>.svc.cluster.local/…` is sent to the local URL mapped for that Service.
import { KubeConfig } from '@kubernetes/client-node';
import type { FunctionObject } from '../../functions/controller/plan/index.js';
import { kubeFrom } from '../../lib/io/kube.js';
import { launchOf, randomSuffix } from '../../runtime/dapr/openfunction.js';
import { packageCommand } from '../../runtime/dapr/packages.js';
import { startFunction, type RunningFunction } from '../../runtime/dapr/sidecar.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StandIn {
  running: Map<string, RunningFunction>;
  stop(): Promise<void>;
}

export async function startOpenFunctionStandIn(kubeconfig: string, options: { daprd: string; node: string; services: ReadonlyMap<string, string> }): Promise<StandIn> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const kube = kubeFrom(kc);
  const running = new Map<string, RunningFunction>();
  const launched = new Map<string, string>(); // key → JSON of the spec it runs
  const workDir = mkdtempSync(join(tmpdir(), 'ofn-events-standin-'));
  let stopped = false;

  const withClusterDns = (fn: FunctionObject): FunctionObject => {
    const copy = JSON.parse(JSON.stringify(fn)) as FunctionObject;
    for (const spec of Object.values(copy.spec.serving.bindings ?? {})) {
      for (const m of spec.metadata) {
        const dns = m.name === 'url' && m.value ? /^http:\/\/([^.]+)\.([^.]+)\.svc\.cluster\.local(\/.*)?$/.exec(m.value) : null;
        const local = dns ? options.services.get(`${dns[1]}.${dns[2]}`) : undefined;
        if (dns && local) m.value = `${local}${dns[3] ?? '/'}`;
      }
    }
    return copy;
  };

  async function pass(): Promise<void> {
    const functions = (await kube.list('core.openfunction.io', 'v1beta2', 'functions')) as unknown as FunctionObject[];
    for (const fn of functions) {
      // Only what our controller generated: the stand-in runs our handler packages, not arbitrary images (our
      // controller's own Function is run by the test itself).
      if (fn.metadata.labels?.['openfunction.io/managed'] !== 'true' || !fn.spec?.serving?.triggers?.dapr) continue;
      const key = `${fn.metadata.namespace}/${fn.metadata.name}`;
      const spec = JSON.stringify(fn.spec);
      if (launched.get(key) === spec) continue;
      await running.get(key)?.stop();
      // OpenFunction recreates a changed Function's workload and components.
      const started = await startFunction(launchOf(withClusterDns(fn), () => randomSuffix(Math.random)), {
        daprd: options.daprd,
        packageCommand: (h) => packageCommand(h, options.node),
        workDir,
        daprLogLevel: 'warn',
      });
      running.set(key, started);
      launched.set(key, spec);
      await kube.patchStatus('core.openfunction.io', 'v1beta2', 'functions', fn.metadata.namespace, fn.metadata.name, { serving: { state: 'Running' } });
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await pass().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();

  return {
    running,
    async stop() {
      stopped = true;
      await loop;
      for (const r of running.values()) await r.stop();
    },
  };
}
