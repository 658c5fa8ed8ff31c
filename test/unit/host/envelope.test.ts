// What the host reads from daprd's pub/sub deliveries (lib/host/envelope.ts); real daprd's envelopes are exercised
// end to end by test/integration/dapr-pipeline.test.ts.
import fc from 'fast-check';
import { dataBytes, decodeStructured } from '../../../lib/cloudevents.js';
import { PoisonMessageError } from '../../../lib/errors.js';
import { rawPayloadOf } from '../../../lib/host/envelope.js';

const bytes = (text: string) => Buffer.from(text);

describe('a raw-payload envelope', () => {
  const envelope = (extra: Record<string, unknown>) => bytes(JSON.stringify({ specversion: '1.0', id: 'x', source: 'Dapr', type: 'com.dapr.event.sent', topic: 'orders', pubsubname: 'bus', datacontenttype: 'application/octet-stream', ...extra }));

  test("gives the producer's bytes and the topic, as decoding it as an event would", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (payload) => {
        const message = envelope({ data_base64: Buffer.from(payload).toString('base64') });
        const metadata: Record<string, string> = {};
        expect(rawPayloadOf(message, metadata)).toEqual(Buffer.from(payload));
        expect(rawPayloadOf(message, {})).toEqual(dataBytes(decodeStructured(message)));
        expect(metadata).toEqual({ topic: 'orders' });
      }),
    );
    const routed = { topic: 'from-the-route' };
    rawPayloadOf(envelope({ data_base64: 'AQI=' }), routed);
    expect(routed.topic).toBe('from-the-route'); // the route's topic is kept
    // Without data_base64: the envelope's data, as its bytes.
    expect(rawPayloadOf(envelope({ datacontenttype: 'application/json', data: { a: [1, 2] } }), {}).toString()).toBe('{"a":[1,2]}');
  });

  test('that cannot be read is poison, saying why', () => {
    const poison = (body: Buffer) => {
      try {
        rawPayloadOf(body, {});
      } catch (e) {
        expect(e).toBeInstanceOf(PoisonMessageError);
        return (e as Error).message;
      }
      throw new Error('read');
    };
    expect(poison(envelope({ data_base64: '%%% not base64' }))).toContain('data_base64 is not base64');
    expect(poison(bytes('{"topic":"orders","data_base64":"AQI="}'))).toContain('specversion, id, source and type are required');
    expect(poison(bytes('{"specversion":'))).toContain('not a CloudEvent envelope');
  });
});
