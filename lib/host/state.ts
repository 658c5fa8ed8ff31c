// Dapr's state API through the sidecar (dapr docs "State management API"; dapr pkg/api/http): GET
// /v1.0/state/<store>/<key> answers the value with an ETag header (204 when absent); POST /v1.0/state/<store> writes
// with `concurrency: first-write`, so a write with a stale ETag is refused with 409 (an ETag mismatch). A write
// without an ETag on a key that exists is refused too — components-contrib state/redis keeps first-write keys
// insert-only — but not as a mismatch: daprd answers 500 ("failed to set key"), as for an outage. So a refused
// insert is told apart by reading the key: there now, someone else created it (a conflict); absent, the store failed.
// That is what lets two replicas create one key without both succeeding (tested on real daprd). Consistency is
// strong: a replica reads what another just wrote. Keys are prefixed with the app id by daprd, so every replica of
// a Trigger shares them.
import { StateConflictError, StateUnavailableError, type StateStore, type Versioned } from '../state/index.js';
import { requestOn, sidecarPool, type SidecarOptions } from './dapr.js';

export function createDaprStateStore(options: SidecarOptions, name: string): StateStore {
  const pool = sidecarPool(64, options.timeoutMs ?? 10_000);
  const auth: string[] = options.apiToken ? ['dapr-api-token', options.apiToken] : [];
  const base = `/v1.0/state/${encodeURIComponent(name)}`;
  const call = async (what: string, method: string, path: string, body: string, headers: string[] = []) => {
    let response;
    try {
      response = await requestOn(pool, options, path, body, [...auth, ...headers], method);
    } catch (e) {
      throw new StateUnavailableError(`state store ${name}: ${what}: sidecar unreachable: ${(e as Error).message}`);
    }
    if (response.status === 409) throw new StateConflictError(`state store ${name}: ${what}: written since it was read`);
    if (response.status >= 300) throw new StateUnavailableError(`state store ${name}: ${what}: sidecar answered ${response.status}: ${response.text.slice(0, 300)}`);
    return response;
  };
  const store: StateStore = {
    async get<T>(key: string): Promise<Versioned<T> | undefined> {
      const response = await call(`get ${key}`, 'GET', `${base}/${encodeURIComponent(key)}?consistency=strong`, '');
      if (response.status === 204 || response.text === '') return undefined;
      const etag = response.headers.etag;
      return { value: JSON.parse(response.text) as T, etag: String(Array.isArray(etag) ? etag[0] : (etag ?? '')) };
    },
    async set(key, value, etag, ttlSeconds) {
      const item = {
        key,
        value,
        ...(etag === undefined ? {} : { etag }),
        options: { concurrency: 'first-write', consistency: 'strong' },
        ...(ttlSeconds ? { metadata: { ttlInSeconds: String(ttlSeconds) } } : {}),
      };
      try {
        await call(`set ${key}`, 'POST', base, JSON.stringify([item]), ['Content-Type', 'application/json']);
      } catch (e) {
        if (etag !== undefined || !(e instanceof StateUnavailableError) || e.message.includes('unreachable')) throw e;
        if ((await store.get(key).catch(() => undefined)) !== undefined) throw new StateConflictError(`state store ${name}: set ${key}: created by someone else since it was read`);
        throw e;
      }
    },
    async delete(key, etag) {
      await call(`delete ${key}`, 'DELETE', `${base}/${encodeURIComponent(key)}?concurrency=first-write&consistency=strong`, '', etag === undefined ? [] : ['If-Match', etag]);
    },
    close: async () => pool.agent.destroy(),
  };
  return store;
}
