// trigger-handler: the OpenFunction async function run once per Trigger.
export { createTriggerHandler } from './handler.js';
export type { TriggerDeps } from './handler.js';
export { Correlator, DEFAULT_MAX_KEYS } from './state.js';
export { DEFAULT_WINDOW_MS, FIRED_TYPE, ABSENT_TYPE } from './engine.js';
export type { CorrelationModel, Firing } from './engine.js';
export { DurableCorrelator } from './durable.js';
export { modelOf } from './model.js';
export { deliverFiring, deliveredEvent, EXTENSIONS } from './deliver.js';
