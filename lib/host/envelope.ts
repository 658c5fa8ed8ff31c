// What daprd delivers to the app on a pub/sub route, read as the host needs it: a bus's CloudEvent without the
// attributes daprd adds in transit, or, for a raw-payload subscription, the producer's own bytes. Anything that cannot
// be read is poison (redelivery cannot help). Pure.
import { dataBytes, decodeStructured, isEvent, strictBase64, type Event, type ForeignAttribute } from '../cloudevents.js';
import { PoisonMessageError } from '../errors.js';

/**
 * What daprd adds to every CloudEvent it publishes (components-contrib pubsub/envelope.go FromCloudEvent): `topic` and
 * `pubsubname` always, overwriting the producer's; `traceid` and `traceparent`, both set to the publish request's
 * trace context, and `tracestate`, only where the event had no `traceid`/`tracestate` of its own — empty strings when
 * daprd traces nothing. These describe Dapr's transport, not the event: a sink would get the bus's real component
 * name as `ce-pubsubname` and empty `ce-traceparent` headers, which the local runtime never adds (conformance 4.6).
 * A real trace context is the event's (the CloudEvents distributed-tracing extension) and stays.
 */
export const isDaprTransportAttribute: ForeignAttribute = (name, value, event) =>
  name === 'topic' || name === 'pubsubname' || ((name === 'traceparent' || name === 'tracestate') && value === '') || (name === 'traceid' && value === event.traceparent);

const unreadable = (e: unknown): PoisonMessageError => new PoisonMessageError(`not a CloudEvent envelope: ${(e as Error).message}`, e);

/** A pub/sub delivery: the CloudEvent Dapr sent (data or data_base64), its own attributes kept. */
export function busEventOf(body: Buffer, foreign?: ForeignAttribute): Event {
  try {
    return decodeStructured(body, foreign);
  } catch (e) {
    throw unreadable(e);
  }
}

/**
 * The producer's bytes in daprd's raw-payload envelope (components-contrib pubsub.FromRawPayload: the bytes as
 * `data_base64`); the envelope's `topic` goes into `metadata` unless it has one. Only those two members are read: the
 * envelope is parsed and checked to be a CloudEvent, where decoding it as an event scanned it and copied every
 * attribute to drop them. An envelope without `data_base64` is decoded as any bus event and its data's bytes taken.
 */
export function rawPayloadOf(body: Buffer, metadata: Record<string, string>): Buffer {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (!isEvent(parsed)) throw new SyntaxError('not a structured CloudEvent: specversion, id, source and type are required');
  } catch (e) {
    throw unreadable(e);
  }
  if (typeof parsed.topic === 'string' && metadata.topic === undefined) metadata.topic = parsed.topic;
  if (typeof parsed.data_base64 !== 'string') return dataBytes(busEventOf(body));
  try {
    return strictBase64(parsed.data_base64);
  } catch (e) {
    throw unreadable(e);
  }
}
