// The bus a command talks to: the EventBus (or ClusterEventBus) a resource names in the files, or a broker URL
// given on the command line (nats:// for JetStream, redis:// for Redis streams), as `dev` connects to it.
import type { EventBusSpec, Resource } from '../lib/api/index.js';
import { busSpecIn } from '../lib/api/index.js';
import { connectBus, type Bus } from '../lib/local/index.js';
import { UsageError } from './output.js';

export function busSpecOfUrl(url: string): EventBusSpec {
  if (/^nats:\/\//.test(url)) return { jetstream: { natsURL: url } };
  if (/^redis:\/\//.test(url)) return { redis: { redisHost: url.replace(/^redis:\/\//, '').replace(/\/.*$/, '') } };
  throw new UsageError(`--bus: expected nats://host:port or redis://host:port, got "${url}"`);
}

/** Connects to `--bus` when given, else to the named bus's spec; a bus only in memory cannot be reached from here. */
export async function connectNamedBus(resources: readonly Resource[], namespace: string, busName: string | undefined, url: string | undefined, warn: (m: string) => void): Promise<Bus> {
  const spec = url ? busSpecOfUrl(url) : busName ? busSpecIn(resources, namespace, busName) : undefined;
  if (!spec) throw new UsageError(busName ? `no EventBus "${busName}" in namespace "${namespace}" nor ClusterEventBus "${busName}" in the files: give --bus <url>` : 'give --bus <url>, or -f files with the bus');
  if (!spec.jetstream && !spec.redis && !spec.kafka && !spec.natsStreaming) throw new UsageError('the bus has no backend this command can reach');
  return connectBus(spec, 'spec', warn);
}
