// Compiling a condition once into a closure over a snapshot of the Trigger's inputs (never parse per event:
// upstream compiled CEL on every evaluation, upstream-behaviour §9.2). Evaluation is total: it never throws, and a
// missing field equals nothing. Pure.
import type { Event } from '../cloudevents.js';
import type { Condition, Value } from './ast.js';

/** What a condition sees: per input (by index), whether it is active and its latest event. */
export interface Snapshot {
  active: readonly boolean[];
  events: ReadonlyArray<Event | undefined>;
}

export type Evaluator = (s: Snapshot) => boolean;

type Getter = (s: Snapshot) => unknown;

function getter(v: Value, slot: (input: string) => number): Getter {
  switch (v.kind) {
    case 'const': {
      const value = v.value;
      return () => value;
    }
    case 'active': {
      const i = slot(v.input);
      return (s) => s.active[i] === true;
    }
    case 'path': {
      const i = slot(v.input);
      const keys = v.path;
      return (s) => {
        let current: unknown = s.events[i];
        for (let k = 0; k < keys.length; k++) {
          if (current === null || typeof current !== 'object') return undefined;
          current = (current as Record<string, unknown>)[keys[k]!];
        }
        return current;
      };
    }
  }
}

const ordered = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

/** `slot` maps an input name to its index in the snapshot. */
export function compile(c: Condition, slot: (input: string) => number): Evaluator {
  switch (c.kind) {
    case 'const':
    case 'active':
      // The same closures as the values: a boolean constant, or whether the input is active.
      return getter(c, slot) as Evaluator;
    case 'not': {
      const arg = compile(c.arg, slot);
      return (s) => !arg(s);
    }
    case 'and': {
      const [l, r] = [compile(c.left, slot), compile(c.right, slot)];
      return (s) => l(s) && r(s);
    }
    case 'or': {
      const [l, r] = [compile(c.left, slot), compile(c.right, slot)];
      return (s) => l(s) || r(s);
    }
    case 'true-path': {
      const get = getter(c.value, slot);
      return (s) => get(s) === true;
    }
    case 'compare': {
      const [l, r] = [getter(c.left, slot), getter(c.right, slot)];
      switch (c.op) {
        // A missing field (undefined) equals nothing, so `!=` holds for it.
        case '==':
          return (s) => {
            const a = l(s);
            return a !== undefined && a === r(s);
          };
        case '!=':
          return (s) => {
            const a = l(s);
            const b = r(s);
            return a === undefined || b === undefined || a !== b;
          };
        case '<':
          return (s) => {
            const a = l(s), b = r(s);
            return ordered(a, b) && (a as number) < (b as number);
          };
        case '<=':
          return (s) => {
            const a = l(s), b = r(s);
            return ordered(a, b) && (a as number) <= (b as number);
          };
        case '>':
          return (s) => {
            const a = l(s), b = r(s);
            return ordered(a, b) && (a as number) > (b as number);
          };
        case '>=':
          return (s) => {
            const a = l(s), b = r(s);
            return ordered(a, b) && (a as number) >= (b as number);
          };
      }
    }
  }
}
