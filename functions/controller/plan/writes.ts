// What a reconcile must write, decided before any I/O: Functions whose desired fields are not all in place
// (server-side apply would be a no-op for the rest), Functions we own that are no longer desired (prune),
// and whether the status changed. An unchanged world gives no writes. Pure.
import type { Status } from '../../../lib/api/index.js';
import type { FunctionObject } from './function.js';

export interface OwnedFunction {
  name: string;
  /** What we applied last, as read back (only the fields we own: labels and spec). */
  labels?: Record<string, string>;
  spec?: unknown;
}

/**
 * Whether `observed` already holds every field of `desired` with the same value. Server-side apply leaves fields we
 * do not set (webhook defaults, other managers) alone, so they must not count as drift.
 */
export function covers(observed: unknown, desired: unknown): boolean {
  if (desired === undefined) return true;
  if (typeof desired !== 'object' || desired === null) return observed === desired;
  if (typeof observed !== 'object' || observed === null) return false;
  if (Array.isArray(desired)) return Array.isArray(observed) && observed.length === desired.length && desired.every((d, i) => covers(observed[i], d));
  return Object.entries(desired).every(([k, v]) => covers((observed as Record<string, unknown>)[k], v));
}

export interface Writes {
  apply: FunctionObject[];
  prune: string[];
  status: boolean;
}

/** Key order and undefined fields do not make two JSON values different. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameJson(x, (b as unknown[])[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Status equality that ignores nothing but is blind to key order. */
const sameStatus = (a: Status | undefined, b: Status | undefined) => sameJson(a ?? {}, b ?? {});

export function writesFor(desired: readonly FunctionObject[], owned: readonly OwnedFunction[], newStatus: Status, oldStatus: Status | undefined): Writes {
  const observed = new Map(owned.map((o) => [o.name, o]));
  const wanted = new Set(desired.map((d) => d.metadata.name));
  return {
    apply: desired.filter((d) => {
      const o = observed.get(d.metadata.name);
      return !o || !covers(o.spec, d.spec) || !covers(o.labels, d.metadata.labels);
    }),
    prune: owned.filter((o) => !wanted.has(o.name)).map((o) => o.name).sort(),
    status: !sameStatus(newStatus, oldStatus),
  };
}
