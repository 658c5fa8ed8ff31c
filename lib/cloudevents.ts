// CloudEvents end to end (DESIGN §3). Pure: source payloads become CloudEvents, bus messages are structured
// CloudEvents, sinks get binary mode (`ce-*` headers, body = the original data).
// @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
// @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md §3.1, §3.2
// divergence: upstream-behaviour §11 — upstream forwarded raw bytes and no event kept an id, source or type.
//
// Events are plain objects of the `cloudevents` package's CloudEventV1 shape, and untrusted structured payloads are
// validated by the package. The encoders are ours: they splice the source's own data bytes into the message
// instead of re-serialising them (the package's class costs ~30 µs per 1 KiB event to build and encode, more than
// the rest of the handler; research/perf-anchors G8). A unit test checks they agree with the package's HTTP binding.
import * as nodeBuffer from 'node:buffer';
import { CloudEvent, type CloudEventV1 } from 'cloudevents';
import { checkJson, endObjectWith, jsonString, MAX_JSON_DEPTH, scanJson } from './json.js';
import type { SourceKind } from './naming.js';

/** A CloudEvent: the spec's attributes, extensions, and data. */
export type Event = CloudEventV1<unknown>;

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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether bytes are valid UTF-8: `buffer.isUtf8` where the runtime has it (Node ≥ 18.14); builder-node's Node 16
 * runs the handlers too, so a strict decoder stands in there.
 */
const isUtf8: (bytes: Uint8Array) => boolean =
  (nodeBuffer as { isUtf8?: (b: Uint8Array) => boolean }).isUtf8 ??
  ((bytes) => {
    try {
      strictUtf8.decode(bytes);
      return true;
    } catch {
      return false;
    }
  });

/**
 * An event that keeps the bytes its data arrived in, so encoders forward them instead of serialising the data again.
 * The bytes are a private field: Object.keys, spreads, JSON.stringify and structuredClone never see them, so a copy
 * (whose data may be changed) never carries bytes that are no longer its data. Its own properties are the event's,
 * as on any Event. (A WeakMap from event to bytes did this before: its inserts cost ~0.7 µs per event on the
 * eventsource bench, an ephemeron table that grows between scavenges, against ~0.05 µs for the field.)
 */
class EventWithBytes {
  #raw: Buffer | undefined;
  constructor(raw: Buffer) {
    this.#raw = raw;
  }
  static rawOf(event: object): Buffer | undefined {
    return #raw in event ? (event as EventWithBytes).#raw : undefined;
  }
  static forget(event: object): void {
    if (#raw in event) (event as EventWithBytes).#raw = undefined;
  }
}

/** An empty event that keeps `raw` as its data's bytes; the caller assigns the attributes. */
const eventWithBytes = (raw: Buffer): Event => new EventWithBytes(raw) as unknown as Event;
/** The bytes an event's data arrived in, if it kept them. */
const rawOf = (event: object): Buffer | undefined => EventWithBytes.rawOf(event);

/** `/apis/events.openfunction.io/v1alpha1/namespaces/{ns}/eventsources/{es}/events/{event}`, Knative-style. */
export const eventSourceUri = (o: Omit<EventOrigin, 'kind'>): string =>
  `/apis/events.openfunction.io/v1alpha1/namespaces/${o.namespace}/eventsources/${o.eventSource}/events/${o.event}`;

/** `io.openfunction.events.{kind}`: one type per source kind. */
export const eventTypeOf = (kind: SourceKind): string => `io.openfunction.events.${kind}`;

const NAMES = new WeakMap<EventOrigin, { source: string; type: string }>();

/** Source and type of an origin, computed once per origin object (the handler keeps one). */
function namesOf(origin: EventOrigin): { source: string; type: string } {
  let names = NAMES.get(origin);
  if (!names) NAMES.set(origin, (names = { source: eventSourceUri(origin), type: eventTypeOf(origin.kind) }));
  return names;
}

let lastMs = Number.NaN;
let lastIso = '';

/** `Date#toISOString`, reused within one millisecond (many events share one at high rates). */
function isoTime(at: Date): string {
  const ms = at.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = at.toISOString();
  }
  return lastIso;
}

/**
 * An event's identity: `source` and `id` together (CloudEvents §3.1.1: "Producers MUST ensure that source + id is
 * unique for each distinct event"). An id alone is not: two sources counting from 1 reuse each other's ids.
 */
export const identityOf = (event: Pick<Event, 'source' | 'id'>): string => `${event.source}\u0000${event.id}`;

