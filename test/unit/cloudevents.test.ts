import { CloudEvent, HTTP } from 'cloudevents';
import fc from 'fast-check';
import { decodeStructured, encodeBinary, encodeStructured, eventSourceUri, toCloudEvent, withAttributes, type Event, type EventOrigin } from '../../lib/cloudevents.js';
import { scanJson } from '../../lib/json.js';

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

  test('JSON data is read from the payload when first asked for, and is then an ordinary property', () => {
    const payload = bytes('{"order":{"id":7,"lines":[1,2]}}');
    const ce = toCloudEvent(origin, { payload }, env);
    // Encoding forwards the bytes without parsing them: the data is still the payload's.
    expect(Object.getOwnPropertyDescriptor(ce, 'data')?.get).toBeDefined();
    expect(encodeStructured(ce).toString()).toContain('"data":{"order":{"id":7,"lines":[1,2]}}}');
    expect(encodeBinary(ce).body).toEqual(payload);
    expect(Object.getOwnPropertyDescriptor(ce, 'data')?.get).toBeDefined();
    // Read: parsed once, kept, enumerable where it always was.
    expect(ce.data).toEqual({ order: { id: 7, lines: [1, 2] } });
    expect(ce.data).toBe(ce.data);
    expect(Object.getOwnPropertyDescriptor(ce, 'data')).toMatchObject({ writable: true, enumerable: true });
    expect(Object.keys(ce)).toEqual(['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'data']);
    // A spread sees the value too.
    expect({ ...toCloudEvent(origin, { payload }, env) }.data).toEqual({ order: { id: 7, lines: [1, 2] } });
  });

  test('data assigned before it was read replaces the payload\'s bytes in every encoding', () => {
    const ce = toCloudEvent(origin, { payload: bytes('{"order":1}') }, env);
    ce.data = { order: 2 };
    expect(ce.data).toEqual({ order: 2 });
    expect(JSON.parse(encodeStructured(ce).toString()).data).toEqual({ order: 2 });
    expect(JSON.parse(encodeBinary(ce).body.toString())).toEqual({ order: 2 });
  });

  test('JSON that is not valid UTF-8 is bytes, not JSON: the envelope stays valid UTF-8', () => {
    const payload = Buffer.concat([bytes('{"name":"'), Buffer.from([0xc3, 0x28]), bytes('"}')]);
    const ce = toCloudEvent(origin, { payload }, env);
    expect(ce.datacontenttype).toBe('application/octet-stream');
    const envelope = encodeStructured(ce);
    expect(Buffer.from(envelope.toString('utf8'), 'utf8')).toEqual(envelope);
    expect(Buffer.from(JSON.parse(envelope.toString()).data_base64, 'base64')).toEqual(payload);
  });

  test('JSON nested beyond the bound is refused as poison (RangeError), not parsed', () => {
    expect(() => toCloudEvent(origin, { payload: bytes(`${'['.repeat(300)}${']'.repeat(300)}`) }, env)).toThrow(RangeError);
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

  test('structured mode: any attribute text is JSON as JSON.stringify writes it (quotes, controls, surrogates)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u2028', '\ud83d', '\ude00', '/'), maxLength: 12 }), (id, subject) => {
        const e = toCloudEvent(origin, { payload: bytes('{"n":1}'), id, subject }, env);
        const text = encodeStructured(e).toString('utf8');
        expect(text).toContain(`"id":${JSON.stringify(id)},`);
        expect(text).toContain(`"subject":${JSON.stringify(subject)},`);
        expect(JSON.parse(text)).toMatchObject({ id, subject, data: { n: 1 } });
      }),
    );
  });

  test('decoding reads what Dapr delivers: data_base64 and its own attributes', () => {
    const dapr = { specversion: '1.0', id: 'x', source: 'app', type: 'com.dapr.event.sent', topic: 't', pubsubname: 'bus', traceparent: '00-abc-def-01', datacontenttype: 'application/octet-stream', data_base64: Buffer.from([9, 8]).toString('base64') };
    const decoded = decodeStructured(bytes(JSON.stringify(dapr)));
    expect([decoded.topic, Buffer.from(decoded.data as Buffer)]).toEqual(['t', Buffer.from([9, 8])]);
  });

  test('a "__proto__" member never becomes the decoded event\'s prototype, whatever the data', () => {
    for (const data of ['', ',"data":{"a":1}', ',"data":"text","datacontenttype":"text/plain"', ',"data_base64":"AQI="']) {
      const event = decodeStructured(bytes(`{"specversion":"1.0","id":"x","source":"s","type":"t","__proto__":{"subject":"injected"}${data}}`));
      expect(event.subject).toBeUndefined();
    }
  });

  test('data_base64 is decoded only when it is base64, whatever the text (checked as the expression alone would)', () => {
    const envelope = (text: string) => bytes(JSON.stringify({ specversion: '1.0', id: 'x', source: 'app', type: 't', topic: 'orders', data_base64: text }));
    const base64ish = fc.string({ unit: fc.constantFrom('A', 'Q', 'z', '0', '+', '/', '=', ' ', '\n', '-', '_', '!', '.', 'é'), maxLength: 24 });
    fc.assert(
      fc.property(fc.oneof(base64ish, fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64'))), (text) => {
        const valid = /^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text);
        if (!valid) return expect(() => decodeStructured(envelope(text))).toThrow('data_base64 is not base64');
        const event = decodeStructured(envelope(text));
        expect(Buffer.from(event.data as Buffer)).toEqual(Buffer.from(text, 'base64'));
        expect(Object.keys(event)).toEqual(['specversion', 'id', 'source', 'type', 'topic', 'data']);
      }),
      { numRuns: 2000 },
    );
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

  test('a decoded event is the one JSON.parse reads, keys in order, and a delivered copy adds only its attributes', () => {
    const names = fc.constantFrom('subject', 'time', 'ofnkey', 'traceparent', 'x1');
    fc.assert(
      fc.property(fc.dictionary(names, fc.string({ maxLength: 6 })), fc.jsonValue({ maxDepth: 4 }), fc.nat(7), (extra, data, position) => {
        const entries: Array<[string, unknown]> = [['specversion', '1.0'], ['id', 'i'], ['source', 's'], ['type', 't'], ...Object.entries(extra)];
        entries.splice(Math.min(position, entries.length), 0, ['data', data]);
        const text = JSON.stringify(Object.fromEntries(entries), null, position % 2 ? 1 : undefined);
        const event = decodeStructured(bytes(text));
        const delivered = withAttributes(event, { ofntrigger: 'orders' });
        expect(Object.keys(event)).toEqual(Object.keys(JSON.parse(text)));
        expect(JSON.parse(JSON.stringify(delivered))).toEqual({ ...JSON.parse(text), ofntrigger: 'orders' });
        expect(event.data).toEqual(JSON.parse(text).data);
      }),
      { numRuns: 500 },
    );
  });

  test('an envelope whose data is not JSON is undecodable', () => {
    for (const data of ['{"a": }', '1 2', '[1,]', '"unterminated', 'nul', '{"a":1}}']) {
      const text = `{"specversion":"1.0","id":"1","source":"s","type":"t","data":${data},"subject":"x"}`;
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => decodeStructured(bytes(text))).toThrow(SyntaxError);
    }
  });

  test('a trigger delivers the bytes of JSON data as they came, with the attributes it adds', () => {
    const text = '{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"application/json","data":{ "total": 1.50 }}';
    const delivered = withAttributes(decodeStructured(bytes(text)), { ofntrigger: 'orders' });
    expect(encodeBinary(delivered).body.toString()).toBe('{ "total": 1.50 }');
    expect(encodeBinary(delivered).headers['ce-ofntrigger']).toBe('orders');
    expect(JSON.parse(encodeStructured(delivered).toString()).data).toEqual({ total: 1.5 });
  });
});
