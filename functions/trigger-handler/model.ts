// A Trigger's correlation model from its config: conditions compiled once, windows resolved. A bad condition is an
// InvalidSpecError naming the subscriber and the character, before anything runs. Pure.
import { compileCondition, ConditionSyntaxError } from '../../lib/condition/index.js';
import type { Correlation } from '../../lib/api/index.js';
import { parseDuration } from '../../lib/duration.js';
import { InvalidSpecError } from '../../lib/errors.js';
import { busTopic } from '../../lib/naming.js';
import { DEFAULT_WINDOW_MS, type CorrelationModel } from './state.js';

export interface ModelInput {
  namespace: string;
  trigger: string;
  inputs: Array<{ name: string; namespace?: string | undefined; eventSource: string; event: string; window?: string | undefined }>;
  subscribers: Array<{ condition: string }>;
  correlation?: Correlation | undefined;
}

export function modelOf(spec: ModelInput): CorrelationModel & { topics: Map<string, string[]> } {
  const names = spec.inputs.map((i) => i.name);
  const triggerWindow = spec.correlation?.window === undefined ? DEFAULT_WINDOW_MS : (parseDuration(spec.correlation.window) ?? DEFAULT_WINDOW_MS);
  const conditions = spec.subscribers.map((sub, i) => {
    try {
      return compileCondition(sub.condition, names);
    } catch (e) {
      if (e instanceof ConditionSyntaxError) throw new InvalidSpecError(`spec.subscribers[${i}].condition: ${e.message}`, `spec.subscribers[${i}].condition`, e);
      throw e;
    }
  });
  // Several inputs may read one topic (the same event under two names): an event there activates all of them.
  const topics = new Map<string, string[]>();
  for (const input of spec.inputs) {
    const topic = busTopic(input.namespace ?? spec.namespace, input.eventSource, input.event);
    topics.set(topic, [...(topics.get(topic) ?? []), input.name]);
  }
  return {
    namespace: spec.namespace,
    trigger: spec.trigger,
    inputs: spec.inputs.map((input) => ({ name: input.name, windowMs: input.window === undefined ? triggerWindow : (parseDuration(input.window) ?? triggerWindow) })),
    conditions,
    resetAfterFire: spec.correlation?.resetAfterFire ?? false,
    payload: spec.correlation?.payload ?? 'event',
    topics,
  };
}
