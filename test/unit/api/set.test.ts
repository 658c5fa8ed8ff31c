// Validation of a set: references between resources.
import { validateSet, type Document } from '../../../lib/api/index.js';
import { makeEventBus, makeEventSource, makeTrigger } from '../../support/builders.js';

const docs = (...list: unknown[]): Document[] => list.map((doc, i) => ({ file: 'set.yaml', index: i + 1, doc }));
const lines = (list: unknown[]) =>
  validateSet(docs(...list)).findings.map((f) => `${f.file}:${f.index} ${f.resource}: ${f.severity} ${f.path}: ${f.message}`);

describe('validate set - references', () => {
  test('a consistent set has nothing to say', () => {
    expect(lines([makeEventBus(), makeEventSource(), makeTrigger()])).toEqual([]);
  });

  test('a ClusterEventBus serves every namespace', () => {
    expect(lines([makeEventBus({}, 'default', 'ClusterEventBus'), makeEventSource({ metadata: { namespace: 'team-a' } }), makeTrigger({ metadata: { namespace: 'team-a' } })])).toEqual([]);
  });

  test('a Trigger input naming an event its EventSource does not declare is an error', () => {
    expect(lines([makeEventBus(), makeEventSource(), makeTrigger({ spec: { inputs: { tick: { eventSource: 'my-es', event: 'tock' } } } })])).toEqual([
      'set.yaml:3 Trigger/my-trigger: error spec.inputs["tick"].event: EventSource "my-es" declares no event "tock"; it declares "tick"',
    ]);
  });

  test('an input from another namespace is looked up there', () => {
    const es = makeEventSource({ metadata: { namespace: 'other' } });
    expect(lines([makeEventBus(), makeEventBus({ metadata: { namespace: 'other' } }), es, makeTrigger({ spec: { inputs: { tick: { eventSource: 'my-es', event: 'tick', namespace: 'other' } } } })])).toEqual([]);
    expect(lines([makeEventBus(), es, makeTrigger()])).toEqual([
      'set.yaml:2 EventSource/my-es: warning spec.eventBus: no EventBus "default" in namespace "other" nor ClusterEventBus "default" in this set; it must exist in the cluster',
      'set.yaml:3 Trigger/my-trigger: warning spec.inputs["tick"].eventSource: no EventSource "my-es" in namespace "default" in this set; it must exist in the cluster',
    ]);
  });

  test('references missing from the set are warnings: they may exist in the cluster', () => {
    expect(lines([makeTrigger()])).toEqual([
      'set.yaml:1 Trigger/my-trigger: warning spec.eventBus: no EventBus "default" in namespace "default" nor ClusterEventBus "default" in this set; it must exist in the cluster',
      'set.yaml:1 Trigger/my-trigger: warning spec.inputs["tick"].eventSource: no EventSource "my-es" in namespace "default" in this set; it must exist in the cluster',
    ]);
  });

  test('an input from an EventSource that publishes to no bus is an error', () => {
    expect(lines([makeEventBus(), makeEventSource({ spec: { eventBus: undefined, sink: { uri: 'http://s/' } } }), makeTrigger()])).toEqual([
      'set.yaml:3 Trigger/my-trigger: error spec.inputs["tick"].eventSource: EventSource "my-es" has no eventBus, so its events never reach a Trigger',
    ]);
  });

  test('an input from an EventSource on another bus is a warning', () => {
    expect(lines([makeEventBus(), makeEventBus({}, 'other'), makeEventSource({ spec: { eventBus: 'other' } }), makeTrigger()])).toEqual([
      'set.yaml:4 Trigger/my-trigger: warning spec.inputs["tick"].eventSource: EventSource "my-es" publishes to bus "other", this Trigger reads bus "default"',
    ]);
  });

  test('a resource defined twice is an error on the second', () => {
    expect(lines([makeEventBus(), makeEventSource(), makeEventSource()])).toEqual(['set.yaml:3 EventSource/my-es: error metadata.name: EventSource/my-es is also defined in set.yaml:2']);
  });

  test('other kinds are skipped, invalid ones reported and left out of the cross-check', () => {
    const report = validateSet(docs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, null, makeEventSource({ spec: { eventBus: 5 } })));
    expect(report.skipped).toBe(1);
    expect(report.checked).toBe(1);
    expect(report.resources).toEqual([]);
    expect(report.findings.map((f) => f.message)).toEqual(['expected string, got number 5']);
  });
});
