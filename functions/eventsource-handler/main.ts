// Entry point under OpenFunction + Dapr: env CONFIG (the controller's handler config), FUNC_CONTEXT, PORT, DAPR_*.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEventSourceConfig } from '../../lib/config/eventsource.js';
import { describeEventSource } from '../../lib/config/describe.js';
import { serve } from '../../lib/host/index.js';
import { createEventSourceHandler } from './handler.js';

const logLevel = (() => {
  try {
    return decodeEventSourceConfig(process.env.CONFIG).logLevel;
  } catch {
    return undefined; // reported by makeFunction below, through the logger
  }
})();

await serve(
  'eventsource-handler',
  () => createEventSourceHandler(decodeEventSourceConfig(process.env.CONFIG), { env: { now: () => new Date(), newId: randomUUID }, sleep: (ms) => sleep(ms) }),
  logLevel,
  // A Redis source is a pub/sub input whose entries are the producer's raw bytes, not CloudEvents.
  { rawPubSub: true, describe: () => describeEventSource(decodeEventSourceConfig(process.env.CONFIG)) },
);
