// The controller's only door to the Kubernetes API (research/aesthetics lessons 2, 10): a narrow port, and its
// implementation on @kubernetes/client-node's CustomObjectsApi and CoreV1Api (object-parameter style, no
// discovery round trips). Functions are written with server-side apply under one field manager.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
// The observable stub client-node's own middleware (setHeaderMiddleware) is built with; the package has no export map.
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';
import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';

export const FIELD_MANAGER = 'openfunction-events';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; generation?: number; labels?: Record<string, string>; [k: string]: unknown };
  spec?: unknown;
  status?: unknown;
}

export interface Kube {
  /** Every object of a kind, cluster-wide. */
  list(group: string, version: string, plural: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Server-side apply, forced: the fields we own become exactly these. */
  apply(group: string, version: string, plural: string, object: KubeObject): Promise<KubeObject>;
  /** Delete, only if it is still the object we saw (uid precondition); gone already is fine. */
  delete(group: string, version: string, plural: string, namespace: string, name: string, uid?: string): Promise<void>;
  /** Merge-patch the status subresource. */
  patchStatus(group: string, version: string, plural: string, namespace: string | undefined, name: string, status: unknown): Promise<void>;
  configMapData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** A Kubernetes Event about one of our resources (what `kubectl describe` and `kubectl events` show). */
  recordEvent(about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Promise<void>;
  /** Calls `onChange` on every change of a kind, cluster-wide, until stopped; re-watches after a drop. */
  watch(group: string, version: string, plural: string, onChange: () => void): Promise<() => void>;
}

const notFound = (e: unknown) => e instanceof ApiException && e.code === 404;

/**
 * An error a person can read: client-node's ApiException prints "HTTP-Code: 429 Message: Unknown API Status Code!"
 * with the headers; this says what was asked, the status, and the API server's own reason and message.
 */
export function kubeError(e: unknown, what: string): Error {
  if (e instanceof ApiException) {
    let detail: string;
    try {
      const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { reason?: string; message?: string };
      detail = [body.reason, body.message].filter(Boolean).join(': ');
    } catch {
      detail = String(e.body ?? '').slice(0, 200);
    }
    return new Error(`Kubernetes API: ${what} answered ${e.code}${detail ? ` (${detail})` : ''}`, { cause: e });
  }
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) return new Error(`Kubernetes API: ${what}: no answer in time`, { cause: e });
  return e instanceof Error ? new Error(`Kubernetes API: ${what}: ${e.message}`, { cause: e }) : new Error(`Kubernetes API: ${what}: ${String(e)}`);
}

/** Runs a call, turning its failure into a kubeError. */
async function asking<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw kubeError(e, what);
  }
}

/**
 * client-node 1.x builds a new Agent for every request (KubeConfig.applySecurityAuthentication → createAgent), so
 * every call opened a connection and paid a TLS handshake, on our side and the API server's: most of the controller's
 * CPU besides waiting went to TLS setup (bench/controller-apiserver). This keeps one keep-alive agent per TLS identity
 * (CA, client certificate and key, verification) and hands it to each request instead; a rotated certificate gets a
 * new one. Proxy agents are left as they are.
 */
function sharedAgents(): (agent: HttpAgent | HttpsAgent | undefined) => HttpAgent | HttpsAgent | undefined {
  const agents = new Map<string, HttpAgent | HttpsAgent>();
  return (agent) => {
    if (!agent || (agent.constructor !== HttpsAgent && agent.constructor !== HttpAgent)) return agent;
    const options = (agent as HttpsAgent & { options: AgentOptions }).options;
    const hash = createHash('sha256').update(agent.constructor === HttpsAgent ? 'https' : 'http');
    for (const part of [options.ca, options.cert, options.key, options.pfx, options.passphrase, options.servername, options.rejectUnauthorized]) {
      hash.update('\u0000');
      for (const piece of [part].flat()) if (piece !== undefined) hash.update(typeof piece === 'object' && !Buffer.isBuffer(piece) ? JSON.stringify(piece) : String(piece));
    }
    const key = hash.digest('hex');
    let shared = agents.get(key);
    if (!shared) {
      const keepAlive = { ...options, keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 32 };
      shared = agent.constructor === HttpsAgent ? new HttpsAgent(keepAlive) : new HttpAgent(keepAlive);
      agents.set(key, shared);
      // Certificates rotate rarely: a handful of identities at most; the oldest goes.
      if (agents.size > 4) {
        const [oldest, old] = agents.entries().next().value as [string, HttpAgent];
        agents.delete(oldest);
        old.destroy();
      }
    }
    return shared;
  };
}

