// Correlation keys: paths into a CloudEvent, refused with a position when they are anything else.
import { compileKey } from '../../../lib/condition/key.js';
import { ConditionSyntaxError } from '../../../lib/condition/index.js';
import type { Event } from '../../../lib/cloudevents.js';

const event: Event = { specversion: '1.0', id: 'e1', source: '/s', type: 't', subject: 'order-7', orderid: 'ext-9', data: { orderId: 42, order: { id: 'o-1', 'line-no': 3, nested: { deep: true } }, list: [1], empty: '' } };

describe('correlation keys', () => {
  test.each([
    ['data.orderId', '42'],
    ['data.order.id', 'o-1'],
    ['data.order["line-no"]', '3'],
    ['data.order.nested.deep', 'true'],
    ['subject', 'order-7'],
    ['orderid', 'ext-9'],
    ['data.missing', undefined],
    ['data.order', undefined], // an object is not a key
    ['data.list', undefined],
    ['data.empty', undefined],
    ['data.order.id.more', undefined],
  ])('%s of the event is %s', (source, expected) => {
    expect(compileKey(source).of(event)).toBe(expected);
  });

  test.each([
    ['', 'got nothing'],
    ['data', 'the whole data is not a key'],
    ['data.a + 1', 'got an expression'],
    ['"literal"', 'got a literal'],
    ['data.(', 'at character'],
    ['data[0]', 'quoted name'],
    ['f(x)', 'got an expression'],
  ])('%j is refused (%s)', (source, message) => {
    expect(() => compileKey(source)).toThrow(ConditionSyntaxError);
    expect(() => compileKey(source)).toThrow(message);
  });

  test('data that is not an object yields no key, never an exception', () => {
    const key = compileKey('data.orderId');
    expect(key.of({ ...event, data: 'text' })).toBeUndefined();
    expect(key.of({ ...event, data: null })).toBeUndefined();
    expect(key.of({ specversion: '1.0', id: 'x', source: '/s', type: 't' })).toBeUndefined();
  });
});
