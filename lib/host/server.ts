// The Dapr app-side HTTP contract (research/runtime-contract §5, §9.4), served for one OpenFunction async function:
//   OPTIONS|POST /<componentName>   each input binding: raw body of any content type; 200 only on success
//   GET /dapr/subscribe             each pub/sub input, routed to POST /events/<inputName> (and /<topic>, the
//                                   dapr-proxy path); answers {"status": SUCCESS | RETRY | DROP}
//   GET /healthz, GET /metrics      health (503 while draining) and Prometheus metrics
// Every route is registered before the port opens (daprd probes once). An unknown route is a 404 on purpose only.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryError, PoisonMessageError } from '../errors.js';
import { FailurePolicy } from '../poison.js';
import { startClock, TIMER_INPUT } from '../clock.js';
import type { AsyncFunction, FunctionContext, InputInfo, Logger } from '../function.js';
import { isBinding, isPubSub, type FuncContext } from './context.js';
import { trackConnections } from './connections.js';
import { busEventOf, isDaprTransportAttribute, rawPayloadOf } from './envelope.js';
import type { Sidecar } from './dapr.js';
import type { CounterCell, HistogramCell, HostMetrics } from './metrics.js';

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
  /**
   * Dapr's APP_API_TOKEN: when set, daprd sends it as `dapr-api-token` on every call to the app, and only calls that
   * carry it are served (the app port is reachable from the whole pod network). Health and metrics stay open for
   * the kubelet and Prometheus.
   */
  appApiToken?: string;
  /**
   * Messages handled at once (default 256). Beyond it a message is answered RETRY (pub/sub) or 503 (binding): the
   * broker keeps it and redelivers, instead of the process queueing requests without bound.
   */
  maxInFlight?: number;
}

export interface Host {
  server: Server;
  listen(port: number, hostname?: string): Promise<number>;
  /** Stops taking requests, waits for in-flight ones (up to timeoutMs), closes the sidecar client. */
  drain(timeoutMs: number): Promise<void>;
}

type Route = {
  kind: 'binding' | 'pubsub';
  inputName: string;
  fixed: Record<string, string>;
  /** This input's counter cells, bound once (lib/host/metrics.ts). */
  received: CounterCell;
  handled: Record<'success' | 'retry' | 'drop' | 'busy', CounterCell>;
  duration: HistogramCell;
};

type Subscription = { pubsubname: string; topic: string; route: string; metadata?: Record<string, string> };

