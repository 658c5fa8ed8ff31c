// dev's closing summary, also what `ofn-events status` prints of a resource's flow. Pure.
import type { Counters } from '../../runtime/counters.js';

/**
 * What flowed. An event handed to a bus topic is "published": it is on the bus, not yet delivered to anyone (a
 * reader may still be behind, or the broker may lose it); only a sink's acceptance is "delivered".
 */
export function summary(c: Counters, waiting: ReadonlyMap<string, string> = new Map()): string[] {
  const keys = [...new Set([...c.in.keys(), ...c.out.keys(), ...c.failed.keys()])].sort();
  const verb = (k: string) => (/ → (bus|topic )/.test(k) ? 'published' : 'delivered');
  const lines = keys.map((k) => {
    const parts = [
      c.in.get(k) ? `${c.in.get(k)} in${c.redelivered.get(k) ? ` (${c.redelivered.get(k)} of them redelivered)` : ''}` : '',
      c.out.get(k) ? `${c.out.get(k)} ${verb(k)}` : '',
      c.failed.get(k) ? `${c.failed.get(k)} failed attempts` : '',
      c.undelivered.get(k) ? `${c.undelivered.get(k)} NOT DELIVERED` : '',
    ].filter(Boolean);
    return `  ${k}: ${parts.join(', ')}`;
  });
  for (const [key, reason] of waiting) lines.push(`  ${key}: NEVER RAN: ${reason}`);
  return lines;
}

/** What the run lost: events never delivered nor dead-lettered, and resources that never ran. */
export const lostAnything = (c: Counters, waiting: ReadonlyMap<string, string>): boolean => waiting.size > 0 || [...c.undelivered.values()].some((n) => n > 0);
