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
      'set.yaml:3 Trigger/my-trigger: error spec.inputs["tick"].event: EventSource "my-es" declares no event "tock"; did you mean "tick"?',
    ]);
  });

  test('an input from another namespace is looked up there', () => {
    const es = makeEventSource({ metadata: { namespace: 'other', annotations: { 'events.openfunction.io/readable-from': 'default' } } });
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

  test('a resource defined twice: the last definition wins, with a warning', () => {
    const first = makeEventSource({ spec: { cron: { tick: { schedule: 'not a schedule' } } } });
    // The first one's problems go with it: only the definition that wins is checked.
    expect(lines([makeEventBus(), first, makeEventSource()])).toEqual(['set.yaml:3 EventSource/my-es: warning metadata.name: replaces EventSource/my-es of set.yaml:2 (the last definition wins, as with kubectl apply)']);
  });

  test('other kinds are skipped, invalid ones reported and left out of the cross-check', () => {
    const report = validateSet(docs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, null, makeEventSource({ spec: { eventBus: 5 } })));
    expect(report.skipped).toBe(1);
    expect(report.checked).toBe(1);
    expect(report.resources).toEqual([]);
    expect(report.findings.map((f) => f.message)).toEqual(['expected string, got number 5']);
  });

  test('a skipped document whose fields are objects that refuse conversion to text (YAML `kind: {toString: false}`) is listed, not a crash', () => {
    const report = validateSet(docs({ apiVersion: null, kind: { toString: false }, metadata: { name: 'my-es' } }));
    expect(report.skippedDocuments).toEqual([{ file: 'set.yaml', index: 1, kind: '{"toString":false}', apiVersion: '?', name: 'my-es' }]);
  });
});

