// node-redis clients for buses and sources: how they connect and how they close, whatever state they are in.
import { createClient } from 'redis';

type RedisClient = ReturnType<typeof createClient>;

/** Connection attempts before a first connect() gives up. */
const FIRST_ATTEMPTS = 3;

/**
 * A client that reconnects for as long as it takes once it has been connected, but whose first connect() fails
 * after a few attempts instead of retrying for ever (node-redis's default): the caller says the broker is
 * unreachable and retries on its own schedule, and no abandoned client keeps reconnecting behind its back.
 */
export function redisClient(url: string): RedisClient {
  let connected = false;
  const client = createClient({
    url,
    socket: {
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(50 * 2 ** retries, 2_000) : retries >= FIRST_ATTEMPTS ? cause : 100 * (retries + 1)),
    },
  });
  client.once('ready', () => void (connected = true));
  client.on('error', () => {}); // reconnects by itself; failures surface on the calls
  return client;
}

/**
 * Closes `client`: a connected one after its pending commands, one still (re)connecting at once. `close()` on a client
 * whose server never answered waits for a reconnect that may never come, and its socket keeps the process alive
 * (a source or store whose Redis is down when `dev` stops).
 */
export async function closeRedis(client: Pick<RedisClient, 'isOpen' | 'isReady' | 'close' | 'destroy'> | undefined): Promise<void> {
  if (!client?.isOpen) return;
  if (client.isReady) await client.close().catch(() => undefined);
  else client.destroy();
}
