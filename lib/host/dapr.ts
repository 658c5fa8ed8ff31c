// Calls to the Dapr sidecar's HTTP API (research/runtime-contract §5.5, §5.6): publish and output-binding invoke,
// over one keep-alive connection pool. Every answer other than success is a DeliveryError, retryable or not.
// node:http rather than undici: the handler packages also run on builder-node's Node 16, where undici 7 cannot load.
import { Agent, request } from 'node:http';
import { attributeJson, binaryContentType, dataBytes, dataIsBytes, encodeStructured, isEvent, isHeaderAttribute, STRUCTURED_CONTENT_TYPE } from '../cloudevents.js';
import { endObjectWith, jsonString } from '../json.js';
import { classifyStatus } from '../delivery.js';
import { DeliveryError } from '../errors.js';
import { redactText } from '../redact.js';

export interface SidecarOptions {
  host: string;
  httpPort: number;
  apiToken?: string;
  /** Per-request timeout, milliseconds. */
  timeoutMs?: number;
}

export interface Sidecar {
  publish(pubsub: string, topic: string, data: unknown): Promise<void>;
  invokeBinding(binding: string, operation: string, data: unknown, metadata?: Record<string, string>): Promise<void>;
  /** Sets a key of the sidecar's extended metadata (what `GET /v1.0/metadata` and the Dapr dashboard show). */
  setMetadata(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/** How a value goes onto the bus: CloudEvents as themselves, everything else wrapped by Dapr. */
function publishBody(data: unknown): { body: Buffer | string; contentType: string } {
  if (isEvent(data)) return { body: encodeStructured(data), contentType: STRUCTURED_CONTENT_TYPE };
  if (Buffer.isBuffer(data) || data instanceof Uint8Array) return { body: Buffer.from(data), contentType: 'application/octet-stream' };
  if (typeof data === 'string') return { body: data, contentType: 'text/plain; charset=utf-8' };
  return { body: JSON.stringify(data ?? null), contentType: 'application/json' };
}

// `id` → `"Ce-Id"`: the metadata key of an attribute as JSON text, remembered per name, as the same few names come
// with every event.
const METADATA_KEYS = new Map<string, string>();
function metadataKey(attribute: string): string {
  let key = METADATA_KEYS.get(attribute);
  if (key === undefined) {
    key = jsonString(`ce-${attribute}`.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase()));
    if (METADATA_KEYS.size < 256) METADATA_KEYS.set(attribute, key);
  }
  return key;
}

/**
 * The request body of a binding invoke. A CloudEvent goes in binary mode: its data as `data`, its attributes as
 * metadata keys that bindings.http turns into `Ce-*` headers (keys starting upper-case become headers) — the headers a
 * local sink gets, by binaryHeaders' rules — after the output's own metadata (an attribute wins over a metadata key of
 * the same name).
 * Dapr re-serialises `data` as JSON, so JSON data arrives as sent and a string arrives JSON-quoted (§5.6).
 * Written as bytes in one pass, without the intermediate header objects: this request is the app's largest per-event
 * work under Dapr after the HTTP layers (bench/dapr-app).
 */
export function bindingRequest(operation: string, data: unknown, metadata: Readonly<Record<string, string>> = {}): Buffer {
  if (!isEvent(data)) {
    const payload = Buffer.isBuffer(data) ? data.toString('utf8') : data;
    return Buffer.from(JSON.stringify({ data: payload ?? null, metadata, operation }), 'utf8');
  }
  const body = dataBytes(data);
  let attributes = '';
  // The headers binaryHeaders gives a local sink, by its rules, written straight into JSON text.
  for (const name in data) {
    if (name === 'data') continue; // not read: it may be unparsed JSON
    const value = (data as Record<string, unknown>)[name];
    if (isHeaderAttribute(name, value)) attributes += `,${metadataKey(name)}:${typeof value === 'string' ? attributeJson(name, value) : jsonString(String(value))}`;
  }
  const type = binaryContentType(data, body);
  if (type !== undefined) attributes += `,"Content-Type":${attributeJson('datacontenttype', type)}`;
  let own = '';
  for (const key in metadata) {
    const entry = `${jsonString(key)}:`;
    // `attributes` is JSON text whose values are JSON strings, so `,"Key":` occurs in it only as a key.
    if (!attributes.includes(`,${entry}`)) own += `${entry}${jsonString(metadata[key]!)},`;
  }
  const head = `{"metadata":{${own}${attributes.slice(1)}},"operation":${jsonString(operation)},"data":`;
  const isJson = type !== undefined && type.includes('json');
  // JSON data is spliced in as its bytes: they are JSON already (serialised by us, or a source's bytes that
  // parsed), where parsing them to serialise them again cost a delivery more CPU than the rest of the request.
  // Bytes given as a Buffer are the sender's own and are checked by parsing.
  if (isJson && body.length > 0 && !dataIsBytes(data)) return endObjectWith(head, body);
  const payload = isJson ? JSON.parse(body.toString('utf8') || 'null') : body.toString('utf8');
  return Buffer.from(`${head}${JSON.stringify(payload)}}`, 'utf8');
}

/** Keep-alive connections to the sidecar, and how long a request may wait without a byte in either direction. */
export interface SidecarPool {
  agent: Agent;
  timeoutMs: number;
}

/**
 * The timeout is the agent's, so each socket gets it once when it opens. As a per-request `timeout`, Node armed the
 * socket's timer for every request and set it back when the socket returned to the pool: two timer-list updates per
 * request for a value that never changes.
 */
export const sidecarPool = (maxSockets: number, timeoutMs: number): SidecarPool => ({ agent: new Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 30_000, timeout: timeoutMs }), timeoutMs });

