// The hand-written Dapr app bench/dapr compares each handler with: the least code that does the same job behind the
// same daprd with the same components and FUNC_CONTEXT — take the message, POST its data to the sink's output
// binding, answer SUCCESS. `BARE_ROLE=eventsource` reads a raw-payload source (Redis stream), `trigger` a CloudEvent
// bus topic. No CloudEvent attributes, no conditions, no retries, no metrics: the floor.
import { Agent, createServer, request } from 'node:http';

interface Ref { uri?: string; componentName: string; componentType: string }
const context = JSON.parse(process.env.FUNC_CONTEXT ?? '{}') as { inputs?: Record<string, Ref>; outputs?: Record<string, Ref> };
const raw = process.env.BARE_ROLE === 'eventsource';
const input = Object.values(context.inputs ?? {})[0]!;
const sink = Object.values(context.outputs ?? {}).find((o) => o.componentType === 'bindings.http')!;
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const daprPort = Number(process.env.DAPR_HTTP_PORT ?? 3500);

function invoke(data: unknown): Promise<number> {
  const body = JSON.stringify({ data, metadata: {}, operation: 'post' });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: daprPort, method: 'POST', path: `/v1.0/bindings/${sink.componentName}`, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/dapr/subscribe') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ pubsubname: input.componentName, topic: input.uri, route: '/in', ...(raw ? { metadata: { rawPayload: 'true' } } : {}) }]));
      return;
    }
    if (req.method === 'GET') return void res.writeHead(200).end('{}');
    const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: unknown; data_base64?: string };
    const data = raw ? JSON.parse(Buffer.from(envelope.data_base64 ?? '', 'base64').toString('utf8')) : envelope.data;
    invoke(data).then(
      (status) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: status < 300 ? 'SUCCESS' : 'RETRY' })),
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"RETRY"}'),
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
