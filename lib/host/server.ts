// The Dapr app-side HTTP contract (research/runtime-contract §5, §9.4), served for one OpenFunction async function:
//   OPTIONS|POST /<componentName>   each input binding: raw body of any content type; 200 only on success
//   GET /dapr/subscribe             each pub/sub input, routed to POST /events/<inputName> (and /<topic>, the
//                                   dapr-proxy path); answers {"status": SUCCESS | RETRY | DROP}
//   GET /healthz, GET /metrics      health (503 while draining) and Prometheus metrics
// Every route is registered before the port opens (daprd probes once). An unknown route is a 404 on purpose only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dataBytes, decodeStructured, type Event } from '../cloudevents.js';
import { DeliveryError, PoisonMessageError, isRetryable } from '../errors.js';
import type { AsyncFunction, FunctionContext, InputInfo, Logger } from '../function.js';
import { isBinding, isPubSub, type FuncContext } from './context.js';
import { trackConnections } from './connections.js';
import type { Sidecar } from './dapr.js';
import type { HostMetrics } from './metrics.js';

export interface HostOptions {
  context: FuncContext;
  fn: AsyncFunction;
  sidecar: Sidecar;
  log: Logger;
  metrics: HostMetrics;
  /** Larger messages are poison: logged and dropped (default 4 MiB, Dapr's own default limit). */
  maxBodyBytes?: number;
  /**
   * Pub/sub inputs are sources of raw payloads, not CloudEvent buses (the eventsource-handler's Redis streams): they
   * subscribe with `rawPayload`, so daprd hands over whatever the producer wrote (pubsub.redis reads the entry's
   * `data` field) wrapped in its own envelope, and the function receives the bytes, as from a binding.
   * Without it daprd JSON-decodes the payload as a CloudEvent and retries forever when it is not one (conformance
   * 1.10; dapr pkg/runtime/subscription).
   */
  rawPubSub?: boolean;
}

export interface Host {
  server: Server;
  listen(port: number, hostname?: string): Promise<number>;
  /** Stops taking requests, waits for in-flight ones (up to timeoutMs), closes the sidecar client. */
  drain(timeoutMs: number): Promise<void>;
}

type Route = { kind: 'binding' | 'pubsub'; inputName: string };

type Subscription = { pubsubname: string; topic: string; route: string; metadata?: Record<string, string> };

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'user-agent', 'accept', 'accept-encoding', 'traceparent', 'tracestate']);

