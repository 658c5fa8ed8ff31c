// Where a resource names a Secret. Dapr resolves a component's secretKeyRef with the pod's own identity, so whoever
// writes an EventSource or EventBus in a namespace can have any Secret of that namespace sent to a host of their
// choosing (a broker URL is theirs to set). That is the trust Kubernetes already gives anyone who may create Pods
// there; where resource authors are trusted less, the cluster's admin sets `secretRefs: "deny"` in
// openfunction-events-config and the controller refuses every resource that names a Secret. Pure.

/** The ConfigMap key of the policy: "allow" (the default) or "deny". */
export const SECRET_REFS_KEY = 'secretRefs';

/** The field paths under `spec` that hold a secretKeyRef. */
export function secretRefPaths(value: unknown, path = 'spec'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretRefPaths(v, `${path}[${i}]`));
  return Object.entries(value).flatMap(([key, v]) => (key === 'secretKeyRef' ? [path] : secretRefPaths(v, /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`)));
}
