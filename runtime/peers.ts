// Where the real peers are: the cache scripts/peers.sh fills ($OFN_EVENTS_PEERS, by default
// ~/.cache/openfunction-events/peers, one directory per name and version), a `dapr init` install, or PATH.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root: two levels above this file, in the sources and in dist/ alike. */
export const PROJECT_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export const peerCache = (env: NodeJS.ProcessEnv = process.env): string =>
  env.OFN_EVENTS_PEERS || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'openfunction-events', 'peers');

/** The pinned versions of scripts/peers/versions.env (absent from an installed package: then the newest cached). */
export function pinnedVersions(): Record<string, string> {
  const file = join(PROJECT_ROOT, 'scripts', 'peers', 'versions.env');
  if (!existsSync(file)) return {};
  const versions: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(\S+)/.exec(line);
    if (m) versions[m[1]!] = m[2]!;
  }
  return versions;
}

function cached(prefix: string, version: string | undefined, inside: string): string | undefined {
  const cache = peerCache();
  if (version) {
    const path = join(cache, `${prefix}-${version}`, inside);
    return existsSync(path) ? path : undefined;
  }
  if (!existsSync(cache)) return undefined;
  const dirs = readdirSync(cache).filter((d) => d.startsWith(`${prefix}-`) && existsSync(join(cache, d, inside)));
  const newest = dirs.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();
  return newest ? join(cache, newest, inside) : undefined;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

export const DAPRD_HELP = 'no daprd found: build one with `npm run peers` (scripts/peers.sh), install Dapr (`dapr init` puts it in ~/.dapr/bin), or pass --daprd <path>';

/** daprd: an explicit path, $DAPRD, the peer cache (pinned version first), ~/.dapr/bin, PATH. */
export function findDaprd(explicit?: string): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  if (process.env.DAPRD && existsSync(process.env.DAPRD)) return process.env.DAPRD;
  const v = pinnedVersions();
  return cached('daprd', v.DAPR_VERSION, 'daprd') ?? cached('daprd', undefined, 'daprd') ?? [join(homedir(), '.dapr', 'bin', 'daprd')].find(existsSync) ?? onPath('daprd');
}

/** Node 16.15, the Node of OpenFunction's builder-node, installed aside by scripts/peers.sh. */
export const findNode16 = (): string | undefined => cached('node', pinnedVersions().NODE16_VERSION, join('bin', 'node'));

/** The npm Node 16.15 ships (for doing what builder-node does: `npm ci`), run with findNode16(). */
export const findNode16Npm = (): string | undefined => cached('node', pinnedVersions().NODE16_VERSION, join('npm', 'node_modules', 'npm', 'bin', 'npm-cli.js'));

/** The Kafka broker's jars (scripts/peers.sh kafka). */
export const findKafkaLibs = (): string | undefined => cached('kafka', pinnedVersions().KAFKA_VERSION, 'libs');

const KUBE_PEERS = { etcd: ['etcd', 'ETCD_VERSION'], 'kube-apiserver': ['kube', 'KUBERNETES_VERSION'], kubectl: ['kube', 'KUBERNETES_VERSION'] } as const;

/** etcd, kube-apiserver or kubectl from the peer cache (scripts/peers.sh etcd kube); throws with the command that builds it. */
export function findPeer(name: keyof typeof KUBE_PEERS): string {
  const [prefix, key] = KUBE_PEERS[name];
  const found = cached(prefix, pinnedVersions()[key], name);
  if (!found) throw new Error(`no ${name}: build it with \`npm run peers\` (scripts/peers.sh ${prefix})`);
  return found;
}
