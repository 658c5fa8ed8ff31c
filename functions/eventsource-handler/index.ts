// eventsource-handler: the OpenFunction async function run once per declared event of an EventSource.
export { createEventSourceHandler, HANDLER_RETRY_POLICY } from './handler.js';
export type { HandlerDeps } from './handler.js';
export { sourceMessageOf } from './message.js';
