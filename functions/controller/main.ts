// Entry point under OpenFunction + Dapr: an async Function whose Dapr cron binding is its resync tick, plus an
// in-process watch. In-cluster credentials (its ServiceAccount, manifests/rbac); env CONTROLLER_CONFIGMAP
// (namespace/name, default openfunction/openfunction-events-config) names our configuration ConfigMap; upstream's
// openfunction/openfunction-config is read after it, for the handler-image keys upgraders set there.
import { KubeConfig } from '@kubernetes/client-node';
import { StreamKeeper } from '../../lib/io/jetstream-streams.js';
import { kubeFrom } from '../../lib/io/kube.js';
import { createLogger, serve } from '../../lib/host/index.js';
import { createController } from './controller.js';
import { UPSTREAM_CONFIGMAP } from './plan/world.js';

const [cmNamespace, cmName] = (process.env.CONTROLLER_CONFIGMAP ?? 'openfunction/openfunction-events-config').split('/');
const log = createLogger('controller', process.env.LOG_LEVEL);
const kc = new KubeConfig();
kc.loadFromDefault();
const controller = createController(kubeFrom(kc), {
  log,
  now: () => new Date(),
  timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  configMaps: [{ namespace: cmNamespace ?? 'openfunction', name: cmName ?? 'openfunction-events-config' }, UPSTREAM_CONFIGMAP],
  // The JetStream streams of JetStream buses: created here, in the cluster, where NATS is reachable.
  streams: new StreamKeeper(),
});
const host = await serve('controller', () => controller.resync, process.env.LOG_LEVEL, { onStop: () => controller.stop() });
if (host) await controller.start();
