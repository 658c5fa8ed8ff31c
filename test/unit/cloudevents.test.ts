import { CloudEvent, HTTP } from 'cloudevents';
import fc from 'fast-check';
import { decodeStructured, encodeBinary, encodeStructured, eventSourceUri, scanJson, toCloudEvent, withAttributes, type Event, type EventOrigin } from '../../lib/cloudevents.js';

const origin: EventOrigin = { namespace: 'default', eventSource: 'my-es', event: 'created', kind: 'kafka' };
const env = { now: () => new Date('2026-01-02T03:04:05.000Z'), newId: () => 'generated-id' };
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('cloudevents - source payload to CloudEvent', () => {
  test('JSON data gets every attribute assigned', () => {
    const ce = toCloudEvent(origin, { payload: bytes('{"order":42}') }, env);
    expect(JSON.parse(JSON.stringify(ce))).toEqual({
      specversion: '1.0',
      id: 'generated-id',
      source: '/apis/events.openfunction.io/v1alpha1/namespaces/default/eventsources/my-es/events/created',
      type: 'io.openfunction.events.kafka',
      time: '2026-01-02T03:04:05.000Z',
      datacontenttype: 'application/json',
      data: { order: 42 },
    });
  });

  test('a stable id, subject and time from the source are kept', () => {
    const ce = toCloudEvent(origin, { payload: bytes('1'), id: 'orders-0-17', subject: 'partition:0#17', time: new Date('2025-05-05T00:00:00Z') }, env);
    expect([ce.id, ce.subject, ce.time, ce.data]).toEqual(['orders-0-17', 'partition:0#17', '2025-05-05T00:00:00.000Z', 1]);
  });

  test('text stays text, bytes stay bytes', () => {
    expect(toCloudEvent(origin, { payload: bytes('hello world') }, env)).toMatchObject({ datacontenttype: 'text/plain; charset=utf-8', data: 'hello world' });
    const binary = toCloudEvent(origin, { payload: Buffer.from([0xff, 0x00, 0xfe]) }, env);
    expect(binary.datacontenttype).toBe('application/octet-stream');
    expect(Buffer.from(binary.data as Buffer)).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
  });

  test('an empty payload (a cron tick) has no data', () => {
    const ce = toCloudEvent({ ...origin, kind: 'cron' }, {}, env);
    expect([ce.type, ce.data, ce.datacontenttype]).toEqual(['io.openfunction.events.cron', undefined, undefined]);
  });

  test('a structured CloudEvent payload keeps its attributes', () => {
    const inner = { specversion: '1.0', id: 'abc', source: '/shop', type: 'order.created', subject: 'o-1', datacontenttype: 'application/json', data: { total: 5 }, tenant: 'acme' };
    const ce = toCloudEvent(origin, { payload: bytes(JSON.stringify(inner)) }, env);
    expect(JSON.parse(JSON.stringify(ce))).toEqual({ ...inner, time: '2026-01-02T03:04:05.000Z' });
    const timed = toCloudEvent(origin, { payload: bytes(JSON.stringify({ ...inner, time: '2020-01-01T00:00:00Z' })) }, env);
    expect(timed.time).toBe('2020-01-01T00:00:00Z');
  });

  test('something that only looks like a CloudEvent is carried as data', () => {
    const fake = { specversion: '1.0', id: 'x', source: '/x', type: '' };
    const ce = toCloudEvent(origin, { payload: bytes(JSON.stringify(fake)) }, env);
    expect([ce.id, ce.data]).toEqual(['generated-id', fake]);
  });

  test('the source URI names namespace, EventSource and event', () => {
    expect(eventSourceUri({ namespace: 'ns', eventSource: 'es', event: 'e' })).toBe('/apis/events.openfunction.io/v1alpha1/namespaces/ns/eventsources/es/events/e');
  });
});

