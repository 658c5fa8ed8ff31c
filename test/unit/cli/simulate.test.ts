import { join } from 'node:path';
import { stringify } from 'yaml';
import { makeEventBus, makeEventSource, makeTrigger } from '../../support/builders.js';
import { runCli, tempFiles } from '../../support/cli.js';

const yaml = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');
const set = (trigger: unknown) =>
  yaml(makeEventBus(), makeEventSource({ spec: { cron: { a: { schedule: '@every 1s' }, b: { schedule: '@every 1s' } } } }), trigger);
const twoInputs = makeTrigger({
  spec: {
    inputs: { tick: undefined, eventA: { eventSource: 'my-es', event: 'a' }, eventB: { eventSource: 'my-es', event: 'b' } },
    subscribers: [{ condition: 'eventA && eventB', sink: { uri: 'http://sink/' } }, { condition: 'eventB', topic: 'bees' }],
  },
});
const timeline = ['{"at": "0s", "input": "eventA", "data": {"n": 1}}', '{"at": "1m30s", "input": "eventB", "data": {"n": 2}}', '{"at": 30000, "input": "eventB"}'].join('\n');

describe('ofn-events simulate', () => {
  test('prints, per event in time order, which subscribers fired', async () => {
    const dir = tempFiles({ 'set.yaml': set(twoInputs), 't.jsonl': timeline });
    const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'));
    expect(result.err).toEqual([]);
    expect(result.out).toEqual([
      '      0s  eventA  sim-1: nothing fired',
      '     30s  eventB  sim-3: 2 fired',
      '          → subscriber 0 (eventA && eventB) to sink http://sink/: io.openfunction.events.simulated sim-3',
      '          → subscriber 1 (eventB) to topic bees: io.openfunction.events.simulated sim-3',
      '     90s  eventB  sim-2: 1 fired',
      '          → subscriber 1 (eventB) to topic bees: io.openfunction.events.simulated sim-2 {"n":2}',
    ]);
    expect(result.code).toBe(0);
  });

  test('--json: one object per firing with at, subscriber, condition and the delivered event', async () => {
    const dir = tempFiles({ 'set.yaml': set(twoInputs), 't.jsonl': timeline });
    const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'), '--json');
    const lines = result.out.map((l) => JSON.parse(l) as { at: number; subscriber: number; condition: string; event: Record<string, unknown> });
    expect(lines.map((l) => [l.at, l.subscriber, l.condition, l.event.id])).toEqual([[30000, 0, 'eventA && eventB', 'sim-3'], [30000, 1, 'eventB', 'sim-3'], [90000, 1, 'eventB', 'sim-2']]);
    expect(lines[0]!.event).toMatchObject({ specversion: '1.0', source: '/apis/events.openfunction.io/v1alpha1/namespaces/default/eventsources/my-es/events/b', ofntrigger: 'my-trigger', ofnsubscriber: '0' });
  });

  test('correlation options apply: a shorter window, and full CloudEvents in the timeline', async () => {
    const trigger = makeTrigger({ spec: { correlation: { window: '10s' }, inputs: { tick: undefined, eventA: { eventSource: 'my-es', event: 'a' }, eventB: { eventSource: 'my-es', event: 'b' } }, subscribers: [{ condition: 'eventA && eventB', topic: 'x' }] } });
    const events = ['{"at": "0s", "input": "eventA", "event": {"specversion": "1.0", "id": "given", "source": "/x", "type": "t"}}', '{"at": "10s", "input": "eventB"}', '{"at": "19s", "input": "eventA"}'].join('\n');
    const dir = tempFiles({ 'set.yaml': set(trigger), 't.jsonl': events });
    const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'), '--json');
    expect(result.out.map((l) => (JSON.parse(l) as { at: number }).at)).toEqual([19000]);
  });

  test('a bad condition is an error before anything runs', async () => {
    const dir = tempFiles({ 'set.yaml': set(makeTrigger({ spec: { subscribers: [{ condition: 'tick || tock', topic: 'x' }] } })), 't.jsonl': '' });
    const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'));
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/Trigger\/my-trigger \(document \d+\): spec\.subscribers\[0\]\.condition: at character 9: unknown input "tock"; did you mean "tick"\?$/);
  });

  test.each([
    ['{"at": "soon", "input": "eventA"}', 't.jsonl:1: at: expected a duration such as "12s" or "1m30s", or milliseconds'],
    ['{"at": "1s", "input": "eventC"}', 't.jsonl:1: input: expected one of "eventA", "eventB", got "eventC"'],
    ['not json', 't.jsonl:1: not a JSON object'],
    ['{"at": 1, "input": "eventA", "event": {"id": "x"}}', 't.jsonl:1: event: expected a CloudEvent with specversion, id, source and type'],
  ])('a bad timeline line is a usage error: %s', async (line, message) => {
    const dir = tempFiles({ 'set.yaml': set(twoInputs), 't.jsonl': line });
    const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'));
    expect(result.code).toBe(2);
    expect(result.err[0]).toBe(`ofn-events: ${join(dir, message)}`);
  });

  test('several Triggers need --trigger', async () => {
    const dir = tempFiles({ 'set.yaml': set(twoInputs) + '---\n' + stringify(makeTrigger({}, 'other')), 't.jsonl': '' });
    const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'));
    expect([result.code, result.err[0]]).toEqual([2, 'ofn-events: 2 Triggers (my-trigger, other) in the files; name one with --trigger']);
  });

  describe('keys, absences and restarts', () => {
    const keyedTrigger = (state?: unknown) =>
      makeTrigger({
        spec: {
          ...(state ? { correlation: { state } } : {}),
          inputs: { tick: undefined, created: { eventSource: 'my-es', event: 'a', key: 'data.order' }, paid: { eventSource: 'my-es', event: 'b', key: 'data.order' } },
          subscribers: [
            { condition: 'created && paid', sink: { uri: 'http://ship/' } },
            { condition: 'created && !paid', absence: { input: 'paid', within: '10m' }, sink: { uri: 'http://remind/' } },
          ],
        },
      });
    const orders = [
      '{"at": "0s", "input": "created", "data": {"order": "o1"}}',
      '{"at": "1m", "input": "created", "data": {"order": "o2"}}',
      '{"at": "1m30s", "input": "paid", "data": {"order": "o2"}}',
      '{"at": "3m", "input": "paid", "data": {}}',
      '{"at": "12m", "input": "created", "data": {"order": "o3"}}',
    ].join('\n');

    test('conditions hold per key; an unpaid order fires its absence at the deadline, between later events', async () => {
      const dir = tempFiles({ 'set.yaml': set(keyedTrigger()), 't.jsonl': orders });
      const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'));
      expect(result.err).toEqual([]);
      expect(result.out).toEqual([
        '      0s  created  sim-1 [key o1]: nothing fired',
        '     60s  created  sim-2 [key o2]: nothing fired',
        '     90s  paid  sim-3 [key o2]: 1 fired',
        '          → subscriber 0 (created && paid) to sink http://ship/: io.openfunction.events.simulated sim-3 {"order":"o2"}',
        '    180s  paid  sim-4 (no key at data.order: not correlated): nothing fired',
        '    600s  (no paid within 10m for key o1): 1 fired',
        expect.stringMatching(/^ {10}→ subscriber 1 \(created && !paid\) to sink http:\/\/remind\/: io\.openfunction\.events\.trigger\.absent my-trigger-1-absent-[0-9a-f]{16} \{"specversion":"1\.0","id":"sim-1"/),
        '    720s  created  sim-5 [key o3]: nothing fired',
        '   1320s  (no paid within 10m for key o3): 1 fired',
        expect.stringMatching(/io\.openfunction\.events\.trigger\.absent/),
      ]);
    });

    test('--json carries the key and the absence event at its deadline', async () => {
      const dir = tempFiles({ 'set.yaml': set(keyedTrigger()), 't.jsonl': orders });
      const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'), '--json');
      const lines = result.out.map((l) => JSON.parse(l) as { at: number; key: string; event: Record<string, unknown> });
      expect(lines.map((l) => [l.at, l.key, l.event.type])).toEqual([
        [90_000, 'o2', 'io.openfunction.events.simulated'],
        [600_000, 'o1', 'io.openfunction.events.trigger.absent'],
        [1_320_000, 'o3', 'io.openfunction.events.trigger.absent'],
      ]);
      expect(lines[1]!.event).toMatchObject({ ofnkey: 'o1', subject: 'o1', time: new Date(600_000).toISOString() });
    });

    test('a restart loses state in memory and keeps state in a store', async () => {
      const timeline = ['{"at": "0s", "input": "created", "data": {"order": "o1"}}', '{"at": "30s", "restart": true}', '{"at": "50s", "input": "paid", "data": {"order": "o1"}}'].join('\n');
      const inMemory = tempFiles({ 'set.yaml': set(keyedTrigger()), 't.jsonl': timeline });
      const durable = tempFiles({ 'set.yaml': set(keyedTrigger({ type: 'state.redis', metadata: { redisHost: 'redis:6379' } })), 't.jsonl': timeline });
      const lost = await runCli('simulate', '-f', join(inMemory, 'set.yaml'), '--events', join(inMemory, 't.jsonl'));
      const kept = await runCli('simulate', '-f', join(durable, 'set.yaml'), '--events', join(durable, 't.jsonl'));
      expect(lost.out.slice(1, 3)).toEqual(['     30s  restart: state in memory lost (set correlation.state to keep it)', '     50s  paid  sim-3 [key o1]: nothing fired']);
      expect(kept.out.slice(1, 4)).toEqual(['     30s  restart: state kept in the state store', '     50s  paid  sim-3 [key o1]: 1 fired', expect.stringContaining('subscriber 0 (created && paid)')]);
    });

    test('a restart line must say true', async () => {
      const dir = tempFiles({ 'set.yaml': set(keyedTrigger()), 't.jsonl': '{"at": "1s", "restart": "yes"}' });
      const result = await runCli('simulate', '-f', join(dir, 'set.yaml'), '--events', join(dir, 't.jsonl'));
      expect(result.code).toBe(2);
      expect(result.err.join('\n')).toContain('t.jsonl:1: restart: expected true');
    });
  });
});
