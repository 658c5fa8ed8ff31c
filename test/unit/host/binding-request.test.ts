// The request body of a Dapr binding invoke for a CloudEvent: data as JSON, attributes as header metadata.
import { decodeStructured, type Event } from '../../../lib/cloudevents.js';
import { bindingRequest } from '../../../lib/host/dapr.js';

const event: Event = { specversion: '1.0', id: 'a-1', source: '/s', type: 't', datacontenttype: 'application/json', data: { total: 1.5, note: 'é "q"' } };

describe('binding request of a CloudEvent', () => {
  test('JSON data goes in as JSON, the attributes as Ce-* metadata, other metadata kept', () => {
    expect(JSON.parse(bindingRequest('post', event, { path: '/x' }))).toEqual({
      data: { total: 1.5, note: 'é "q"' },
      metadata: { path: '/x', 'Ce-Specversion': '1.0', 'Ce-Id': 'a-1', 'Ce-Source': '/s', 'Ce-Type': 't', 'Content-Type': 'application/json' },
      operation: 'post',
    });
  });

  test('the data of an event from the bus goes in as the bytes it came in', () => {
    const fromBus = decodeStructured(Buffer.from('{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"application/json","data":{ "total": 1.50 }}'));
    expect(bindingRequest('post', fromBus)).toContain('"data":{ "total": 1.50 },');
    expect(JSON.parse(bindingRequest('post', fromBus)).data).toEqual({ total: 1.5 });
  });

  test('text data goes in as a string; bytes labelled JSON are parsed, so bad ones fail here, not in the sidecar', () => {
    expect(JSON.parse(bindingRequest('post', { ...event, datacontenttype: 'text/plain', data: 'hi' })).data).toBe('hi');
    expect(JSON.parse(bindingRequest('post', { ...event, data: Buffer.from('[1,2]') })).data).toEqual([1, 2]);
    expect(() => bindingRequest('post', { ...event, data: Buffer.from('not json') })).toThrow(SyntaxError);
  });
});