export interface SidecarResponse {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

const always = (): boolean => true;
/**
 * Only a failure's answer is read by the callers that post events: the body of a binding's success is the sink's own
 * answer, which can be any size (daprd passes it on; cc bindings/http), and was read, copied and decoded for every event
 * to be dropped.
 */
export const onFailure = (status: number): boolean => status < 200 || status >= 300;

/** `Host` as Node would send it; written by us because the headers go to Node as a list (below). */
const hostHeader = (options: SidecarOptions): string => `${options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host}:${options.httpPort}`;

/**
 * One request (POST by default) on a keep-alive pool: the status and the body's text (read only when `textOf` the
 * status says so; '' otherwise), or a rejection when the sidecar is unreachable. `headers` is a flat
 * `[name, value, …]` list, which Node writes as given: an object's headers are validated, lower-cased and stored one
 * `setHeader` at a time (Node ≥ 14 on both; builder-node's 16 too).
 */
export function requestOn(pool: SidecarPool, options: SidecarOptions, path: string, body: Buffer | string, headers: readonly string[], method = 'POST', textOf: (status: number) => boolean = always): Promise<SidecarResponse> {
  return new Promise((resolve, reject) => {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const req = request(
      { host: options.host, port: options.httpPort, method, path, agent: pool.agent, headers: ['Host', hostHeader(options), ...headers, 'Content-Length', String(length)] },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', reject);
        if (!textOf(status)) {
          // Read to the end (the socket goes back to the pool only then), but not kept.
          res.on('end', () => resolve({ status, text: '', headers: res.headers }));
          return void res.resume();
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${pool.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createSidecar(options: SidecarOptions): Sidecar {
  // Longer than a sink's own bound (the sink component's responseTimeout: the subscriber's delivery.timeout, 10 s by
  // default), so the sidecar's answer, not ours, says what happened; a delivery.timeout over 65 s is cut here.
  const timeout = options.timeoutMs ?? 65_000;
  // One pool per component: a sink that hangs holds only its own sockets, never the dead-letter sink's or the bus's.
  const pools = new Map<string, SidecarPool>();
  const poolFor = (component: string): SidecarPool => {
    let pool = pools.get(component);
    if (!pool) pools.set(component, (pool = sidecarPool(32, timeout)));
    return pool;
  };
  let metadataPool: SidecarPool | undefined;
  const paths = new Map<string, string>();
  const pathOf = (binding: string): string => {
    let path = paths.get(binding);
    if (path === undefined) paths.set(binding, (path = `/v1.0/bindings/${encodeURIComponent(binding)}`));
    return path;
  };
  const auth: string[] = options.apiToken ? ['dapr-api-token', options.apiToken] : [];

  async function post(component: string, path: string, body: Buffer | string, contentType: string, what: string): Promise<void> {
    let response;
    try {
      response = await requestOn(poolFor(component), options, path, body, ['Content-Type', contentType, ...auth], 'POST', onFailure);
    } catch (e) {
      throw new DeliveryError(`${what}: sidecar unreachable: ${(e as Error).message}`, true, e);
    }
    const { status, text, headers } = response;
    const outcome = classifyStatus(status);
    if (outcome.kind === 'ok') return;
    // bindings.http turns a sink's non-2xx into a sidecar 500 but passes the sink's answer as `metadata.*` response
    // headers (dapr pkg/api/http onOutputBindingMessage; cc bindings/http): judge the sink's own status, so a 4xx
    // stays permanent and a Retry-After is honoured (conformance 1.20).
    const sinkStatus = Number(header(headers, 'metadata.statuscode'));
    if (Number.isInteger(sinkStatus) && sinkStatus > 0) {
      const sink = classifyStatus(sinkStatus, header(headers, 'metadata.retry-after'), Date.now());
      if (sink.kind === 'ok') return;
      throw new DeliveryError(`${what}: sink answered HTTP ${sinkStatus}`, sink.kind === 'retry', undefined, sink.kind === 'retry' ? sink.retryAfterMs : undefined);
    }
    // The sidecar answers 500 for every downstream failure, including a sink's permanent 4xx; retrying is the
    // safe reading of a 500. 403/404 (scopes, unknown component) will not change by retrying.
    // The sidecar's message may quote the sink's URL, credentials and all.
    throw new DeliveryError(`${what}: sidecar answered ${status}${text ? `: ${redactText(text.slice(0, 300))}` : ''}`, outcome.kind === 'retry');
  }

  return {
    async publish(pubsub, topic, data) {
      const { body, contentType } = publishBody(data);
      await post(pubsub, `/v1.0/publish/${encodeURIComponent(pubsub)}/${encodeURIComponent(topic)}`, body, contentType, `publish to ${pubsub}/${topic}`);
    },
    async invokeBinding(binding, operation, data, metadata) {
      await post(binding, pathOf(binding), bindingRequest(operation, data, metadata), 'application/json', `invoke binding ${binding}`);
    },
    async setMetadata(key, value) {
      let response;
      try {
        metadataPool ??= sidecarPool(1, 5_000);
        response = await requestOn(metadataPool, options, `/v1.0/metadata/${encodeURIComponent(key)}`, value, ['Content-Type', 'text/plain', ...auth], 'PUT', onFailure);
      } catch (e) {
        throw new DeliveryError(`set metadata ${key}: sidecar unreachable: ${(e as Error).message}`, true, e);
      }
      if (response.status < 200 || response.status >= 300) throw new DeliveryError(`set metadata ${key}: sidecar answered ${response.status}`, true);
    },
    close: async () => {
      for (const pool of [...pools.values(), metadataPool]) pool?.agent.destroy();
    },
  };
}