describe('cloudevents - encodings', () => {
  const event = toCloudEvent(origin, { payload: bytes('{"order":42}'), id: 'id-1' }, env);

  test('binary mode: attributes as ce- headers, the body is the data', () => {
    const { headers, body } = encodeBinary(event);
    expect(headers).toMatchObject({ 'ce-id': 'id-1', 'ce-specversion': '1.0', 'ce-source': event.source, 'ce-type': 'io.openfunction.events.kafka', 'content-type': 'application/json' });
    expect(JSON.parse(body.toString())).toEqual({ order: 42 });
  });

  test('binary mode keeps raw bytes', () => {
    const { body } = encodeBinary(toCloudEvent(origin, { payload: Buffer.from([1, 2, 3]) }, env));
    expect(body).toEqual(Buffer.from([1, 2, 3]));
  });

  test('structured mode round-trips', () => {
    const decoded = decodeStructured(encodeStructured(event));
    expect(decoded).toEqual(event);
  });

  test('decoding reads what Dapr delivers: data_base64 and its own attributes', () => {
    const dapr = { specversion: '1.0', id: 'x', source: 'app', type: 'com.dapr.event.sent', topic: 't', pubsubname: 'bus', traceparent: '00-abc-def-01', datacontenttype: 'application/octet-stream', data_base64: Buffer.from([9, 8]).toString('base64') };
    const decoded = decodeStructured(bytes(JSON.stringify(dapr)));
    expect([decoded.topic, Buffer.from(decoded.data as Buffer)]).toEqual(['t', Buffer.from([9, 8])]);
  });

  describe('agree with the cloudevents package', () => {
    const cases: Array<[string, Event]> = [
      ['JSON data', toCloudEvent(origin, { payload: bytes('{"order": 42, "items": [1, 2]}'), subject: 's' }, env)],
      ['text data', toCloudEvent(origin, { payload: bytes('hello') }, env)],
      ['binary data', toCloudEvent(origin, { payload: Buffer.from([0, 255, 7]) }, env)],
      ['no data', toCloudEvent(origin, {}, env)],
      ['a structured payload with an extension', toCloudEvent(origin, { payload: bytes('{"specversion":"1.0","id":"i","source":"/s","type":"t","tenant":"acme","datacontenttype":"application/json","data":{"x":1}}') }, env)],
    ];
    test.each(cases)('structured, %s: the package decodes ours to the same event', (_name, event) => {
      const ours = JSON.parse(encodeStructured(event).toString());
      const theirs = JSON.parse(HTTP.structured(new CloudEvent<unknown>(event)).body as string);
      expect(ours).toEqual(theirs);
    });
    test.each(cases)('binary, %s: same headers and the same body bytes', (_name, event) => {
      const ours = encodeBinary(event);
      const theirs = HTTP.binary(new CloudEvent<unknown>(event));
      const body = theirs.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(theirs.body) ? theirs.body : Buffer.from(theirs.body as string);
      expect(ours.headers).toEqual(Object.fromEntries(Object.entries(theirs.headers).map(([k, v]) => [k, String(v)]).filter(([k]) => k !== 'content-type' || event.datacontenttype !== undefined)));
      if (event.datacontenttype === 'application/json') expect(JSON.parse(ours.body.toString())).toEqual(JSON.parse(body.toString()));
      else expect(ours.body).toEqual(body);
    });
  });

  test('JSON data is forwarded as the source sent it, byte for byte', () => {
    const original = '{ "order" : 42,\n  "note": "spaces kept" }';
    const event = toCloudEvent(origin, { payload: bytes(original) }, env);
    expect(encodeBinary(event).body.toString()).toBe(original);
    expect(encodeStructured(event).toString()).toContain(`"data":${original}}`);
  });

  test.each(['not json', '{"id":"x"}', '[1,2]'])('decoding %j fails', (text) => {
    expect(() => decodeStructured(bytes(text))).toThrow();
  });
});

describe('cloudevents - the data of a structured event forwarded as it came', () => {
  const at = (text: string) => {
    const found = scanJson(bytes(text)).data;
    return found && text.slice(found.start, found.end);
  };

  test.each([
    ['{"id":"1","data":{"a":[1,{"b":"}"}]}}', '{"a":[1,{"b":"}"}]}'],
    ['{ "data" : "x,y" , "id":"1"}', '"x,y"'],
    ['{"data":1,"data":[2]}', '[2]'], // the last, as JSON.parse keeps
    ['{"x":{"data":1},"id":"data"}', undefined], // nested, and a value that reads "data"
    ['{"d\\u0061ta":1}', undefined], // escaped key: not recognised, only the shortcut is lost
    ['[{"data":1}]', undefined],
  ])('%s', (text, expected) => {
    expect(at(text)).toBe(expected);
  });

  test('the range found parses to the data JSON.parse finds, for any event', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 })), fc.jsonValue({ maxDepth: 4 }), fc.nat(4), (attributes, data, position) => {
        const entries = Object.entries(attributes).filter(([k]) => k !== 'data');
        entries.splice(Math.min(position, entries.length), 0, ['data', data]);
        const text = JSON.stringify(Object.fromEntries(entries), null, position % 2 ? 1 : undefined);
        const found = scanJson(bytes(text)).data;
        expect(found).toBeDefined();
        expect(JSON.parse(text.slice(found!.start, found!.end))).toEqual(JSON.parse(text).data);
      }),
      { numRuns: 500 },
    );
  });

  test('a trigger delivers the bytes of JSON data as they came, with the attributes it adds', () => {
    const text = '{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"application/json","data":{ "total": 1.50 }}';
    const delivered = withAttributes(decodeStructured(bytes(text)), { ofntrigger: 'orders' });
    expect(encodeBinary(delivered).body.toString()).toBe('{ "total": 1.50 }');
    expect(encodeBinary(delivered).headers['ce-ofntrigger']).toBe('orders');
    expect(JSON.parse(encodeStructured(delivered).toString()).data).toEqual({ total: 1.5 });
  });
});
