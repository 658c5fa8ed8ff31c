// CloudEvents end to end (DESIGN §3), on the `cloudevents` package. Pure: source payloads become CloudEvents, bus
// messages are structured CloudEvents, sinks get binary mode (`ce-*` headers, body = the original data).
// @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
// divergence: upstream-behaviour §11 — upstream forwarded raw bytes and no event kept an id, source or type.
import { isUtf8 } from 'node:buffer';
import { CloudEvent, HTTP } from 'cloudevents';
import type { SourceKind } from './naming.js';

export { CloudEvent };

/** A CloudEvent with any data. */
export type Event = CloudEvent<unknown>;

/** Where an event comes from: the EventSource event that produced it. */
export interface EventOrigin {
  namespace: string;
  eventSource: string;
  event: string;
  kind: SourceKind;
}

/** What a source adapter knows about one message, besides its bytes. */
export interface SourceMessage {
  payload?: Uint8Array;
  /** An id that is stable across redeliveries, where the source offers one (Kafka topic/partition/offset). */
  id?: string;
  subject?: string;
  time?: Date;
  /** The source's own content type, if it has one. */
  contentType?: string;
}

/** The clock and id generator, injected so that tests are deterministic. */
export interface EventEnv {
  now(): Date;
  newId(): string;
}

/** `/apis/events.openfunction.io/v1alpha1/namespaces/{ns}/eventsources/{es}/events/{event}`, Knative-style. */
export const eventSourceUri = (o: Omit<EventOrigin, 'kind'>): string =>
  `/apis/events.openfunction.io/v1alpha1/namespaces/${o.namespace}/eventsources/${o.eventSource}/events/${o.event}`;

/** `io.openfunction.events.{kind}`: one type per source kind. */
export const eventTypeOf = (kind: SourceKind): string => `io.openfunction.events.${kind}`;

const JSON_START = new Set([0x7b, 0x5b, 0x22, 0x2d, 0x74, 0x66, 0x6e, ...Array.from({ length: 10 }, (_, i) => 0x30 + i)]);

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}

/** The payload as JSON, if it is JSON. */
function parseJson(bytes: Uint8Array): { value: unknown } | undefined {
  const first = firstNonSpace(bytes);
  if (first === undefined || !JSON_START.has(first) || !isUtf8(bytes)) return undefined;
  try {
    return { value: JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) };
  } catch {
    return undefined;
  }
}

const isStructured = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { specversion?: unknown }).specversion === 'string' &&
  'id' in v && 'source' in v && 'type' in v;

/**
 * A source message as a CloudEvent. A payload that is itself a structured CloudEvent keeps its attributes; any
 * other payload becomes the data of a new event with id (stable where the source offers one), source, type,
 * subject, time and datacontenttype assigned. A payload that claims to be a CloudEvent but is not a valid one is
 * treated as plain JSON data.
 */
export function toCloudEvent(origin: EventOrigin, message: SourceMessage, env: EventEnv): Event {
  const bytes = message.payload;
  const json = bytes && bytes.byteLength > 0 ? parseJson(bytes) : undefined;
  if (json && isStructured(json.value)) {
    try {
      // The package would stamp a missing `time` from the real clock; ours is injected.
      const attributes = { time: env.now().toISOString(), ...json.value };
      return new CloudEvent<unknown>(attributes as ConstructorParameters<typeof CloudEvent<unknown>>[0]);
    } catch {
      // not a valid CloudEvent: fall through and carry it as data
    }
  }
  const attributes = {
    id: message.id ?? env.newId(),
    source: eventSourceUri(origin),
    type: eventTypeOf(origin.kind),
    time: (message.time ?? env.now()).toISOString(),
    ...(message.subject === undefined ? {} : { subject: message.subject }),
  };
  if (!bytes || bytes.byteLength === 0) return new CloudEvent<unknown>(attributes);
  if (json) return new CloudEvent<unknown>({ ...attributes, datacontenttype: 'application/json', data: json.value });
  if (isUtf8(bytes)) {
    return new CloudEvent<unknown>({ ...attributes, datacontenttype: message.contentType ?? 'text/plain; charset=utf-8', data: Buffer.from(bytes).toString('utf8') });
  }
  return new CloudEvent<unknown>({ ...attributes, datacontenttype: message.contentType ?? 'application/octet-stream', data: Buffer.from(bytes) });
}

/** Structured mode: the whole event as JSON (`application/cloudevents+json`), what the bus carries. */
export function encodeStructured(event: Event): Buffer {
  return Buffer.from(HTTP.structured(event).body as string, 'utf8');
}

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** Binary mode: attributes as `ce-*` headers, body = the data's own bytes; what sinks receive. */
export function encodeBinary(event: Event): { headers: Record<string, string>; body: Buffer } {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined) headers[name] = String(value);
  const body = message.body;
  return { headers, body: body === undefined || body === null ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8') };
}

/** A structured CloudEvent from the bus (Dapr's envelope included: `data_base64`, `topic`, trace fields). */
export function decodeStructured(bytes: Uint8Array): Event {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (!isStructured(parsed)) throw new Error('not a structured CloudEvent: specversion, id, source and type are required');
  return new CloudEvent<unknown>(parsed as ConstructorParameters<typeof CloudEvent<unknown>>[0]);
}

/** The event's data as the bytes a sink or a Dapr binding receives. */
export function dataBytes(event: Event): Buffer {
  return encodeBinary(event).body;
}
