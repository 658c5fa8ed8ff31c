// Redelivery for sources that cannot redeliver by themselves (a cron tick, an MQTT message held unacknowledged):
// try until the function takes the message or the source stops, backing off up to a cap.
import { backoffMs, DEFAULT_RETRY_POLICY } from '../delivery.js';
import type { Deliver } from './types.js';

const POLICY = { ...DEFAULT_RETRY_POLICY, backoffDelayMs: 100, maxBackoffMs: 5_000 };

export async function deliverUntilTaken(deliver: Deliver, payload: Buffer, metadata: Record<string, string>, stopped: () => boolean, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<boolean> {
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      await deliver(payload, metadata);
      return true;
    } catch {
      await sleep(backoffMs(POLICY, attempt));
    }
  }
  return false;
}
