// A Trigger's correlation model from its config: conditions and keys compiled once, windows and absences resolved.
// A bad condition or key is an InvalidSpecError naming the field and the character, before anything runs. Pure.
import { compileCondition, ConditionSyntaxError } from '../../lib/condition/index.js';
import { compileKey, type CompiledKey } from '../../lib/condition/key.js';
import type { Absence, Correlation } from '../../lib/api/index.js';
import { parseDuration } from '../../lib/duration.js';
import { InvalidSpecError } from '../../lib/errors.js';
import { busTopic } from '../../lib/naming.js';
import { DEFAULT_WINDOW_MS, type CorrelationModel } from './engine.js';

export interface ModelInput {
  namespace: string;
  trigger: string;
  inputs: Array<{ name: string; namespace?: string | undefined; eventSource: string; event: string; window?: string | undefined; key?: string | undefined }>;
  subscribers: Array<{ condition: string; absence?: Absence | undefined }>;
  correlation?: Omit<Correlation, 'state'> | undefined;
  /** Whether records go to a state store: they then keep only what conditions and payloads read. */
  durable?: boolean | undefined;
}

function compiled<T>(field: string, compile: () => T): T {
  try {
    return compile();
  } catch (e) {
    if (e instanceof ConditionSyntaxError) throw new InvalidSpecError(`${field}: ${e.message}`, field, e);
    throw e;
  }
}

export function modelOf(spec: ModelInput): CorrelationModel & { topics: Map<string, string[]> } {
  const names = spec.inputs.map((i) => i.name);
  const triggerWindow = spec.correlation?.window === undefined ? DEFAULT_WINDOW_MS : (parseDuration(spec.correlation.window) ?? DEFAULT_WINDOW_MS);
  const conditions = spec.subscribers.map((sub, i) => compiled(`spec.subscribers[${i}].condition`, () => compileCondition(sub.condition, names)));
  const slots = new Map(names.map((name, i) => [name, i]));
  const absences = spec.subscribers.map((sub, i) => {
    if (!sub.absence) return undefined;
    const slot = slots.get(sub.absence.input);
    if (slot === undefined) throw new InvalidSpecError(`spec.subscribers[${i}].absence.input: expected one of ${names.join(', ')}, got "${sub.absence.input}"`, `spec.subscribers[${i}].absence.input`);
    const withinMs = parseDuration(sub.absence.within);
    if (!withinMs) throw new InvalidSpecError(`spec.subscribers[${i}].absence.within: expected a duration longer than 0 such as 10m, got "${sub.absence.within}"`, `spec.subscribers[${i}].absence.within`);
    return { slot, input: sub.absence.input, withinMs };
  });
  const keys: Array<CompiledKey | undefined> = spec.inputs.map((input) => (input.key === undefined ? undefined : compiled(`spec.inputs.${input.name}.key`, () => compileKey(input.key!))));
  const keyed = keys.some((k) => k !== undefined);
  if (keyed) {
    const missing = spec.inputs.filter((_, i) => keys[i] === undefined).map((i) => i.name);
    if (missing.length > 0) throw new InvalidSpecError(`spec.inputs.${missing[0]}.key: required: the other inputs correlate by key`, `spec.inputs.${missing[0]}.key`);
  }
  // Several inputs may read one topic (the same event under two names): an event there activates all of them.
  const topics = new Map<string, string[]>();
  for (const input of spec.inputs) {
    const topic = busTopic(input.namespace ?? spec.namespace, input.eventSource, input.event);
    topics.set(topic, [...(topics.get(topic) ?? []), input.name]);
  }
  const payload = spec.correlation?.payload ?? 'event';
  return {
    namespace: spec.namespace,
    trigger: spec.trigger,
    inputs: spec.inputs.map((input, i) => ({ name: input.name, windowMs: input.window === undefined ? triggerWindow : (parseDuration(input.window) ?? triggerWindow), key: keys[i] })),
    slots,
    conditions,
    conditionSlots: conditions.map((c) => c.inputs.map((name) => slots.get(name)!)),
    absences,
    resetAfterFire: spec.correlation?.resetAfterFire ?? false,
    payload,
    // In memory the latest events are kept, as always; in a store only when something reads them.
    keepsEvents: !spec.durable || payload === 'correlated' || conditions.some((c) => c.readsEvents),
    keyed,
    topics,
  };
}
