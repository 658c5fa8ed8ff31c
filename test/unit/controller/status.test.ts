import { parseResource, type EventSource } from '../../../lib/api/index.js';
import { planEventSource, statusFor, worldOf, writesFor } from '../../../functions/controller/plan/index.js';
import { makeEventBus, makeEventSource } from '../../support/builders.js';

const es = (patch = {}) => (parseResource(makeEventSource(patch)) as { resource: EventSource }).resource;
const bus = parseResource(makeEventBus()) as unknown as { resource: never };
const world = worldOf([bus.resource]);
const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('controller status', () => {
  test('Ready only when every generated Function runs; Pending before; the set is keyed, Ready last', () => {
    const plan = planEventSource(es(), world);
    const pending = statusFor(3, plan, [], undefined, t0);
    expect(pending.state).toBe('Pending');
    expect(pending.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Planned', 'True', 'FunctionsPlanned'],
      ['FunctionsReady', 'False', 'FunctionsMissing'],
      ['Ready', 'Unknown', 'Pending'],
    ]);
    const ready = statusFor(3, plan, [{ name: 'esw-my-es-cron-tick', servingState: 'Running' }], pending, t1);
    expect(ready.state).toBe('Ready');
    expect(ready.conditions!.map((c) => [c.type, c.status, c.lastTransitionTime, c.observedGeneration])).toEqual([
      ['Planned', 'True', t0.toISOString(), 3], // unchanged: its transition time stays
      ['FunctionsReady', 'True', t1.toISOString(), 3],
      ['Ready', 'True', t1.toISOString(), 3],
    ]);
  });

  test('a problem is an Error naming the field, and no Functions', () => {
    const plan = planEventSource(es({ spec: { eventBus: 'nowhere' } }), world);
    const status = statusFor(1, plan, [], undefined, t0);
    expect(plan.functions).toEqual([]);
    expect(status.state).toBe('Error');
    expect(status.conditions!.at(-1)).toMatchObject({ type: 'Ready', status: 'False', reason: 'EventBusNotFound', message: 'spec.eventBus: no EventBus "nowhere" in namespace "default" and no ClusterEventBus "nowhere"' });
  });
});

describe('controller writes', () => {
  test('an unchanged world needs no writes; a changed spec, a removed event and a new status do', () => {
    const plan = planEventSource(es({ spec: { cron: { tick: { schedule: '@every 5s' }, tock: { schedule: '@every 9s' } } } }), world);
    const status = statusFor(1, plan, [], undefined, t0);
    const first = writesFor(plan.functions, [], status, undefined);
    expect([first.apply.length, first.prune, first.status]).toEqual([2, [], true]);
    const owned = plan.functions.map((f) => ({ name: f.metadata.name, labels: structuredClone(f.metadata.labels), spec: JSON.parse(JSON.stringify(f.spec)) }));
    expect(writesFor(plan.functions, owned, status, structuredClone(status))).toEqual({ apply: [], prune: [], status: false });
    const changed = planEventSource(es({ spec: { cron: { tick: { schedule: '@every 6s' } } } }), world);
    const writes = writesFor(changed.functions, owned, status, status);
    expect([writes.apply.map((f) => f.metadata.name), writes.prune]).toEqual([['esw-my-es-cron-tick'], ['esw-my-es-cron-tock']]);
  });
});