/** Whether a value is a CloudEvent (has the four required attributes). */
export function isEvent(value: unknown): value is Event {
  const v = value as Partial<Event> | null;
  return typeof v === 'object' && v !== null && typeof v.specversion === 'string' && typeof v.id === 'string' && typeof v.source === 'string' && typeof v.type === 'string';
}

const bufferOf = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/**
 * A copy of `event` with more attributes, keeping the data's original bytes for the encoders. Object.assign,
 * not a spread and then new keys: V8 gives the spread's copy no room for more properties, and adding three cost
 * 3.5 µs, more than parsing the event (0.25 µs this way).
 */
export function withAttributes(event: Event, attributes: Readonly<Record<string, string>>): Event {
  const raw = rawOf(event);
  return Object.assign(raw ? eventWithBytes(raw) : {}, event, attributes);
}

/**
 * Whether a payload is JSON (valid UTF-8 and JSON's grammar), checked without being parsed: the event source
 * forwards the bytes and never needs the value. JSON nested beyond MAX_JSON_DEPTH is a RangeError: poison, not
 * retried. Invalid UTF-8 is not JSON (JSON.parse of the decoded text used to accept it, with U+FFFD in place of the
 * bad bytes, while the bytes forwarded kept them and made the envelope invalid UTF-8).
 */
function jsonPayload(bytes: Buffer): 'json' | 'json-with-key' | undefined {
  const check = checkJson(bytes, MAX_JSON_DEPTH, SPECVERSION_KEY);
  if (check === 'too-deep') throw new RangeError(`JSON payload nested deeper than ${MAX_JSON_DEPTH} levels`);
  return check !== 'not-json' && isUtf8(bytes) ? check : undefined;
}

/**
 * `specversion`: a JSON object that has it may be a structured CloudEvent, and is parsed to find out. (A key written
 * with escapes is not recognised: such a payload is carried as data.)
 */
const SPECVERSION_KEY = Buffer.from('specversion');

/** Settles `data` as an ordinary property of `event`. */
function settleData(event: Event, value: unknown): unknown {
  Object.defineProperty(event, 'data', { value, writable: true, enumerable: true, configurable: true });
  return value;
}

/**
 * `data` of an event made from a JSON payload: parsed from the payload's bytes when first read, then an
 * ordinary property. The encoders never read it (they forward the bytes), so on the event source's path nothing parses
 * the payload; a spread, JSON.stringify or a condition reading `data` sees the value as if it had always been there.
 * One descriptor for every event, so all of them keep one shape.
 */
const LAZY_JSON_DATA: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: Event) {
    const raw = rawOf(this);
    return settleData(this, raw === undefined ? undefined : JSON.parse(raw.toString('utf8')));
  },
  set(this: Event, value: unknown) {
    EventWithBytes.forget(this); // the bytes no longer say what the data is
    settleData(this, value);
  },
};

/** Whether an event's data is bytes, without parsing data that is still its payload's JSON bytes. */
export function dataIsBytes(event: Event): boolean {
  if (event.datacontenttype === 'application/json' && rawOf(event) !== undefined) return false;
  const data = event.data;
  return Buffer.isBuffer(data) || data instanceof Uint8Array;
}

/** A structured CloudEvent, validated by the `cloudevents` package; undefined when it is not a valid one. */
function validStructured(value: unknown, env: EventEnv): Event | undefined {
  if (!isEvent(value)) return undefined;
  try {
    // The package would stamp a missing `time` from the real clock; ours is injected.
    const event = { time: env.now().toISOString(), ...value } as Event;
    new CloudEvent<unknown>(event); // throws when invalid; the attributes are kept as they came
    return event;
  } catch {
    return undefined;
  }
}

/**
 * A source message as a CloudEvent. A payload that is itself a structured CloudEvent keeps its attributes; any
 * other payload becomes the data of a new event with id (stable where the source offers one), source, type,
 * subject, time and datacontenttype assigned. A payload that claims to be a CloudEvent but is not a valid one is
 * treated as plain JSON data.
 */
export function toCloudEvent(origin: EventOrigin, message: SourceMessage, env: EventEnv): Event {
  const bytes = message.payload && message.payload.byteLength > 0 ? bufferOf(message.payload) : undefined;
  const json = bytes !== undefined ? jsonPayload(bytes) : undefined;
  let parsed: { value: unknown } | undefined;
  if (bytes && json === 'json-with-key') {
    parsed = { value: JSON.parse(bytes.toString('utf8')) };
    if (typeof parsed.value === 'object' && parsed.value !== null && 'specversion' in parsed.value) {
      const structured = validStructured(parsed.value, env);
      if (structured) return structured;
    }
  }
  const names = namesOf(origin);
  // Attributes in one order, so every event of a source has one shape.
  const event: Event = bytes ? eventWithBytes(bytes) : ({} as Event);
  event.specversion = '1.0';
  event.id = message.id ?? env.newId();
  event.source = names.source;
  event.type = names.type;
  event.time = isoTime(message.time ?? env.now());
  if (message.subject !== undefined) event.subject = message.subject;
  if (!bytes) return event;
  if (json) {
    event.datacontenttype = 'application/json';
    if (parsed) event.data = parsed.value;
    else Object.defineProperty(event, 'data', LAZY_JSON_DATA);
  } else if (isUtf8(bytes)) {
    event.datacontenttype = message.contentType ?? 'text/plain; charset=utf-8';
    event.data = bytes.toString('utf8');
  } else {
    event.datacontenttype = message.contentType ?? 'application/octet-stream';
    event.data = bytes;
  }
  return event;
}