/**
 * Every call but a watch is aborted after `timeoutMs` (client-node sets none: one call the API server never answers
 * used to stop every reconcile). An aborted call fails its resource's reconcile, which the next resync retries.
 */
export function kubeFrom(kc: KubeConfig, options: { timeoutMs?: number } = {}): Kube {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const shared = sharedAgents();
  const perRequest: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      const agent = shared(context.getAgent());
      if (agent) context.setAgent(agent);
      return of(context);
    },
    post: (response: ResponseContext) => of(response),
  };
  const bounded = (extra?: ConfigurationOptions): ConfigurationOptions => ({ ...extra, middleware: [perRequest, ...(extra?.middleware ?? [])], middlewareMergeStrategy: 'append' });
  return {
    async list(group, version, plural, labelSelector) {
      const result = (await asking(`list ${plural}.${group}`, () => custom.listClusterCustomObject({ group, version, plural, ...(labelSelector ? { labelSelector } : {}) }, bounded()))) as { items?: KubeObject[] };
      return result.items ?? [];
    },
    async apply(group, version, plural, object) {
      return (await asking(`apply ${plural}.${group} ${object.metadata.namespace ?? 'default'}/${object.metadata.name}`, () =>
        custom.patchNamespacedCustomObject(
          { group, version, plural, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name, body: object, fieldManager: FIELD_MANAGER, force: true },
          bounded(setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply)),
        ),
      )) as KubeObject;
    },
    async delete(group, version, plural, namespace, name, uid) {
      try {
        await custom.deleteNamespacedCustomObject({ group, version, plural, namespace, name, ...(uid ? { body: { preconditions: { uid } } } : {}) }, bounded());
      } catch (e) {
        if (!notFound(e)) throw kubeError(e, `delete ${plural}.${group} ${namespace}/${name}`);
      }
    },
    async patchStatus(group, version, plural, namespace, name, status) {
      const options = bounded(setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await asking(`update the status of ${plural}.${group} ${namespace ? `${namespace}/` : ''}${name}`, () =>
        namespace
          ? custom.patchNamespacedCustomObjectStatus({ group, version, plural, namespace, name, body: { status } }, options)
          : custom.patchClusterCustomObjectStatus({ group, version, plural, name, body: { status } }, options),
      );
    },
    async watch(group, version, plural, onChange) {
      const watcher = new Watch(kc);
      let stopped = false;
      let abort: AbortController | undefined;
      const start = async (): Promise<void> => {
        if (stopped) return;
        try {
          abort = await watcher.watch(`/apis/${group}/${version}/${plural}`, {}, () => onChange(), () => {
            // The stream ended (timeout, API server restart): catch up, then watch again.
            if (!stopped) setTimeout(() => void start().then(onChange), 1000).unref();
          });
        } catch {
          if (!stopped) setTimeout(() => void start(), 5000).unref();
        }
      };
      await start();
      return () => {
        stopped = true;
        abort?.abort();
      };
    },
    async recordEvent(about, type, reason, message, now) {
      const namespace = about.metadata.namespace ?? 'default';
      await asking(`record an event on ${about.kind} ${namespace}/${about.metadata.name}`, () =>
        core.createNamespacedEvent(
          {
            namespace,
            body: {
              metadata: { generateName: `${about.metadata.name}.`, namespace },
              involvedObject: { apiVersion: about.apiVersion, kind: about.kind, name: about.metadata.name, namespace, ...(about.metadata.uid ? { uid: about.metadata.uid } : {}) },
              type, reason, message: message.slice(0, 1024), count: 1,
              firstTimestamp: now, lastTimestamp: now,
              source: { component: FIELD_MANAGER },
              reportingComponent: FIELD_MANAGER, reportingInstance: process.env.POD_NAME ?? FIELD_MANAGER,
            },
          },
          bounded(),
        ),
      );
    },
    async configMapData(namespace, name) {
      try {
        return (await core.readNamespacedConfigMap({ namespace, name }, bounded())).data;
      } catch (e) {
        if (notFound(e)) return undefined;
        throw kubeError(e, `read configmap ${namespace}/${name}`);
      }
    },
  };
}