// Transport headers, and the API token, never reach the function. Routing comes from the route alone: a pub/sub
// input's topic is the one it subscribed to, whatever headers a caller adds.
const HOP_HEADERS = new Set(['dapr-api-token', 'host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'user-agent', 'accept', 'accept-encoding', 'traceparent', 'tracestate']);

export function createHost(options: HostOptions): Host {
  const { context, fn, sidecar, log, metrics } = options;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxInFlight = options.maxInFlight ?? 256;
  const failures = new FailurePolicy();
  const token = options.appApiToken ? Buffer.from(options.appApiToken) : undefined;
  const authorised = (req: IncomingMessage): boolean => {
    if (!token) return true;
    const given = req.headers['dapr-api-token'];
    const bytes = Buffer.from(typeof given === 'string' ? given : '');
    return bytes.length === token.length && timingSafeEqual(bytes, token);
  };
  const routes = new Map<string, Route>();
  const subscriptions: Subscription[] = [];
  const cellsOf = (input: string) => ({
    received: metrics.received.cell({ input }),
    duration: metrics.duration.cell({ input }),
    handled: { success: metrics.handled.cell({ input, result: 'success' }), retry: metrics.handled.cell({ input, result: 'retry' }), drop: metrics.handled.cell({ input, result: 'drop' }), busy: metrics.handled.cell({ input, result: 'busy' }) },
  });
  for (const [inputName, input] of Object.entries(context.inputs ?? {})) {
    if (isBinding(input)) routes.set(`/${input.componentName}`, { kind: 'binding', inputName, fixed: {}, ...cellsOf(inputName) });
    if (isPubSub(input)) {
      const route = `/events/${encodeURIComponent(inputName)}`;
      const fixed = { topic: input.uri!, pubsubname: input.componentName };
      const cells = cellsOf(inputName);
      routes.set(route, { kind: 'pubsub', inputName, fixed, ...cells });
      routes.set(`/${input.uri}`, { kind: 'pubsub', inputName, fixed, ...cells });
      subscriptions.push({ pubsubname: input.componentName, topic: input.uri!, route, ...(options.rawPubSub ? { metadata: { rawPayload: 'true' } } : {}) });
    }
  }

  let inFlight = 0;
  metrics.watchInFlight(() => inFlight);
  const sentCells = new Map(Object.keys(context.outputs ?? {}).map((output) => [output, { success: metrics.sent.cell({ output, result: 'success' }), failure: metrics.sent.cell({ output, result: 'failure' }) }]));
  let draining = false;
  let clock: { stop(): Promise<void> } | undefined;
  let idle: (() => void) | undefined;
  let drained: Promise<void> | undefined;

  async function send(data: unknown, outputName: string): Promise<void> {
    const output = context.outputs?.[outputName];
    const cells = sentCells.get(outputName); // own outputs only: not a name Object.prototype answers to
    if (!output || !cells) throw new DeliveryError(`no output named "${outputName}"; outputs: ${Object.keys(context.outputs ?? {}).join(', ') || 'none'}`, false);
    try {
      if (isPubSub(output)) await sidecar.publish(output.componentName, output.uri!, data);
      else await sidecar.invokeBinding(output.componentName, output.operation ?? 'create', data, output.metadata);
      cells.success.inc();
    } catch (e) {
      cells.failure.inc();
      throw e;
    }
  }

  const count: FunctionContext['count'] = (metric, labels) => metrics.functions[metric].inc(labels);

  function contextFor(input: InputInfo): FunctionContext {
    return { name: context.name, input, log, send, count };
  }

  async function handle(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    route.received.inc();
    const metadata: Record<string, string> = {};
    const headers = req.headers;
    for (const name in headers) {
      const value = headers[name];
      if (typeof value === 'string' && !HOP_HEADERS.has(name)) metadata[name] = value;
    }
    Object.assign(metadata, route.fixed);
    let result: 'success' | 'retry' | 'drop';
    let error: unknown;
    let body: Buffer | undefined;
    try {
      body = await readBody(req, maxBody);
      const data = route.kind === 'binding' ? body : options.rawPubSub ? rawPayloadOf(body, metadata) : busEventOf(body, isDaprTransportAttribute);
      await fn(contextFor({ name: route.inputName, kind: route.kind, metadata }), data);
      result = 'success';
    } catch (e) {
      const judged = failures.judge(e, () => `${route.inputName}\u0000${createHash('sha1').update(body ?? '').digest('base64')}`);
      error = judged.verdict === 'drop' && judged.poison ? new PoisonMessageError(judged.reason, e) : e;
      result = judged.verdict;
    }
    route.handled[result].inc();
    route.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    if (result === 'drop') log.warn({ input: route.inputName, reason: message(error) }, 'message dropped: it can never be processed');
    if (result === 'retry') log.error({ input: route.inputName, reason: message(error) }, 'message failed; the source will redeliver it');
    if (route.kind === 'binding') {
      // divergence: upstream-behaviour §8 — upstream exited the process on a send error; we answer 500 so that the
      // binding redelivers, and 200 (acknowledged) for a poison message, which redelivery cannot help.
      res.writeHead(result === 'retry' ? 500 : 200, result === 'retry' ? { 'content-type': 'application/json' } : {});
      res.end(result === 'retry' ? JSON.stringify({ error: message(error) }) : undefined);
    } else {
      replyText(res, 200, STATUS_REPLIES[result]);
    }
  }

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (req.method === 'GET' && (path === '/healthz' || path === '/health')) return reply(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok' });
    if (req.method === 'GET' && path === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    if (!authorised(req)) return reply(res, 401, { error: 'missing or wrong dapr-api-token' });
    if (req.method === 'GET' && path === '/dapr/subscribe') return reply(res, 200, subscriptions);
    if (req.method === 'GET' && path === '/dapr/config') return reply(res, 200, {});
    const route = routes.get(path);
    if (route && req.method === 'OPTIONS') {
      res.writeHead(200);
      return void res.end();
    }
    if (route && req.method === 'POST') {
      if (draining || inFlight >= maxInFlight) {
        // Not ours to finish now: the sidecar redelivers it (to the next instance, or here once there is room).
        if (!draining) route.handled.busy.inc();
        return route.kind === 'binding' ? reply(res, 503, { error: draining ? 'shutting down' : 'busy' }) : replyText(res, 200, STATUS_REPLIES.retry);
      }
      inFlight++;
      void handle(route, req, res).finally(() => {
        inFlight--;
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
        server.listen(port, hostname, () => {
          // Clocked work (absence timers) starts with serving and stops with the drain.
          if (fn.clock && !clock) clock = startClock(fn.clock, contextFor(TIMER_INPUT));
          resolve((server.address() as AddressInfo).port);
        });
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
      await clock?.stop();
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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    // A body that came in one chunk is that chunk (a buffer of its own, which nothing else reuses), not a copy.
    req.on('end', () => (size > limit ? reject(new PoisonMessageError(`message of ${size} bytes exceeds the ${limit}-byte limit`)) : resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  replyText(res, status, JSON.stringify(body));
}

function replyText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A pub/sub delivery's answers, one per result (Dapr's AppResponseStatus), written once rather than per message. */
const STATUS_REPLIES = { success: '{"status":"SUCCESS"}', retry: '{"status":"RETRY"}', drop: '{"status":"DROP"}' } as const;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
