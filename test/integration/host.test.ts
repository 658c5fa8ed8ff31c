// The host under the exact requests daprd sends (research/runtime-contract §5), asserting the exact calls it makes
// to the sidecar — a recording fake of the sidecar's HTTP API on loopback.
import type { Event } from '../../lib/cloudevents.js';
import { DeliveryError, PoisonMessageError } from '../../lib/errors.js';
import type { AsyncFunction, FunctionContext } from '../../lib/function.js';
import { silentLogger } from '../../lib/function.js';
import { parseFuncContext } from '../../lib/host/context.js';
import { createSidecar, onFailure, requestOn, sidecarPool } from '../../lib/host/dapr.js';
import { createMetrics } from '../../lib/host/metrics.js';
import { createHost, type Host } from '../../lib/host/server.js';
import { request, startRecorder, type Recorder } from '../support/http.js';

const context = parseFuncContext(
  JSON.stringify({
    name: 'fn',
    runtime: 'Async',
    inputs: {
      'esi-tick': { uri: 'esc-cron-tick', componentName: 'serving-1-bindings-esc-cron-tick-aaaaa', componentType: 'bindings.cron' },
      'ti-default-es-tick': { uri: 'default-es-tick', componentName: 'serving-1-pubsub-ebft-t-bbbbb', componentType: 'pubsub.jetstream' },
    },
    outputs: {
      bus: { uri: 'default-es-tick', componentName: 'serving-1-pubsub-ebfes-es-ccccc', componentType: 'pubsub.jetstream' },
      sink: { uri: 'ts-es-default', componentName: 'serving-1-bindings-ts-es-default-ddddd', componentType: 'bindings.http', operation: 'post' },
    },
  }),
);

let sidecar: Recorder;
let host: Host;
let url: string;
let fn: AsyncFunction;
const calls: Array<{ ctx: FunctionContext; data: unknown }> = [];

beforeEach(async () => {
  sidecar = await startRecorder(204);
  calls.length = 0;
  fn = async () => {};
  host = createHost({
    context,
    fn: (ctx, data) => (calls.push({ ctx, data }), fn(ctx, data)),
    sidecar: createSidecar({ host: '127.0.0.1', httpPort: sidecar.port, apiToken: 'secret-token' }),
    log: silentLogger,
    metrics: createMetrics(false),
    maxBodyBytes: 1024,
  });
  url = `http://127.0.0.1:${await host.listen(0, '127.0.0.1')}`;
});

afterEach(async () => {
  await host.drain(1000);
  await sidecar.close();
});