const isJsonType = (type: string | undefined): boolean =>
  type === undefined || type === 'application/json' || /[/+]json(;|$)/.test(type.split(';')[0]!.trim()) || type.startsWith('application/json');

/** The data's bytes, as the binary mode body carries them. */
export function dataBytes(event: Event): Buffer {
  const raw = rawOf(event);
  if (raw) return raw;
  const data = event.data ?? (typeof event.data_base64 === 'string' ? Buffer.from(event.data_base64, 'base64') : undefined);
  if (data === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(data) || data instanceof Uint8Array) return bufferOf(data);
  if (typeof data === 'string' && !isJsonType(event.datacontenttype)) return Buffer.from(data, 'utf8');
  return Buffer.from(JSON.stringify(data), 'utf8');
}

// Some attributes' values repeat from event to event: their JSON is remembered, up to a bound, instead of being
// produced again for every event on the bus (ids and times never repeat and are not kept).
const REPEATING = new Set(['specversion', 'source', 'type', 'datacontenttype', 'dataschema']);
const QUOTED = new Map<string, string>();
function quoted(value: string): string {
  let json = QUOTED.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    if (QUOTED.size >= 1024) QUOTED.clear();
    QUOTED.set(value, json);
  }
  return json;
}

/** A string attribute's value as JSON text; the values of attributes that repeat from event to event are remembered. */
export const attributeJson = (name: string, value: string): string => (REPEATING.has(name) ? quoted(value) : jsonString(value));

/** Structured mode: the whole event as JSON (`application/cloudevents+json`), what the bus carries. */
export function encodeStructured(event: Event): Buffer {
  // The attributes, without the closing brace; `data` is not read here (it may be unparsed JSON, see LAZY_JSON_DATA).
  let head = '{';
  for (const name in event) {
    if (name === 'data' || name === 'data_base64') continue;
    const value = (event as Record<string, unknown>)[name];
    if (value === undefined) continue;
    head += `${head.length > 1 ? ',' : ''}"${name}":${typeof value !== 'string' ? JSON.stringify(value) : attributeJson(name, value)}`;
  }
  const raw = rawOf(event);
  if (raw && event.datacontenttype === 'application/json') {
    // The source's JSON bytes, spliced in as they came, in one allocation.
    return endObjectWith(`${head}${head.length > 1 ? ',' : ''}"data":`, raw);
  }
  const data = event.data;
  const binary = Buffer.isBuffer(data) || data instanceof Uint8Array;
  const base64 = binary ? bufferOf(data as Uint8Array).toString('base64') : data === undefined ? event.data_base64 : undefined;
  const comma = head.length > 1 ? ',' : '';
  if (typeof base64 === 'string') return Buffer.from(`${head}${comma}"data_base64":${JSON.stringify(base64)}}`, 'utf8');
  if (data === undefined) return Buffer.from(`${head}}`, 'utf8');
  return Buffer.from(`${head}${comma}"data":${JSON.stringify(data)}}`, 'utf8');
}

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

// `id` → `ce-id`, the same string every time: a name built per event is a new string, which the HTTP client flattens
// and hashes again to look it up among the headers it knows (undici's processHeader): ≈ 1 µs an event on the event
// source's sink path, the median of five A/B runs.
const CE_HEADERS = new Map<string, string>();
function ceHeader(name: string): string {
  let header = CE_HEADERS.get(name);
  if (header === undefined) {
    header = `ce-${name}`;
    if (CE_HEADERS.size < 256) CE_HEADERS.set(name, header);
  }
  return header;
}

/** Whether an attribute travels as a `ce-*` header in binary mode: the data is the body, its type the content-type. */
export const isHeaderAttribute = (name: string, value: unknown): boolean =>
  name !== 'data' && name !== 'data_base64' && name !== 'datacontenttype' && value !== undefined && value !== null;

