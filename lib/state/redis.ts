// A state store on a real Redis, for the local runtime (`dev` with `correlation.state.type: state.redis`). The same
// layout as Dapr's state.redis (components-contrib state/redis: a hash with `data` and `version`, compare-and-set
// in a Lua script), so the local run exercises what the sidecar would. Calls fail at once while Redis is away
// (no offline queue): the correlator then leaves its message unacknowledged instead of waiting on a dead socket.
import { createClient } from 'redis';
import { closeRedis } from '../io/redis.js';
import { StateConflictError, StateUnavailableError, type StateStore, type Versioned } from './index.js';

// KEYS[1]: the key; ARGV: expected version ('' = must not exist), data, ttl seconds ('0' = none).
const SET = `
local version = redis.call("HGET", KEYS[1], "version")
if ARGV[1] == "" then
  if version then return redis.error_reply("CONFLICT") end
elseif version ~= ARGV[1] then
  return redis.error_reply("CONFLICT")
end
redis.call("HSET", KEYS[1], "data", ARGV[2])
local next = redis.call("HINCRBY", KEYS[1], "version", 1)
if ARGV[3] ~= "0" then redis.call("EXPIRE", KEYS[1], ARGV[3]) end
return next`;

// KEYS[1]: the key; ARGV[1]: expected version ('' = any).
const DELETE = `
local version = redis.call("HGET", KEYS[1], "version")
if ARGV[1] ~= "" and version and version ~= ARGV[1] then return redis.error_reply("CONFLICT") end
return redis.call("DEL", KEYS[1])`;

export function connectRedisStateStore(url: string, prefix = ''): StateStore {
  const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 5_000 } });
  client.on('error', () => {}); // reconnects by itself; failures surface on the calls
  // Not awaited: a store that is not up yet (or goes away) fails each call at once, so the Trigger leaves its
  // messages unacknowledged until it is back, instead of not starting.
  const firstReady = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  client.connect().catch(() => {});
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    // Only at start: give the first connection a moment rather than failing the first messages.
    if (!client.isReady) await Promise.race([firstReady, new Promise((r) => setTimeout(r, 2_000).unref())]);
    try {
      return await run();
    } catch (e) {
      if ((e as Error).message.includes('CONFLICT')) throw new StateConflictError(`${what}: written since it was read`);
      throw new StateUnavailableError(`state store (Redis ${url}): ${what}: ${(e as Error).message}`);
    }
  };
  return {
    async get<T>(key: string): Promise<Versioned<T> | undefined> {
      const hash = await call(`get ${key}`, () => client.hGetAll(prefix + key));
      if (hash.data === undefined || hash.version === undefined) return undefined;
      return { value: JSON.parse(hash.data) as T, etag: hash.version };
    },
    async set(key, value, etag, ttlSeconds) {
      await call(`set ${key}`, () => client.eval(SET, { keys: [prefix + key], arguments: [etag ?? '', JSON.stringify(value), String(ttlSeconds ?? 0)] }));
    },
    async delete(key, etag) {
      await call(`delete ${key}`, () => client.eval(DELETE, { keys: [prefix + key], arguments: [etag ?? ''] }));
    },
    async close() {
      await closeRedis(client);
    },
  };
}
