// Status as a condition set keyed by type (DESIGN §3 "Status"; research/aesthetics lesson 3), not upstream's
// append-only log: `Planned` (the spec, bus, sinks and conditions let us generate Functions), `FunctionsReady` (every
// generated Function reports status.serving.state Running), and the summary `Ready`, last. `state` feeds the STATUS
// column. lastTransitionTime moves only when a condition's status changes. Pure.
import type { Status, StatusCondition } from '../../../lib/api/index.js';
import type { FunctionObject } from './function.js';
import type { Problem } from './problem.js';

/** What the controller observed of a generated Function. */
export interface ObservedFunction {
  name: string;
  /** status.serving.state, e.g. Running, Starting. */
  servingState?: string;
}

export function statusFor(
  generation: number | undefined,
  planned: { functions: FunctionObject[]; problems: Problem[] },
  observed: readonly ObservedFunction[],
  previous: Status | undefined,
  now: Date,
): Status {
  const conditions: StatusCondition[] = [];
  const set = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string) => {
    const before = previous?.conditions?.find((c) => c.type === type);
    const changed = !before || before.status !== status;
    conditions.push({
      type,
      status,
      reason,
      message,
      lastTransitionTime: changed ? now.toISOString() : (before.lastTransitionTime ?? now.toISOString()),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    });
  };

  if (planned.problems.length > 0) {
    set('Planned', 'False', planned.problems[0]!.reason, planned.problems.map((p) => p.message).join('; '));
  } else {
    set('Planned', 'True', 'FunctionsPlanned', `${planned.functions.length} Function${planned.functions.length === 1 ? '' : 's'} generated`);
  }
  const byName = new Map(observed.map((o) => [o.name, o]));
  const notRunning = planned.functions.map((f) => f.metadata.name).filter((name) => byName.get(name)?.servingState !== 'Running');
  if (planned.problems.length > 0) set('FunctionsReady', 'Unknown', 'NotPlanned', 'no Functions while the spec has problems');
  else if (notRunning.length > 0) {
    const missing = notRunning.filter((n) => !byName.has(n));
    set('FunctionsReady', 'False', missing.length > 0 ? 'FunctionsMissing' : 'FunctionsStarting', notRunning.map((n) => `${n}: ${byName.has(n) ? (byName.get(n)!.servingState ?? 'no serving state yet') : 'not found'}`).join(', '));
  } else set('FunctionsReady', 'True', 'FunctionsRunning', 'every generated Function is running');

  const planOk = conditions[0]!.status === 'True';
  const running = conditions[1]!.status === 'True';
  // divergence: upstream-behaviour §2.5 — upstream said Ready once the Function objects were written.
  const cause = conditions[planOk ? 1 : 0]!;
  set('Ready', planOk && running ? 'True' : planOk ? 'Unknown' : 'False', planOk && running ? 'Ready' : planOk ? 'Pending' : (cause.reason ?? 'Error'), planOk && running ? 'events flow' : (cause.message ?? ''));
  const ready = conditions[2]!;
  return {
    state: planOk && running ? 'Ready' : planOk ? 'Pending' : 'Error',
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    functions: `${planned.functions.length - notRunning.length}/${planned.functions.length}`,
    // Always set (a merge patch cannot drop a key by leaving it out): Ready, Pending, or why not.
    reason: ready.reason ?? 'Error',
    conditions,
  };
}
