// Entry point under OpenFunction + Dapr: env CONFIG (the controller's handler config), FUNC_CONTEXT, PORT, DAPR_*.
// Conditions are compiled at start: a bad one stops the process with a JSON log line naming it.
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeTriggerConfig } from '../../lib/config/trigger.js';
import { describeTrigger } from '../../lib/config/describe.js';
import { serve } from '../../lib/host/index.js';
import { createTriggerHandler } from './handler.js';

const logLevel = (() => {
  try {
    return decodeTriggerConfig(process.env.CONFIG).logLevel;
  } catch {
    return undefined; // reported by makeFunction below, through the logger
  }
})();

await serve('trigger-handler', () => createTriggerHandler(decodeTriggerConfig(process.env.CONFIG), { now: () => Date.now(), sleep: (ms) => sleep(ms) }), logLevel, {
  describe: () => describeTrigger(decodeTriggerConfig(process.env.CONFIG)),
});