export function createHost(options: HostOptions): Host {
  const { context, fn, sidecar, log, metrics } = options;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const routes = new Map<string, Route>();
  const subscriptions: Subscription[] = [];
  for (const [inputName, input] of Object.entries(context.inputs ?? {})) {
    if (isBinding(input)) routes.set(`/${input.componentName}`, { kind: 'binding', inputName });
    if (isPubSub(input)) {
      const route = `/events/${encodeURIComponent(inputName)}`;
      routes.set(route, { kind: 'pubsub', inputName });
      routes.set(`/${input.uri}`, { kind: 'pubsub', inputName });
      subscriptions.push({ pubsubname: input.componentName, topic: input.uri!, route, ...(options.rawPubSub ? { metadata: { rawPayload: 'true' } } : {}) });
    }
  }

  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  let drained: Promise<void> | undefined;

  async function send(data: unknown, outputName: string): Promise<void> {
    const output = context.outputs?.[outputName];
    if (!output) throw new DeliveryError(`no output named "${outputName}"; outputs: ${Object.keys(context.outputs ?? {}).join(', ') || 'none'}`, false);
    try {
      if (isPubSub(output)) await sidecar.publish(output.componentName, output.uri!, data);
      else await sidecar.invokeBinding(output.componentName, output.operation ?? 'create', data, output.metadata);
      metrics.sent.inc({ output: outputName, result: 'success' });
    } catch (e) {
      metrics.sent.inc({ output: outputName, result: 'failure' });
      throw e;
    }
  }

  function contextFor(input: InputInfo): FunctionContext {
    return { name: context.name, input, log, send };
  }

  async function handle(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    metrics.received.inc({ input: route.inputName });
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_HEADERS.has(name) && typeof value === 'string') metadata[name] = value;
    let result: 'success' | 'retry' | 'drop';
    let error: unknown;
    try {
      const body = await readBody(req, maxBody);
      const data = route.kind === 'binding' ? body : options.rawPubSub ? rawPayloadOf(body, metadata) : envelopeOf(body);
      await fn(contextFor({ name: route.inputName, kind: route.kind, metadata }), data);
      result = 'success';
    } catch (e) {
      error = e;
      result = isRetryable(e) ? 'retry' : 'drop';
    }
    metrics.handled.inc({ input: route.inputName, result });
    metrics.duration.observe({ input: route.inputName }, Number(process.hrtime.bigint() - started) / 1e9);
    if (result === 'drop') log.warn({ input: route.inputName, reason: message(error) }, 'message dropped: it can never be processed');
    if (result === 'retry') log.error({ input: route.inputName, reason: message(error) }, 'message failed; the source will redeliver it');
    if (route.kind === 'binding') {
      // divergence: upstream-behaviour §8 — upstream exited the process on a send error; we answer 500 so that the
      // binding redelivers, and 200 (acknowledged) for a poison message, which redelivery cannot help.
      res.writeHead(result === 'retry' ? 500 : 200, result === 'retry' ? { 'content-type': 'application/json' } : {});
      res.end(result === 'retry' ? JSON.stringify({ error: message(error) }) : undefined);
    } else {
      reply(res, 200, { status: result === 'success' ? 'SUCCESS' : result === 'retry' ? 'RETRY' : 'DROP' });
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && (path === '/healthz' || path === '/health')) return reply(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok' });
    if (req.method === 'GET' && path === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    if (req.method === 'GET' && path === '/dapr/subscribe') return reply(res, 200, subscriptions);
    if (req.method === 'GET' && path === '/dapr/config') return reply(res, 200, {});
    const route = routes.get(path);
    if (route && req.method === 'OPTIONS') {
      res.writeHead(200);
      return void res.end();
    }
    if (route && req.method === 'POST') {
      if (draining) {
        // Not ours to finish: let the sidecar redeliver to the next instance.
        return route.kind === 'binding' ? reply(res, 503, { error: 'shutting down' }) : reply(res, 200, { status: 'RETRY' });
      }
      inFlight++;
      metrics.inFlight.inc();
      void handle(route, req, res).finally(() => {
        inFlight--;
        metrics.inFlight.dec();
        if (inFlight === 0) idle?.();
      });
      return;
    }
    reply(res, 404, { error: `no route ${req.method} ${path}` });
  });
  server.keepAliveTimeout = 65_000;
  const connections = trackConnections(server);

  return {
    server,
    listen(port, hostname = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, hostname, () => resolve((server.address() as AddressInfo).port));
      });
    },
    drain(timeoutMs) {
      drained ??= drainOnce(timeoutMs);
      return drained;
    },
  };

  async function drainOnce(timeoutMs: number): Promise<void> {
    {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      connections.closeIdle();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]);
      }
      connections.closeAll();
      await closed;
      await sidecar.close();
    }
  }
}

/** A pub/sub delivery: the CloudEvent Dapr sent (data or data_base64), attributes kept. Undecodable is poison. */
function envelopeOf(body: Buffer): Event {
  try {
    return decodeStructured(body);
  } catch (e) {
    throw new PoisonMessageError(`not a CloudEvent envelope: ${(e as Error).message}`, e);
  }
}

/** The producer's bytes from daprd's raw-payload envelope (`data_base64`, components-contrib pubsub.FromRawPayload). */
function rawPayloadOf(body: Buffer, metadata: Record<string, string>): Buffer {
  const envelope = envelopeOf(body);
  if (typeof envelope.topic === 'string' && metadata.topic === undefined) metadata.topic = envelope.topic;
  return dataBytes(envelope);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(new PoisonMessageError(`message of ${size} bytes exceeds the ${limit}-byte limit`)) : resolve(Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