describe('validate set - names, tenancy and cycles across resources', () => {
  const bus = makeEventBus({}, 'default', 'ClusterEventBus');

  test('two EventSources whose derived Function names collide: the later document is refused, naming the earlier', () => {
    const x = makeEventSource({ spec: { cron: { 'cron-y': { schedule: '@every 5s' } } } }, 'x');
    const xCron = makeEventSource({ spec: { cron: { y: { schedule: '@every 5s' } } } }, 'x-cron');
    expect(lines([bus, x, xCron])).toEqual([
      'set.yaml:3 EventSource/x-cron: error spec.cron["y"]: its Function name would be "esw-x-cron-cron-y", already its Function name of EventSource default/x: rename one of them',
      'set.yaml:3 EventSource/x-cron: error spec.cron["y"]: its consumer id would be "default-esw-x-cron-cron-y", already its consumer id of EventSource default/x: rename one of them',
      'set.yaml:3 EventSource/x-cron: error spec.cron["y"]: its bus topic would be "default-x-cron-y", already the topic of event "cron-y" of EventSource default/x: rename one of them',
    ]);
  });

  test('bus topics that collide across namespaces are refused', () => {
    const one = makeEventSource({ metadata: { namespace: 'a-b' }, spec: { cron: { ev: { schedule: '@every 5s' } } } }, 'c');
    const two = makeEventSource({ metadata: { namespace: 'a' }, spec: { cron: { ev: { schedule: '@every 5s' } } } }, 'b-c');
    expect(lines([bus, one, two])).toContainEqual('set.yaml:3 EventSource/b-c: error spec.cron["ev"]: its bus topic would be "a-b-c-ev", already the topic of event "ev" of EventSource a-b/c: rename one of them');
  });

  test("a Trigger reads another namespace's events only with that EventSource's consent, for its namespace or all", () => {
    const input = { spec: { inputs: { tick: { eventSource: 'my-es', event: 'tick', namespace: 'b' } } } };
    const es = (annotations: Record<string, string> = {}) => makeEventSource({ metadata: { namespace: 'b', annotations } });
    expect(lines([bus, es(), makeTrigger({ metadata: { namespace: 'a' }, ...input })])).toEqual([
      'set.yaml:3 Trigger/my-trigger: error spec.inputs["tick"].namespace: reads EventSource b/my-es, which does not consent: annotate it events.openfunction.io/readable-from: "a" (or "*")',
    ]);
    expect(lines([bus, es({ 'events.openfunction.io/readable-from': 'c, a' }), makeTrigger({ metadata: { namespace: 'a' }, ...input })])).toEqual([]);
    expect(lines([bus, es({ 'events.openfunction.io/readable-from': '*' }), makeTrigger({ metadata: { namespace: 'a' }, ...input })])).toEqual([]);
  });

  test("a Trigger publishes into another namespace's EventSource topic only with its consent", () => {
    const es = (annotations: Record<string, string> = {}) => makeEventSource({ metadata: { namespace: 'b', annotations } });
    const t = makeTrigger({ metadata: { namespace: 'a' }, spec: { inputs: { tick: { eventSource: 'mine', event: 'tick' } }, subscribers: [{ condition: 'tick', topic: 'b-my-es-tick' }] } });
    const mine = makeEventSource({ metadata: { namespace: 'a' } }, 'mine');
    expect(lines([bus, es(), mine, t])).toEqual([
      'set.yaml:4 Trigger/my-trigger: error spec.subscribers[0].topic: publishes into "b-my-es-tick", the topic of EventSource b/my-es, which does not consent: annotate it events.openfunction.io/writable-from: "a" (or "*")',
    ]);
    expect(lines([bus, es({ 'events.openfunction.io/writable-from': 'a' }), mine, t])).toEqual([]);
  });

  test('a Trigger feeding its own input is a cycle; so is a chain of Triggers feeding back; a chain that ends is not', () => {
    const es = makeEventSource({ spec: { cron: { tick: { schedule: '@every 5s' }, tock: { schedule: '@every 5s' } } } });
    const self = makeTrigger({ spec: { subscribers: [{ condition: 'tick', topic: 'default-my-es-tick' }] } }, 'self');
    expect(lines([bus, es, self])).toEqual([
      'set.yaml:3 Trigger/self: error spec.subscribers[0].topic: feeds itself: "default-my-es-tick" → Trigger default/self; each firing would cause another without end. Break the loop (another topic, or a condition input this chain does not publish)',
    ]);
    const ping = makeTrigger({ spec: { subscribers: [{ condition: 'tick', topic: 'default-my-es-tock' }] } }, 'ping');
    const pong = makeTrigger({ spec: { inputs: { tock: { eventSource: 'my-es', event: 'tock' } }, subscribers: [{ condition: 'tock', deadLetterTopic: 'default-my-es-tick', sink: { uri: 'http://s.default.svc/' } }] } }, 'pong');
    expect(lines([bus, es, ping, pong]).map((l) => l.split(': feeds')[0])).toEqual(['set.yaml:3 Trigger/ping: error spec.subscribers[0].topic', 'set.yaml:4 Trigger/pong: error spec.subscribers[0].deadLetterTopic']);
    // A longer loop through three Triggers is found too, and each names it from its own side.
    const es3 = makeEventSource({ spec: { cron: { a: { schedule: '@every 5s' }, b: { schedule: '@every 5s' }, c: { schedule: '@every 5s' } } } });
    const hop = (name: string, from: string, to: string) => makeTrigger({ spec: { inputs: { x: { eventSource: 'my-es', event: from } }, subscribers: [{ condition: 'x', topic: `default-my-es-${to}` }] } }, name);
    expect(lines([bus, es3, hop('ab', 'a', 'b'), hop('bc', 'b', 'c'), hop('ca', 'c', 'a')]).map((l) => l.replace(/^.*feeds itself: /, ''))).toEqual([
      '"default-my-es-b" → Trigger default/bc, then "default-my-es-c" → Trigger default/ca, then "default-my-es-a" → Trigger default/ab; each firing would cause another without end. Break the loop (another topic, or a condition input this chain does not publish)',
      '"default-my-es-c" → Trigger default/ca, then "default-my-es-a" → Trigger default/ab, then "default-my-es-b" → Trigger default/bc; each firing would cause another without end. Break the loop (another topic, or a condition input this chain does not publish)',
      '"default-my-es-a" → Trigger default/ab, then "default-my-es-b" → Trigger default/bc, then "default-my-es-c" → Trigger default/ca; each firing would cause another without end. Break the loop (another topic, or a condition input this chain does not publish)',
    ]);
    const end = makeTrigger({ spec: { inputs: { tock: { eventSource: 'my-es', event: 'tock' } }, subscribers: [{ condition: 'tock', topic: 'elsewhere' }] } }, 'end');
    expect(lines([bus, es, ping, end])).toEqual([]);
  });

  test('event names and topics that cannot become Kubernetes names or broker subjects are refused up front', () => {
    expect(lines([bus, makeEventSource({ spec: { cron: { Bad_Name: { schedule: '@every 5s' } } } })])).toEqual([
      'set.yaml:2 EventSource/my-es: error spec.cron["Bad_Name"]: event name "Bad_Name" must be lowercase letters, digits and "-", starting and ending with a letter or digit: it becomes part of Kubernetes and broker names',
    ]);
    expect(lines([bus, makeEventSource(), makeTrigger({ spec: { subscribers: [{ condition: 'tick', topic: 'a topic.>' }] } })])).toEqual([
      'set.yaml:3 Trigger/my-trigger: error spec.subscribers[0].topic: expected a topic every bus accepts (letters, digits, ".", "_", "-", at most 249 characters, starting with a letter or digit), got "a topic.>"',
    ]);
  });
});
