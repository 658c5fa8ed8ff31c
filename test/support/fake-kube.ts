// A small fake of the Kubernetes API at its HTTP boundary (DESIGN §4), faithful to what the controller uses: list
// (cluster-wide, label selectors), server-side apply (creates with a uid and generation 1; a changed spec bumps the
// generation; a webhook-style default is added so "fields we do not own" exist), delete with uid preconditions,
// merge-patch of the status subresource, ConfigMap reads, and Kubernetes Status errors. Every request is recorded.
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name: string; namespace?: string; uid?: string; generation?: number; labels?: Record<string, string> }; spec?: unknown; status?: unknown; data?: Record<string, string> };

export interface FakeKube {
  url: string;
  kubeConfig: KubeConfig;
  requests: Array<{ method: string; path: string; contentType?: string; body?: unknown }>;
  /** Puts an object as a user would (kubectl apply): key by apiVersion, plural, namespace, name. */
  put(plural: string, object: Obj): Obj;
  get(apiVersion: string, plural: string, namespace: string | undefined, name: string): Obj | undefined;
  remove(apiVersion: string, plural: string, namespace: string | undefined, name: string): void;
  list(apiVersion: string, plural: string): Obj[];
  /** Writes made by the controller (apply, delete, status), since the last reset. */
  writes(): Array<{ method: string; path: string }>;
  /** The most writes that were waiting for their answer at once, since the last reset. */
  peakWritesInFlight(): number;
  /** TCP connections the server accepted, ever. */
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** `latencyMs` delays every answer but watch streams, as an API server's round trip would (benchmarks). */
/** `hang` picks requests that are never answered, as an API server that lost them (liveness tests). */
export async function startFakeKube(options: { latencyMs?: number; hang?: (method: string, path: string) => boolean } = {}): Promise<FakeKube> {
  const store = new Map<string, Obj>();
  const watchers = new Set<{ prefix: string; res: ServerResponse }>();
  const notify = (k: string, type: string, object: Obj) => {
    for (const w of watchers) if (k.startsWith(w.prefix)) w.res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const requests: FakeKube['requests'] = [];
  let [writesInFlight, peakWrites] = [0, 0];
  const key = (apiVersion: string, plural: string, ns: string | undefined, name: string) => `${apiVersion}|${plural}|${ns ?? ''}|${name}`;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString();
      const contentType = req.headers['content-type'];
      const body = text ? (contentType?.includes('yaml') ? parse(text) : JSON.parse(text)) : undefined;
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, ...(contentType ? { contentType } : {}), body });
      if (options.hang?.(req.method ?? '', url.pathname)) return;
      const write = req.method !== 'GET';
      if (write) peakWrites = Math.max(peakWrites, ++writesInFlight);
      const reply = (code: number, payload: unknown) => {
        const body = JSON.stringify(payload); // the state at this request, not at the delayed answer
        const send = () => {
          if (write) writesInFlight--;
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(body);
        };
        if (options.latencyMs) setTimeout(send, options.latencyMs);
        else send();
      };
      // /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/status]]  or  /api/v1/namespaces/{ns}/configmaps/{name}
      const m = /^\/(?:apis\/([^/]+)\/([^/]+)|api\/(v1))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/(status))?$/.exec(url.pathname);
      if (!m) return reply(404, status(404, 'NotFound', `no route ${url.pathname}`));
      const [, group, version, core, ns, plural, name, sub] = m;
      const apiVersion = core ? 'v1' : `${group}/${version}`;
      if (req.method === 'GET' && !name && url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders(); // an idle watch still answers at once, as the API server does
        const w = { prefix: `${apiVersion}|${plural}|`, res };
        watchers.add(w);
        res.on('close', () => watchers.delete(w)); // the request's own 'close' fires once its body is read
        return;
      }
      if (req.method === 'GET' && !name) {
        const selector = (url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean).map((s) => s.split('='));
        const items = [...store.entries()].filter(([k, o]) => k.startsWith(`${apiVersion}|${plural}|`) && (!ns || o.metadata.namespace === ns) && selector.every(([l, v]) => o.metadata.labels?.[l!] === v)).map(([, o]) => o);
        if (plural === 'services' && group === 'serving.knative.dev' && !store.has('knative-installed')) return reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));
        return reply(200, { apiVersion, kind: 'List', metadata: {}, items });
      }
      if (req.method === 'POST' && !name) {
        // create (core Events): the name from generateName, as the API server makes it
        const created = body as Obj & { metadata: { generateName?: string } };
        const made: Obj = { ...created, apiVersion, metadata: { ...created.metadata, name: created.metadata.name ?? `${created.metadata.generateName ?? ''}${randomUUID().slice(0, 8)}`, namespace: ns, uid: randomUUID() } };
        store.set(key(apiVersion, plural!, ns, made.metadata.name), made);
        return reply(201, made);
      }
      const k = key(apiVersion, plural!, ns, name!);
      const current = store.get(k);
      if (req.method === 'GET') return current ? reply(200, current) : reply(404, status(404, 'NotFound', `${plural} "${name}" not found`));
      if (req.method === 'DELETE') {
        if (!current) return reply(404, status(404, 'NotFound', `${plural} "${name}" not found`));
        const uid = (body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
        if (uid && uid !== current.metadata.uid) return reply(409, status(409, 'Conflict', 'Precondition failed: UID in precondition does not match'));
        store.delete(k);
        return reply(200, status(200, '', ''));
      }
      if (req.method === 'PATCH' && sub === 'status') {
        if (!current) return reply(404, status(404, 'NotFound', `${plural} "${name}" not found`));
        if (!contentType?.includes('merge-patch')) return reply(415, status(415, 'UnsupportedMediaType', String(contentType)));
        current.status = mergePatch(current.status, (body as { status?: unknown }).status);
        return reply(200, current);
      }
      if (req.method === 'PATCH') {
        if (!contentType?.includes('apply-patch')) return reply(415, status(415, 'UnsupportedMediaType', String(contentType)));
        if (!url.searchParams.get('fieldManager')) return reply(422, status(422, 'Invalid', 'fieldManager is required for apply patch'));
        const applied = body as Obj;
        const specChanged = !current || JSON.stringify(current.spec) !== JSON.stringify(applied.spec);
        const next: Obj = {
          ...applied,
          metadata: { ...applied.metadata, namespace: ns, uid: current?.metadata.uid ?? randomUUID(), generation: (current?.metadata.generation ?? 0) + (specChanged ? 1 : 0) },
          // A defaulting webhook's field: present, but not ours.
          spec: { workloadRuntime: 'OCIContainer', ...(applied.spec as object) },
          ...(current?.status ? { status: current.status } : {}),
        };
        store.set(k, next);
        return reply(current ? 200 : 201, next);
      }
      reply(405, status(405, 'MethodNotAllowed', `${req.method}`));
    });
  });
  let connections = 0;
  server.on('connection', () => void connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'controller', token: 'token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'controller' }],
    currentContext: 'fake',
  });
  const pluralOf = (o: Obj, plural: string) => key(o.apiVersion, plural, o.metadata.namespace, o.metadata.name);
  return {
    url,
    kubeConfig,
    requests,
    put(plural, object) {
      const existing = store.get(pluralOf(object, plural));
      const stored: Obj = { ...object, metadata: { ...object.metadata, uid: existing?.metadata.uid ?? randomUUID(), generation: (existing?.metadata.generation ?? 0) + 1 }, ...(existing?.status ? { status: existing.status } : {}) };
      store.set(pluralOf(object, plural), stored);
      notify(pluralOf(object, plural), existing ? 'MODIFIED' : 'ADDED', stored);
      return stored;
    },
    get: (apiVersion, plural, ns, name) => store.get(key(apiVersion, plural, ns, name)),
    remove: (apiVersion, plural, ns, name) => void store.delete(key(apiVersion, plural, ns, name)),
    list: (apiVersion, plural) => [...store.entries()].filter(([k]) => k.startsWith(`${apiVersion}|${plural}|`)).map(([, o]) => o),
    writes: () => requests.filter((r) => r.method !== 'GET').map(({ method, path }) => ({ method, path })),
    peakWritesInFlight: () => peakWrites,
    connections: () => connections,
    reset: () => void ((requests.length = 0), (peakWrites = 0)),
    close: () =>
      new Promise<void>((r) => {
        for (const w of watchers) w.res.end();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
