// The controller's only door to the Kubernetes API (research/aesthetics lessons 2, 10): a narrow port, and its
// implementation on @kubernetes/client-node's CustomObjectsApi and CoreV1Api (object-parameter style, no
// discovery round trips). Functions are written with server-side apply under one field manager.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
// The observable stub client-node's own middleware (setHeaderMiddleware) is built with; the package has no export map.
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';
import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';

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
  /** Calls `onChange` on every change of a kind, cluster-wide, until stopped; re-watches after a drop. */
  watch(group: string, version: string, plural: string, onChange: () => void): Promise<() => void>;
}

const notFound = (e: unknown) => e instanceof ApiException && e.code === 404;

/**
 * Every call but a watch is aborted after `timeoutMs` (client-node sets none: one call the API server never answers
 * used to stop every reconcile). An aborted call fails its resource's reconcile, which the next resync retries.
 */
export function kubeFrom(kc: KubeConfig, options: { timeoutMs?: number } = {}): Kube {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return of(context);
    },
    post: (response: ResponseContext) => of(response),
  };
  const bounded = (extra?: ConfigurationOptions): ConfigurationOptions => ({ ...extra, middleware: [deadline, ...(extra?.middleware ?? [])], middlewareMergeStrategy: 'append' });
  return {
    async list(group, version, plural, labelSelector) {
      const result = (await custom.listClusterCustomObject({ group, version, plural, ...(labelSelector ? { labelSelector } : {}) }, bounded())) as { items?: KubeObject[] };
      return result.items ?? [];
    },
    async apply(group, version, plural, object) {
      return (await custom.patchNamespacedCustomObject(
        { group, version, plural, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name, body: object, fieldManager: FIELD_MANAGER, force: true },
        bounded(setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply)),
      )) as KubeObject;
    },
    async delete(group, version, plural, namespace, name, uid) {
      try {
        await custom.deleteNamespacedCustomObject({ group, version, plural, namespace, name, ...(uid ? { body: { preconditions: { uid } } } : {}) }, bounded());
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    },
    async patchStatus(group, version, plural, namespace, name, status) {
      const options = bounded(setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      if (namespace) await custom.patchNamespacedCustomObjectStatus({ group, version, plural, namespace, name, body: { status } }, options);
      else await custom.patchClusterCustomObjectStatus({ group, version, plural, name, body: { status } }, options);
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
    async configMapData(namespace, name) {
      try {
        return (await core.readNamespacedConfigMap({ namespace, name }, bounded())).data;
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
  };
}
