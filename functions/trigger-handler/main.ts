// Entry point under OpenFunction + Dapr: env CONFIG (the controller's handler config), FUNC_CONTEXT, PORT, DAPR_*.
// Conditions are compiled at start: a bad one stops the process with a JSON log line naming it. With durable
// correlation, the state store is the FUNC_CONTEXT `states` entry the config names, reached through the sidecar.
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeTriggerConfig } from '../../lib/config/trigger.js';
import { describeTrigger } from '../../lib/config/describe.js';
import { serve } from '../../lib/host/index.js';
import { createDaprStateStore } from '../../lib/host/state.js';
import { createTriggerHandler } from './handler.js';

const logLevel = (() => {
  try {
    return decodeTriggerConfig(process.env.CONFIG).logLevel;
  } catch {
    return undefined; // reported by makeFunction below, through the logger
  }
})();

await serve(
  'trigger-handler',
  (_, env) => {
    const config = decodeTriggerConfig(process.env.CONFIG);
    let store;
    if (config.stateStore) {
      // A store OpenFunction created is named in FUNC_CONTEXT states; an existing component goes by its own name.
      const component = env.context.states?.[config.stateStore]?.componentName ?? config.stateStore;
      store = createDaprStateStore({ host: env.daprHost, httpPort: env.daprHttpPort, ...(env.daprApiToken ? { apiToken: env.daprApiToken } : {}) }, component);
    }
    return createTriggerHandler(config, { now: () => Date.now(), sleep: (ms) => sleep(ms), ...(store ? { store } : {}) });
  },
  logLevel,
  { describe: () => describeTrigger(decodeTriggerConfig(process.env.CONFIG)) },
);
