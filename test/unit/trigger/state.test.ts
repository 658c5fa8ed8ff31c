// The correlation engine on a virtual clock: upstream's semantics, our divergence, and the options.
import type { Event } from '../../../lib/cloudevents.js';
import { Correlator, FIRED_TYPE, modelOf } from '../../../functions/trigger-handler/index.js';

const ev = (id: string, data: unknown = {}): Event => ({ specversion: '1.0', id, source: '/s', type: 't', data });
const inputs = [
  { name: 'eventA', eventSource: 'es-a', event: 'e' },
  { name: 'eventB', eventSource: 'es-b', event: 'e' },
];

function correlator(conditions: string[], correlation?: Parameters<typeof modelOf>[0]['correlation'], ins = inputs) {
  return new Correlator(modelOf({ namespace: 'default', trigger: 't', inputs: ins, subscribers: conditions.map((condition) => ({ condition })), correlation }));
}
const fired = (c: Correlator, input: string, id: string, at: number) => c.onEvent([input], ev(id), at).map((f) => `${f.subscriber}:${f.event.id}`);

describe('correlation - upstream semantics', () => {
  test('an input is active for 60 s after its last event, sliding', () => {
    const c = correlator(['eventA && eventB']);
    expect(fired(c, 'eventA', 'a1', 0)).toEqual([]);
    expect(fired(c, 'eventB', 'b1', 59_999)).toEqual(['0:b1']);
    expect(fired(c, 'eventA', 'a2', 100_000)).toEqual(['0:a2']); // B is active until 60 s after 59 999
    expect(fired(c, 'eventA', 'a3', 119_998)).toEqual(['0:a3']);
    expect(fired(c, 'eventA', 'a4', 119_999)).toEqual([]); // B idle for 60 s
  });

  test('no reset after firing: every later event fires again, with the incoming event', () => {
    const c = correlator(['eventA && eventB']);
    fired(c, 'eventA', 'a1', 0);
    expect([fired(c, 'eventB', 'b1', 1), fired(c, 'eventB', 'b2', 2), fired(c, 'eventA', 'a2', 3)]).toEqual([['0:b1'], ['0:b2'], ['0:a2']]);
  });

  test('every satisfied subscriber fires, identical conditions included', () => {
    const c = correlator(['eventA', 'eventA', 'eventA || eventB']);
    expect(fired(c, 'eventA', 'a1', 0)).toEqual(['0:a1', '1:a1', '2:a1']);
  });

  test('divergence: a condition fires only on events of inputs it names', () => {
    const c = correlator(['eventB']);
    fired(c, 'eventB', 'b1', 0);
    expect(fired(c, 'eventA', 'a1', 1)).toEqual([]); // upstream delivered a1 to eventB's subscriber
  });

  test('an input that is idle again forgets its event: field conditions no longer see it', () => {
    const c = correlator(['eventA && eventB.data.ok == true']);
    c.onEvent(['eventB'], ev('b1', { ok: true }), 0);
    expect(fired(c, 'eventA', 'a1', 1_000)).toEqual(['0:a1']);
    expect(fired(c, 'eventA', 'a2', 61_000)).toEqual([]);
  });

  test('one topic feeding two inputs activates both', () => {
    const c = new Correlator(modelOf({ namespace: 'default', trigger: 't', inputs: [inputs[0]!, { name: 'alias', eventSource: 'es-a', event: 'e' }], subscribers: [{ condition: 'eventA && alias' }] }));
    expect(c.onEvent(['eventA', 'alias'], ev('x'), 0).map((f) => f.event.id)).toEqual(['x']);
  });
});

describe('correlation - options', () => {
  test('a window per Trigger and per input', () => {
    const c = correlator(['eventA && eventB'], { window: '10s' }, [inputs[0]!, { ...inputs[1]!, window: '2s' } as (typeof inputs)[number]]);
    fired(c, 'eventB', 'b1', 0);
    expect(fired(c, 'eventA', 'a1', 1_999)).toEqual(['0:a1']);
    expect(fired(c, 'eventA', 'a2', 2_000)).toEqual([]);
    expect(fired(c, 'eventB', 'b2', 11_999)).toEqual(['0:b2']); // A's 10 s window
    expect(c.isActive('eventA', 12_000)).toBe(false);
  });

  test('reset after fire: the inputs a firing condition names start over', () => {
    const c = correlator(['eventA && eventB'], { resetAfterFire: true });
    fired(c, 'eventA', 'a1', 0);
    expect(fired(c, 'eventB', 'b1', 1)).toEqual(['0:b1']);
    expect(fired(c, 'eventB', 'b2', 2)).toEqual([]); // A was consumed
    expect(fired(c, 'eventA', 'a2', 3)).toEqual(['0:a2']); // B (b2) was not: it came after the firing
    expect(fired(c, 'eventA', 'a3', 4)).toEqual([]);
    const greedy = correlator(['eventA && eventB', 'eventA'], { resetAfterFire: true });
    expect(fired(greedy, 'eventA', 'a1', 0)).toEqual(['1:a1']); // 'eventA' alone consumes A at once
    expect(fired(greedy, 'eventB', 'b1', 1)).toEqual([]);
  });

  test('a correlated payload holds the latest event of each named input, with a stable id', () => {
    const c = correlator(['eventA && eventB'], { payload: 'correlated' });
    c.onEvent(['eventA'], ev('a1', { n: 1 }), 0);
    const [firing] = c.onEvent(['eventB'], ev('b1', { n: 2 }), 5_000);
    expect(firing!.event).toMatchObject({
      type: FIRED_TYPE,
      source: '/apis/events.openfunction.io/v1alpha1/namespaces/default/triggers/t',
      time: '1970-01-01T00:00:05.000Z',
      data: { trigger: 't', subscriber: 0, condition: 'eventA && eventB', contributors: ['a1', 'b1'], events: { eventA: { id: 'a1', data: { n: 1 } }, eventB: { id: 'b1', data: { n: 2 } } } },
    });
    const again = correlator(['eventA && eventB'], { payload: 'correlated' });
    again.onEvent(['eventA'], ev('a1'), 100);
    expect(again.onEvent(['eventB'], ev('b1'), 200)[0]!.event.id).toBe(firing!.event.id);
  });

  test('a bad condition stops the model from being built, naming the subscriber and position', () => {
    expect(() => correlator(['eventA', 'eventA && eventC'])).toThrow('spec.subscribers[1].condition: at character 11: unknown input "eventC"; did you mean "eventA"?');
  });
});
