// The controller's only door to the Kubernetes API (research/aesthetics lessons 2, 10): a narrow port, and its
// implementation on @kubernetes/client-node's CustomObjectsApi and CoreV1Api (object-parameter style, no
// discovery round trips). Functions are written with server-side apply under one field manager.
import type { KubeConfig } from '@kubernetes/client-node';
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

export function kubeFrom(kc: KubeConfig): Kube {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async list(group, version, plural, labelSelector) {
      const result = (await custom.listClusterCustomObject({ group, version, plural, ...(labelSelector ? { labelSelector } : {}) })) as { items?: KubeObject[] };
      return result.items ?? [];
    },
    async apply(group, version, plural, object) {
      return (await custom.patchNamespacedCustomObject(
        { group, version, plural, namespace: object.metadata.namespace ?? 'default', name: object.metadata.name, body: object, fieldManager: FIELD_MANAGER, force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      )) as KubeObject;
    },
    async delete(group, version, plural, namespace, name, uid) {
      try {
        await custom.deleteNamespacedCustomObject({ group, version, plural, namespace, name, ...(uid ? { body: { preconditions: { uid } } } : {}) });
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    },
    async patchStatus(group, version, plural, namespace, name, status) {
      const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
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
        return (await core.readNamespacedConfigMap({ namespace, name })).data;
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
  };
}
