// The OpenFunction async function contract our handlers are written to: `(ctx, data) => Promise<void>`
// (research/runtime-contract §2.5, §9.2), served by lib/host under Dapr and by lib/local without it. Unlike the
// upstream framework's, `ctx.send` rejects when the output did not take the data. Pure (types, and the names of the
// metrics a function may count).

export interface Logger {
  /** False when debug lines are discarded, so hot paths can skip building them. */
  readonly debugEnabled?: boolean;
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface InputInfo {
  /** The input's name in FUNC_CONTEXT (e.g. `esi-sample-one`). */
  name: string;
  kind: 'binding' | 'pubsub';
  /** Binding metadata (Dapr sends it as headers) or pub/sub attributes. */
  metadata: Readonly<Record<string, string>>;
}

export interface FunctionContext {
  readonly name: string;
  readonly input: InputInfo;
  readonly log: Logger;
  /** Sends to a named output; rejects with a DeliveryError (retryable or not) when the output did not take it. */
  send(data: unknown, outputName: string): Promise<void>;
  /**
   * Counts an outcome the host exports as a metric (absent where nothing exports metrics). A frozen `labels` object
   * is taken for a constant: pass the same one for the same label set, and the host skips looking it up by value.
   */
  count?(metric: keyof typeof FUNCTION_METRICS, labels: Record<string, string>): void;
}

/**
 * Metrics a function counts through `ctx.count`, with their labels: what `ofn-events status` and dashboards read per
 * Trigger, subscriber and condition, beyond the host's per-input and per-output counts.
 */
export const FUNCTION_METRICS = {
  firings: { name: 'ofn_events_firings_total', help: 'Conditions that held, by trigger, subscriber and condition.', labels: ['trigger', 'subscriber', 'condition'] },
  deliveries: { name: 'ofn_events_deliveries_total', help: 'Firings delivered, by trigger, subscriber and result (delivered, dead-lettered, failed).', labels: ['trigger', 'subscriber', 'result'] },
  evictions: { name: 'ofn_events_correlation_keys_evicted_total', help: 'Correlation keys evicted while they still mattered (correlation.maxKeys reached), by trigger.', labels: ['trigger'] },
  unkeyed: { name: 'ofn_events_correlation_unkeyed_total', help: 'Events without their input\'s correlation key (not correlated), by trigger and input.', labels: ['trigger', 'input'] },
} as const;

/**
 * Work a function does on a clock rather than on a message (a Trigger's absence timers): the host calls `tick` every
 * `everyMs`, never two at once, with a context whose input is named "timer"; a tick's failure is logged and the
 * next tick tries again.
 */
export interface Clocked {
  everyMs: number;
  tick(ctx: FunctionContext): Promise<void>;
}

export type AsyncFunction = ((ctx: FunctionContext, data: unknown) => Promise<void>) & { clock?: Clocked };

/** A logger that says nothing, for tests and benchmarks. */
export const silentLogger: Logger = { debugEnabled: false, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