/** A binary-mode message's content-type: the data's own, JSON for data without one, none without data. */
export const binaryContentType = (event: Event, body: Buffer): string | undefined => event.datacontenttype || (body.length > 0 ? 'application/json' : undefined);

/** Binary mode headers as a flat `[name, value, …]` list: `ce-*` attributes, then content-type. */
export function binaryHeaders(event: Event, body: Buffer): string[] {
  const headers: string[] = [];
  for (const name in event) {
    if (name === 'data') continue; // not read: it may be unparsed JSON (LAZY_JSON_DATA)
    const value = (event as Record<string, unknown>)[name];
    if (isHeaderAttribute(name, value)) headers.push(ceHeader(name), typeof value === 'string' ? value : String(value));
  }
  const type = binaryContentType(event, body);
  if (type !== undefined) headers.push('content-type', type);
  return headers;
}

/** Binary mode: attributes as `ce-*` headers, body = the data's own bytes; what sinks receive. */
export function encodeBinary(event: Event): { headers: Record<string, string>; body: Buffer } {
  const body = dataBytes(event);
  const flat = binaryHeaders(event, body);
  const headers: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) headers[flat[i]!] = flat[i + 1]!;
  return { headers, body };
}

/** An attribute of a decoded event that is not the event's own (a transport's, see lib/host/server.ts). */
export type ForeignAttribute = (name: string, value: unknown, event: Readonly<Record<string, unknown>>) => boolean;

/**
 * A structured CloudEvent from the bus (Dapr's envelope included: `data_base64`, `topic`, trace fields). Attributes
 * `foreign` picks are left out of the result.
 */
export function decodeStructured(bytes: Uint8Array, foreign?: ForeignAttribute): Event {
  const scanned = scanJson(bytes);
  if (scanned.deep) throw new RangeError(`CloudEvent nested deeper than ${MAX_JSON_DEPTH} levels`);
  const buffer = bufferOf(bytes);
  const parsed = JSON.parse(buffer.toString('utf8')) as Record<string, unknown>;
  if (!isEvent(parsed)) throw new SyntaxError('not a structured CloudEvent: specversion, id, source and type are required');
  // Copied key by key (a rest pattern and a spread cost 2 µs here, this 0.3), never deleted from: a deleted property
  // turns the object into a dictionary, slower for every later read and copy. A `__proto__` member (JSON.parse
  // makes it an own property; no attribute name has capitals or underscores) would set the copy's prototype.
  const copy = (event: Record<string, unknown>, skip: string): Event => {
    for (const key in parsed) if (key !== skip && key !== '__proto__' && !foreign?.(key, parsed[key], parsed)) event[key] = parsed[key];
    return event as Event;
  };
  // JSON data is forwarded as the bytes it came in (a copy: the message's buffer is the client's), not parsed and
  // serialised again for each delivery.
  if (scanned.data && parsed.data !== undefined && typeof parsed.data_base64 !== 'string' && isJsonType(parsed.datacontenttype as string | undefined)) {
    const raw = Buffer.allocUnsafe(scanned.data.end - scanned.data.start);
    buffer.copy(raw, 0, scanned.data.start, scanned.data.end);
    return copy(eventWithBytes(raw) as unknown as Record<string, unknown>, '');
  }
  if (typeof parsed.data_base64 === 'string') {
    // Without data_base64: every event of an event source under Dapr comes in Dapr's raw-payload envelope.
    const event = copy({}, 'data_base64');
    event.data = strictBase64(parsed.data_base64);
    return event;
  }
  return foreign ? copy({}, '') : (parsed as Event);
}

/** Base64 as `data_base64` may hold it: the standard alphabet, padding at the end, white space allowed. */
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * Decodes base64, refusing what is not: Buffer.from decodes any string, silently skipping characters outside the
 * alphabet, so garbage would pass on as other bytes. The common case is checked from the result: nothing skipped
 * means the decoded length is what the text's length says (each skipped character shortens it, given a length that
 * is not 1 modulo 4, which no base64 has), and Node's URL-safe `-` and `_` are absent. That is 0.1 µs for Dapr's
 * 1.3 KiB envelopes where the regular expression took 1.3; text that fails it (white space, errors) gets the
 * expression.
 */
export function strictBase64(text: string): Buffer {
  const data = Buffer.from(text, 'base64');
  let length = text.length;
  while (length > 0 && text.charCodeAt(length - 1) === 0x3d) length--; // trailing '='
  if (text.length - length <= 2 && length % 4 !== 1 && data.length === Math.floor((length * 3) / 4) && !text.includes('-') && !text.includes('_')) return data;
  if (!BASE64.test(text)) throw new SyntaxError('data_base64 is not base64');
  return data;
}