describe('host - input bindings', () => {
  test('OPTIONS on the component route subscribes the app', async () => {
    expect((await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'OPTIONS')).status).toBe(200);
  });

  test('POST delivers the raw body of any content type, with binding metadata, and answers exactly 200', async () => {
    const response = await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'plain text, not JSON', { 'content-type': 'application/json', partition: '3' });
    expect([response.status, response.body]).toEqual([200, '']);
    expect(calls).toHaveLength(1);
    expect(Buffer.isBuffer(calls[0]!.data) && (calls[0]!.data as Buffer).toString()).toBe('plain text, not JSON');
    expect(calls[0]!.ctx.input).toMatchObject({ name: 'esi-tick', kind: 'binding', metadata: { partition: '3', 'content-type': 'application/json' } });
  });

  test('a failure answers 500 so the binding redelivers; a poison message is acknowledged and dropped', async () => {
    fn = async () => {
      throw new DeliveryError('bus down', true);
    };
    expect((await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x')).status).toBe(500);
    fn = async () => {
      throw new PoisonMessageError('bad');
    };
    expect((await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x')).status).toBe(200);
  });

  test('an oversized message is dropped without reaching the function', async () => {
    const response = await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', Buffer.alloc(2048, 1));
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(0);
  });
});

describe('host - pub/sub', () => {
  test('GET /dapr/subscribe lists every pub/sub input', async () => {
    const response = await request(`${url}/dapr/subscribe`, 'GET');
    expect(JSON.parse(response.body)).toEqual([{ pubsubname: 'serving-1-pubsub-ebft-t-bbbbb', topic: 'default-es-tick', route: '/events/ti-default-es-tick' }]);
  });

  const envelope = {
    specversion: '1.0', id: 'e-1', source: 'esw-es-cron-tick-default', type: 'com.dapr.event.sent', topic: 'default-es-tick', pubsubname: 'serving-1-pubsub-ebft-t-bbbbb',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', datacontenttype: 'application/octet-stream', data_base64: Buffer.from('raw bytes').toString('base64'),
  };

  test('a CloudEvent envelope (data_base64 included) reaches the function as a CloudEvent; SUCCESS', async () => {
    const response = await request(`${url}/events/ti-default-es-tick`, 'POST', JSON.stringify(envelope), { 'content-type': 'application/cloudevents+json' });
    expect([response.status, JSON.parse(response.body)]).toEqual([200, { status: 'SUCCESS' }]);
    const data = calls[0]!.data as Event;
    expect([data.id, Buffer.from(data.data as Buffer).toString()]).toEqual(['e-1', 'raw bytes']);
  });

  test("the attributes daprd adds on publish are left out; the event's own trace context and extensions stay", async () => {
    const event = { specversion: '1.0', id: 'e-2', source: '/s', type: 't', datacontenttype: 'application/json', data: { n: 1 }, ofnkey: 'k' };
    const deliver = async (added: Record<string, string>) => {
      calls.length = 0;
      await request(`${url}/events/ti-default-es-tick`, 'POST', JSON.stringify({ ...event, ...added }), { 'content-type': 'application/cloudevents+json' });
      return Object.keys(calls[0]!.data as Event).sort();
    };
    const own = ['data', 'datacontenttype', 'id', 'ofnkey', 'source', 'specversion', 'type'];
    // Tracing off: empty trace fields (components-contrib pubsub/envelope.go FromCloudEvent).
    expect(await deliver({ topic: 'default-es-tick', pubsubname: 'serving-1-pubsub-x', traceid: '', traceparent: '', tracestate: '' })).toEqual(own);
    // Tracing on: traceid is daprd's copy of traceparent; the trace context itself is the event's.
    const trace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(await deliver({ topic: 't', pubsubname: 'p', traceid: trace, traceparent: trace, tracestate: 'a=1' })).toEqual([...own, 'traceparent', 'tracestate'].sort());
    // A producer's own traceid: daprd left the trace fields alone, and so do we.
    expect(await deliver({ topic: 't', pubsubname: 'p', traceid: 'mine' })).toEqual([...own, 'traceid'].sort());
    expect(calls[0]!.ctx.input.metadata).toMatchObject({ topic: 'default-es-tick', pubsubname: 'serving-1-pubsub-ebft-t-bbbbb' });
  });

  test('the dapr-proxy path /<topic> works the same', async () => {
    const response = await request(`${url}/default-es-tick`, 'POST', JSON.stringify(envelope), { 'content-type': 'application/cloudevents+json' });
    expect(JSON.parse(response.body)).toEqual({ status: 'SUCCESS' });
  });

  test('a retryable failure answers RETRY, a poison one DROP, never a 404', async () => {
    fn = async () => {
      throw new Error('something transient');
    };
    expect(JSON.parse((await request(`${url}/events/ti-default-es-tick`, 'POST', JSON.stringify(envelope))).body)).toEqual({ status: 'RETRY' });
    const undecodable = await request(`${url}/events/ti-default-es-tick`, 'POST', '{"no":"cloudevent"}');
    expect([undecodable.status, JSON.parse(undecodable.body)]).toEqual([200, { status: 'DROP' }]);
  });
});

describe('host - outputs through the sidecar', () => {
  test('ctx.send publishes a CloudEvent as itself and invokes a binding in binary mode, with the API token', async () => {
    const event: Event = { specversion: '1.0', id: 'id-7', source: '/s', type: 't', time: '2026-01-01T00:00:00Z', datacontenttype: 'application/json', data: { n: 7 } };
    fn = async (ctx) => {
      await ctx.send(event, 'bus');
      await ctx.send(event, 'sink');
    };
    await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x');
    const [publish, invoke] = sidecar.requests;
    expect([publish!.method, publish!.path, publish!.headers['content-type'], publish!.headers['dapr-api-token']]).toEqual([
      'POST', '/v1.0/publish/serving-1-pubsub-ebfes-es-ccccc/default-es-tick', 'application/cloudevents+json; charset=utf-8', 'secret-token',
    ]);
    expect(JSON.parse(publish!.body.toString())).toEqual(event);
    expect([invoke!.path, invoke!.headers['content-type']]).toEqual(['/v1.0/bindings/serving-1-bindings-ts-es-default-ddddd', 'application/json']);
    expect(JSON.parse(invoke!.body.toString())).toEqual({
      data: { n: 7 },
      operation: 'post',
      metadata: { 'Content-Type': 'application/json', 'Ce-Id': 'id-7', 'Ce-Source': '/s', 'Ce-Type': 't', 'Ce-Time': '2026-01-01T00:00:00Z', 'Ce-Specversion': '1.0' },
    });
  });

  test('every non-success answer of the sidecar rejects ctx.send: 500 retryable, 404 not', async () => {
    const outcomes: unknown[] = [];
    fn = async (ctx) => {
      for (let i = 0; i < 2; i++) await ctx.send({ a: 1 }, 'bus').then(() => outcomes.push('ok'), (e: DeliveryError) => outcomes.push([e.name, e.retryable]));
    };
    sidecar.answers.push({ status: 500, body: '{"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"}' }, { status: 404 });
    await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x');
    expect(outcomes).toEqual([['DeliveryError', true], ['DeliveryError', false]]);
  });

  test('a send to an unknown output rejects, naming the outputs there are', async () => {
    let error: unknown;
    fn = async (ctx) => ctx.send('x', 'nope').catch((e) => void (error = e));
    await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x');
    expect((error as Error).message).toBe('no output named "nope"; outputs: bus, sink');
  });
});

describe('host - operations', () => {
  test('health, metrics, and a 404 only for routes that are not ours', async () => {
    expect(JSON.parse((await request(`${url}/healthz`, 'GET')).body)).toEqual({ status: 'ok' });
    fn = async (ctx) => ctx.count?.('firings', { trigger: 'orders', subscriber: '0', condition: 'a && b' });
    await request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x');
    const metrics = (await request(`${url}/metrics`, 'GET')).body;
    expect(metrics).toContain('ofn_events_handled_total{input="esi-tick",result="success"} 1');
    expect(metrics).toContain('ofn_events_firings_total{trigger="orders",subscriber="0",condition="a && b"} 1');
    expect(metrics).toContain('ofn_events_handle_seconds_count{input="esi-tick"} 1');
    expect(metrics).toMatch(/^ofn_events_handle_seconds_bucket\{le="\+Inf",input="esi-tick"\} 1$/m);
    expect((await request(`${url}/not-a-route`, 'POST', 'x')).status).toBe(404);
  });

  test('drain lets in-flight messages finish, then stops', async () => {
    let release!: () => void;
    fn = () => new Promise<void>((resolve) => (release = resolve));
    const inFlight = request(`${url}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x');
    while (calls.length === 0) await new Promise((r) => setImmediate(r));
    const drained = host.drain(5000);
    let done = false;
    void drained.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    expect((await inFlight).status).toBe(200);
    await drained;
    await expect(request(`${url}/healthz`, 'GET')).rejects.toThrow();
  });
});

describe('host - hostile and bad input', () => {
  const envelopeOf = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ specversion: '1.0', id: 'e-9', source: '/s', type: 't', datacontenttype: 'application/json', data: { n: 1 }, ...extra });
  const pubsub = async (body: string, headers: Record<string, string> = {}) => JSON.parse((await request(`${url}/events/ti-default-es-tick`, 'POST', body, headers)).body) as { status: string };

  test('request headers never change routing: a pub/sub input is told the topic it subscribed to', async () => {
    await pubsub(envelopeOf({ topic: 'default-other-topic' }), { topic: 'default-other-topic', pubsubname: 'elsewhere' });
    expect(calls[0]!.ctx.input.metadata).toMatchObject({ topic: 'default-es-tick', pubsubname: 'serving-1-pubsub-ebft-t-bbbbb' });
  });

  test('an unexpected error is retried a few times for the same message, then dropped as poison; other messages are unaffected', async () => {
    fn = async (_ctx, data) => {
      if ((data as Event).id === 'e-9') throw new TypeError("Cannot read properties of undefined (reading 'x')");
    };
    const verdicts: string[] = [];
    for (let i = 0; i < 5; i++) verdicts.push((await pubsub(envelopeOf())).status);
    expect(verdicts).toEqual(['RETRY', 'RETRY', 'RETRY', 'RETRY', 'DROP']);
    expect((await pubsub(envelopeOf({ id: 'e-10' }))).status).toBe('SUCCESS');
  });

  test('input too deep to walk, garbage data_base64, and a RangeError from the function are poison at once', async () => {
    const deep = `{"specversion":"1.0","id":"d","source":"/s","type":"t","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect((await pubsub(deep)).status).toBe('DROP');
    expect((await pubsub(envelopeOf({ data: undefined, data_base64: '%%% not base64 %%%' }))).status).toBe('DROP');
    fn = async () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    expect((await pubsub(envelopeOf())).status).toBe('DROP');
    expect(calls).toHaveLength(1);
  });
});

describe('host - APP_API_TOKEN and the in-flight bound', () => {
  let guarded: Host;
  let guardedUrl: string;
  let release: Array<() => void>;
  beforeEach(async () => {
    release = [];
    guarded = createHost({
      context, sidecar: createSidecar({ host: '127.0.0.1', httpPort: sidecar.port }), log: silentLogger, metrics: createMetrics(false),
      fn: () => new Promise<void>((resolve) => release.push(resolve)), appApiToken: 'app-token', maxInFlight: 1,
    });
    guardedUrl = `http://127.0.0.1:${await guarded.listen(0, '127.0.0.1')}`;
  });
  afterEach(async () => {
    for (const r of release) r();
    await guarded.drain(1000);
  });

  test('only calls carrying the token are served; health stays open for the kubelet', async () => {
    const route = `${guardedUrl}/serving-1-bindings-esc-cron-tick-aaaaa`;
    expect((await request(route, 'POST', 'x')).status).toBe(401);
    expect((await request(route, 'POST', 'x', { 'dapr-api-token': 'app-tokeN' })).status).toBe(401);
    expect((await request(`${guardedUrl}/dapr/subscribe`, 'GET')).status).toBe(401);
    expect((await request(`${guardedUrl}/healthz`, 'GET')).status).toBe(200);
    const served = request(route, 'POST', 'x', { 'dapr-api-token': 'app-token' });
    while (release.length === 0) await new Promise((r) => setImmediate(r));
    release[0]!();
    expect((await served).status).toBe(200);
  });

  test('beyond the in-flight bound a message is handed back for redelivery, not queued', async () => {
    const headers = { 'dapr-api-token': 'app-token' };
    const first = request(`${guardedUrl}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'x', headers);
    while (release.length === 0) await new Promise((r) => setImmediate(r));
    expect((await request(`${guardedUrl}/serving-1-bindings-esc-cron-tick-aaaaa`, 'POST', 'y', headers)).status).toBe(503);
    expect(JSON.parse((await request(`${guardedUrl}/events/ti-default-es-tick`, 'POST', '{}', headers)).body)).toEqual({ status: 'RETRY' });
    release[0]!();
    expect((await first).status).toBe(200);
  });
});

describe('host - connection pools', () => {
  test('a sink that hangs holds only its own connections: the dead-letter sink and the bus still get through', async () => {
    const hanging: Array<() => void> = [];
    sidecar.server.removeAllListeners('request');
    sidecar.server.on('request', (req, res) => {
      req.resume();
      if ((req.url ?? '').includes('ts-es-default')) hanging.push(() => res.writeHead(204).end());
      else res.writeHead(204).end();
    });
    const event: Event = { specversion: '1.0', id: 'p', source: '/s', type: 't', data: 1 };
    const client = createSidecar({ host: '127.0.0.1', httpPort: sidecar.port });
    const stuck = Array.from({ length: 40 }, () => client.invokeBinding('serving-1-bindings-ts-es-default-ddddd', 'post', event).catch((e: unknown) => e));
    while (hanging.length < 32) await new Promise((r) => setTimeout(r, 5));
    const others = Promise.all([client.invokeBinding('serving-1-bindings-dead-letter-eeeee', 'post', event), client.publish('serving-1-pubsub-ebfes-es-ccccc', 'default-es-tick', event)]);
    expect(await Promise.race([others.then(() => 'through'), new Promise((r) => setTimeout(() => r('blocked'), 2000))])).toBe('through');
    while (hanging.length > 0 || stuck.length > 0) {
      hanging.splice(0).forEach((answer) => answer());
      await Promise.race([Promise.all(stuck.splice(0)), new Promise((r) => setTimeout(r, 5))]);
    }
    await client.close();
  });
});

describe('host - answers of the sidecar', () => {
  test("a success's answer is drained, not kept, and its connection serves the next request; a failure's answer is read", async () => {
    const ports: number[] = [];
    sidecar.server.removeAllListeners('request');
    sidecar.server.on('request', (req, res) => {
      req.resume();
      ports.push(req.socket.remotePort ?? 0);
      // A sink's answer as bindings.http passes it on: any size, here larger than one read of the socket.
      if (req.url === '/fail') res.writeHead(500).end('{"errorCode":"ERR_INVOKE_OUTPUT_BINDING"}');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('x'.repeat(256 * 1024));
    });
    const pool = sidecarPool(1, 2000);
    const options = { host: '127.0.0.1', httpPort: sidecar.port };
    const answers = [];
    for (const path of ['/ok', '/ok', '/fail']) answers.push(await requestOn(pool, options, path, '{}', ['Content-Type', 'application/json'], 'POST', onFailure));
    expect(answers.map((a) => [a.status, a.text])).toEqual([[200, ''], [200, ''], [500, '{"errorCode":"ERR_INVOKE_OUTPUT_BINDING"}']]);
    expect(new Set(ports).size).toBe(1);
    pool.agent.destroy();
  });
});

describe('host - a sidecar that stops answering', () => {
  test('a request that hears nothing within the timeout fails as retryable, on a fresh connection and on a reused one', async () => {
    let answer = true;
    sidecar.server.removeAllListeners('request');
    sidecar.server.on('request', (req, res) => {
      req.resume();
      if (answer) res.writeHead(204).end();
    });
    const event: Event = { specversion: '1.0', id: 'q', source: '/s', type: 't', data: 1 };
    const client = createSidecar({ host: '127.0.0.1', httpPort: sidecar.port, timeoutMs: 200 });
    await client.invokeBinding('serving-1-bindings-ts-es-default-ddddd', 'post', event); // leaves a socket in the pool
    answer = false;
    for (const attempt of [1, 2]) {
      const error = await client.invokeBinding('serving-1-bindings-ts-es-default-ddddd', 'post', event).then(() => undefined, (e: unknown) => e);
      expect([attempt, error instanceof DeliveryError && error.retryable, (error as Error).message]).toEqual([attempt, true, expect.stringContaining('no answer within 200 ms')]);
    }
    await client.close();
  });
});

describe('host - fuzzed requests', () => {
  test('any path, method, headers and body: a well-formed answer, the function sees only what its route promises, and the host stays up', async () => {
    const { default: fc } = await import('fast-check');
    let n = 0;
    fn = async () => {
      if (++n % 5 === 0) throw new Error('unexpected'); // some failures, so the failure paths are fuzzed too
    };
    const paths = fc.constantFrom('/events/ti-default-es-tick', '/default-es-tick', '/serving-1-bindings-esc-cron-tick-aaaaa', '/dapr/subscribe', '/healthz', '/metrics', '/nope', '/events/%ZZ', '/events/ti-default-es-tick?x=1');
    const bodies = fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), fc.record({ specversion: fc.constant('1.0'), id: fc.string(), source: fc.string(), type: fc.string(), data_base64: fc.string() }).map((v) => JSON.stringify(v)));
    const headers = fc.dictionary(fc.constantFrom('topic', 'pubsubname', 'content-type', 'dapr-api-token', 'x-any', 'ce-id'), fc.string({ maxLength: 20 }).filter((v) => /^[\x20-\x7e]*$/.test(v)), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom('POST', 'GET', 'OPTIONS', 'PUT'), headers, bodies, async (path, method, head, body) => {
        const response = await request(`${url}${path}`, method, method === 'GET' || method === 'OPTIONS' ? undefined : body, head);
        expect([200, 204, 401, 404, 500, 503]).toContain(response.status);
        if (method === 'POST' && path.startsWith('/events/ti-') && response.status === 200) expect(['SUCCESS', 'RETRY', 'DROP']).toContain((JSON.parse(response.body) as { status: string }).status);
      }),
      { numRuns: 300 },
    );
    // Every event the function saw on a pub/sub route was a CloudEvent, told the topic it subscribed to.
    for (const call of calls.filter((c) => c.ctx.input.kind === 'pubsub')) {
      expect((call.data as Event).specversion).toBeDefined();
      expect(call.ctx.input.metadata.topic).toBe('default-es-tick');
    }
    expect((await request(`${url}/healthz`, 'GET')).status).toBe(200);
  });
});
