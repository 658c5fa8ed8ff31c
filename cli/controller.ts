// `ofn-events controller [--kubeconfig F] [--once]`: the controller's reconcile loop from outside the cluster, as
// controller tools offer (the in-cluster Function keeps its cron binding and watch). It watches EventSources,
// Triggers, EventBuses, ClusterEventBuses and the Functions it owns, reconciles on every change and every minute;
// --once reconciles once and exits.
import type { Logger } from '../lib/function.js';
import { StreamKeeper } from '../lib/io/jetstream-streams.js';
import { kubeFrom } from '../lib/io/kube.js';
import { createController } from '../functions/controller/controller.js';
import { UPSTREAM_CONFIGMAP } from '../functions/controller/plan/world.js';
import { reconcileAll } from '../functions/controller/reconcile.js';
import type { Cli } from './output.js';
import { loadKubeConfig } from './kubeconfig.js';
import { UsageError } from './load.js';

export const controllerHelp = `Usage: ofn-events controller [--kubeconfig <file>] [--once] [--configmap <namespace>/<name>]

Runs the controller against the cluster of a kubeconfig (--kubeconfig, else $KUBECONFIG, else ~/.kube/config), with
that kubeconfig's credentials: it renders every EventSource and Trigger into OpenFunction Functions, applies them
server-side, prunes the ones no longer desired, writes status, and makes sure JetStream streams exist. It watches
the resources and reconciles on each change, and every minute; Ctrl-C stops it. --once reconciles once, prints
what it wrote, and exits 1 when any resource could not be reconciled. --configmap names upstream's configuration
ConfigMap with the handler images (default openfunction/openfunction-events-config; upstream's
openfunction/openfunction-config is read after it).

Example: ofn-events controller --kubeconfig ~/.kube/config --once`;

export async function controller(options: { kubeconfig?: string; once?: boolean; configmap?: string }, cli: Cli, signals: NodeJS.EventEmitter = process): Promise<number> {
  const [ns, name] = (options.configmap ?? 'openfunction/openfunction-events-config').split('/');
  if (!ns || !name) throw new UsageError(`--configmap: expected <namespace>/<name>, got "${options.configmap}"`);
  const kc = loadKubeConfig(options.kubeconfig);
  const line = (level: string) => (fields: object, message: string) => cli.err(`${level}${message}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}`);
  const log: Logger = { debugEnabled: false, debug: () => {}, info: line(''), warn: line('warning: '), error: line('error: ') };
  const kube = kubeFrom(kc);
  const streams = new StreamKeeper();
  const configMaps = [{ namespace: ns, name }, UPSTREAM_CONFIGMAP];
  if (options.once) {
    const stats = await reconcileAll(kube, { now: () => new Date(), log, configMaps, streams });
    cli.out(`applied ${stats.applied}, pruned ${stats.pruned}, status writes ${stats.statusWrites}, errors ${stats.errors.length}`);
    for (const e of stats.errors) cli.err(`error: ${e}`);
    return stats.errors.length > 0 ? 1 : 0;
  }
  const running = createController(kube, {
    log,
    now: () => new Date(),
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    configMaps,
    streams,
  });
  await running.start();
  cli.err(`controller: watching ${kc.getCurrentCluster()?.server ?? 'the cluster'}; Ctrl-C to stop`);
  const resync = setInterval(() => running.resyncNow(), 60_000);
  await new Promise<void>((resolve) => {
    signals.once('SIGINT', () => resolve());
    signals.once('SIGTERM', () => resolve());
  });
  clearInterval(resync);
  await running.stop();
  return 0;
}
