import type { Event } from '../../../lib/cloudevents.js';
import { compileCondition, ConditionSyntaxError } from '../../../lib/condition/index.js';

const inputs = ['eventA', 'eventB', 'orders', 'alerts', 'input-a'];

function rejection(source: string): string {
  try {
    compileCondition(source, inputs);
  } catch (e) {
    if (e instanceof ConditionSyntaxError) return `${e.index}: ${e.reason}`;
    throw e;
  }
  return 'accepted';
}

describe('condition - rejects everything outside the grammar, with position and suggestion', () => {
  test.each([
    ['eventC', '0: unknown input "eventC"; did you mean "eventA"?'],
    ['eventA && zzz', '10: unknown input "zzz"; inputs are "eventA", "eventB", "orders", "alerts", "input-a"'],
    ['input-a', '0: input "input-a" cannot be named in a condition: "-" is subtraction. Rename the input to an identifier such as "inputA"'],
    ['eventA + eventB', '7: arithmetic ("+") is not supported; conditions combine inputs with !, && and ||, and compare values with == != < <= > >='],
    ['eventA & eventB', '7: bitwise "&" is not supported; did you mean "&&"?'],
    ['eventA | eventB', '7: bitwise "|" is not supported; did you mean "||"?'],
    ['eventA === eventB', '7: "===" is not supported; use "=="'],
    ['size(eventA)', '4: function calls are not supported'],
    ['eventA ? eventB : alerts', '7: "? :" is not supported; combine conditions with &&, || and !'],
    ['eventA eventB', '6: two expressions side by side; join them with && or ||'],
    ['orders.data.total = 5', expect.stringMatching(/^\d+: /)],
    ['eventA &&', expect.stringMatching(/^9: expected expression after &&/i)],
    ['(eventA', expect.stringMatching(/^7: /)],
    ['"text"', '0: "text" is not a condition; compare it, e.g. orders.data.status == "text"'],
    ['orders.data[0] == 1', '11: only a quoted name may stand in [ ], e.g. data["x-y"]'],
    ['~eventA', '0: "~" is not supported; use "!" to negate'],
    ['', '0: empty condition; expected input names with !, &&, ||, e.g. "eventA && eventB"'],
    ['[eventA]', '0: lists are not supported'],
  ])('%j', (source, expected) => {
    expect(rejection(source)).toEqual(expected);
  });
});

const ev = (data: unknown, extra: Record<string, unknown> = {}): Event => ({ specversion: '1.0', id: 'i', source: '/s', type: 't', data, ...extra });

describe('condition - evaluation', () => {
  const names = ['eventA', 'eventB', 'orders', 'alerts'];
  const snapshot = (active: Record<string, boolean>, events: Record<string, Event> = {}) => ({
    active: names.map((n) => active[n] ?? false),
    events: names.map((n) => events[n]),
  });

  test.each([
    ['eventA', { eventA: true }, {}, true],
    ['eventA', {}, {}, false],
    ['eventA && eventB', { eventA: true }, {}, false],
    ['eventA && eventB', { eventA: true, eventB: true }, {}, true],
    ['eventA && (eventB || !alerts)', { eventA: true }, {}, true],
    ['eventA && (eventB || !alerts)', { eventA: true, alerts: true }, {}, false],
    ['eventA == true', { eventA: true }, {}, true],
    ['eventA != eventB', { eventA: true }, {}, true],
    ['true', {}, {}, true],
    ['!false && eventB', { eventB: true }, {}, true],
    ['orders.data.total > 100', { orders: true }, { orders: ev({ total: 150 }) }, true],
    ['orders.data.total > 100', { orders: true }, { orders: ev({ total: 50 }) }, false],
    ['orders.data.total >= 100 && orders.data.total <= 100', { orders: true }, { orders: ev({ total: 100 }) }, true],
    ['orders.data.total > 100', { orders: true }, { orders: ev({ total: '150' }) }, false],
    ['orders.data.name < "m"', { orders: true }, { orders: ev({ name: 'alice' }) }, true],
    ['alerts.type == "critical"', { alerts: true }, { alerts: ev(null, { type: 'critical' }) }, true],
    ['alerts.data["x-y"] == "v"', { alerts: true }, { alerts: ev({ 'x-y': 'v' }) }, true],
    ['alerts.data.level == -1', { alerts: true }, { alerts: ev({ level: -1 }) }, true],
    ['alerts.data.flag', { alerts: true }, { alerts: ev({ flag: true }) }, true],
    ['alerts.data.flag', { alerts: true }, { alerts: ev({ flag: 'yes' }) }, false],
    ['orders.data.missing.deeper == 1', { orders: true }, { orders: ev({}) }, false],
    ['orders.data.missing != 1', { orders: true }, { orders: ev({}) }, true],
    ['orders.data.missing == null', { orders: true }, { orders: ev({}) }, false],
    ['orders.data.present == null', { orders: true }, { orders: ev({ present: null }) }, true],
    ['orders.data.total > 1', {}, {}, false],
    ['orders.data.x.y == 1', { orders: true }, { orders: ev('a string') }, false],
  ] as const)('%s %j → %s', (source, active, events, expected) => {
    const compiled = compileCondition(source, names);
    expect(compiled.evaluate(snapshot(active, events as Record<string, Event>))).toBe(expected);
  });

  test('the inputs a condition names', () => {
    expect(compileCondition('eventB && (orders.data.total > 1 || !eventB)', names).inputs).toEqual(['eventB', 'orders']);
    expect(compileCondition('true', names).inputs).toEqual([]);
  });
});

describe('condition - size and nesting limits keep parsing off the stack edge', () => {
  test.each([
    [Array.from({ length: 6000 }, () => 'eventA').join(' && '), '4096: condition of 59996 characters; at most 4096 are allowed'],
    [`${'('.repeat(1000)}eventA${')'.repeat(1000)}`, '32: nested more than 32 levels deep (parentheses and "!")'],
    [`${'!'.repeat(40)}eventA`, '32: nested more than 32 levels deep (parentheses and "!")'],
    [`${'('.repeat(20)}eventA${')'.repeat(20)} && ${'!'.repeat(12)}eventB`, 'accepted'],
    [Array.from({ length: 400 }, (_, i) => (i % 2 ? 'eventA' : 'eventB')).join(' || '), 'accepted'],
  ])('%#', (source, expected) => {
    expect(rejection(source)).toBe(expected);
  });
});
