// trigger-handler: the OpenFunction async function run once per Trigger.
export { createTriggerHandler } from './handler.js';
export type { TriggerDeps } from './handler.js';
export { Correlator, DEFAULT_WINDOW_MS, FIRED_TYPE } from './state.js';
export type { CorrelationModel, Firing } from './state.js';
export { modelOf } from './model.js';
export { deliverFiring, deliveredEvent, EXTENSIONS } from './deliver.js';
