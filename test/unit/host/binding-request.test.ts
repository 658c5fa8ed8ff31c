// The request body of a Dapr binding invoke for a CloudEvent: data as JSON, attributes as header metadata.
import { binaryHeaders, dataBytes, decodeStructured, type Event } from '../../../lib/cloudevents.js';
import { bindingRequest } from '../../../lib/host/dapr.js';

const event: Event = { specversion: '1.0', id: 'a-1', source: '/s', type: 't', datacontenttype: 'application/json', data: { total: 1.5, note: 'é "q"' } };

describe('binding request of a CloudEvent', () => {
  test('JSON data goes in as JSON, the attributes as Ce-* metadata, other metadata kept', () => {
    expect(JSON.parse(bindingRequest('post', event, { path: '/x' }).toString())).toEqual({
      data: { total: 1.5, note: 'é "q"' },
      metadata: { path: '/x', 'Ce-Specversion': '1.0', 'Ce-Id': 'a-1', 'Ce-Source': '/s', 'Ce-Type': 't', 'Content-Type': 'application/json' },
      operation: 'post',
    });
  });

  test('the data of an event from the bus goes in as the bytes it came in', () => {
    const fromBus = decodeStructured(Buffer.from('{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"application/json","data":{ "total": 1.50 }}'));
    expect(bindingRequest('post', fromBus).toString()).toContain('"data":{ "total": 1.50 }}');
    expect(JSON.parse(bindingRequest('post', fromBus).toString()).data).toEqual({ total: 1.5 });
  });

  test('text data goes in as a string; bytes labelled JSON are parsed, so bad ones fail here, not in the sidecar', () => {
    expect(JSON.parse(bindingRequest('post', { ...event, datacontenttype: 'text/plain', data: 'hi' }).toString()).data).toBe('hi');
    expect(JSON.parse(bindingRequest('post', { ...event, data: Buffer.from('[1,2]') }).toString()).data).toEqual([1, 2]);
    expect(() => bindingRequest('post', { ...event, data: Buffer.from('not json') })).toThrow(SyntaxError);
  });

  test('an attribute wins over the output\'s metadata key of the same name, which is written once', () => {
    const text = bindingRequest('post', event, { 'Ce-Id': 'static', 'Content-Type': 'text/plain', path: '/x' }).toString();
    expect(text.match(/"Ce-Id"/g)).toHaveLength(1);
    expect(text.match(/"Content-Type"/g)).toHaveLength(1);
    expect(JSON.parse(text).metadata).toEqual({ path: '/x', 'Ce-Specversion': '1.0', 'Ce-Id': 'a-1', 'Ce-Source': '/s', 'Ce-Type': 't', 'Content-Type': 'application/json' });
  });

  test('a metadata value that reads like a key inside an attribute does not hide the output\'s key', () => {
    const text = bindingRequest('post', { ...event, subject: ',"path":' }, { path: '/x' }).toString();
    expect(JSON.parse(text).metadata).toMatchObject({ path: '/x', 'Ce-Subject': ',"path":' });
  });

  test('attribute names and values that need escaping stay valid JSON, non-ASCII text included', () => {
    const odd = { ...event, subject: 'a "quoted"\n\u0001 ünïcödé ✓', 'ex"t': 'v\\' } as Event;
    const parsed = JSON.parse(bindingRequest('post', odd).toString('utf8')) as { metadata: Record<string, string> };
    expect(parsed.metadata['Ce-Subject']).toBe('a "quoted"\n\u0001 ünïcödé ✓');
    expect(parsed.metadata['Ce-Ex"t']).toBe('v\\');
  });

  test('non-ASCII attributes before spliced JSON bytes: the data starts where the text\'s UTF-8 ends', () => {
    const fromBus = decodeStructured(Buffer.from('{"specversion":"1.0","id":"ü✓","source":"s","type":"t","datacontenttype":"application/json","data":{"n":"é"}}'));
    expect(JSON.parse(bindingRequest('post', fromBus).toString('utf8'))).toMatchObject({ data: { n: 'é' }, metadata: { 'Ce-Id': 'ü✓' } });
  });

  test("its Ce-* and Content-Type metadata are the headers a local sink gets for the same event", () => {
    const capitalised = (header: string) => header.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    const events: Event[] = [
      event,
      { ...event, datacontenttype: '', data: { a: 1 } },
      { specversion: '1.0', id: 'n', source: '/s', type: 't', ofnattempt: 3, nothing: null } as unknown as Event,
      decodeStructured(Buffer.from('{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"text/plain","data":"hi"}')),
    ];
    for (const e of events) {
      const headers = binaryHeaders(e, dataBytes(e));
      const expected = Object.fromEntries(Array.from({ length: headers.length / 2 }, (_, i) => [capitalised(headers[2 * i]!), headers[2 * i + 1]!]));
      expect(JSON.parse(bindingRequest('post', e).toString()).metadata).toEqual(expected);
    }
  });
});
