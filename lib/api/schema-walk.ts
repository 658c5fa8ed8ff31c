// Walks a zod schema alongside a data path, to tell record keys from fields (for `spec.kafka["x"].brokers`) and
// to list the fields an object knows (for "did you mean" hints). Reads zod's public `_zod.def`. Pure.
import type { z } from 'zod';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Strips wrappers that do not change the shape (optional, nullable, default, pipe input). */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      current = def.in;
    } else {
      return current;
    }
  }
}

export type Segment = { key: PropertyKey; kind: 'field' | 'entry' | 'index' };

/** The schema one step down, and what kind of step it was. Unions take the first option that has the step. */
export function step(schema: z.ZodType | undefined, key: PropertyKey): { schema?: z.ZodType; kind: Segment['kind'] } {
  if (!schema) return { kind: typeof key === 'number' ? 'index' : 'field' };
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case 'object': {
      const child = def.shape?.[String(key)];
      return child ? { schema: child, kind: 'field' } : { kind: 'field' };
    }
    case 'record':
      return def.valueType ? { schema: def.valueType, kind: 'entry' } : { kind: 'entry' };
    case 'array':
      return def.element ? { schema: def.element, kind: 'index' } : { kind: 'index' };
    case 'union':
      for (const option of def.options ?? []) {
        const next = step(option, key);
        if (next.schema) return next;
      }
      return { kind: typeof key === 'number' ? 'index' : 'field' };
    default:
      return { kind: typeof key === 'number' ? 'index' : 'field' };
  }
}

/** The fields an object schema declares (after unwrapping), or [] when it is not an object. */
export function fieldsOf(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const def = defOf(unwrap(schema));
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'union') return [...new Set((def.options ?? []).flatMap(fieldsOf))];
  return [];
}

/** The schema at a path, if the path stays inside it. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const key of path) current = step(current, key).schema;
  return current;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `spec.kafka["sample-one"].brokers`, `spec.subscribers[0].sink.uri`: record keys quoted, array indices bare. */
export function formatPath(root: z.ZodType | undefined, path: readonly PropertyKey[]): string {
  let out = '';
  let current = root;
  for (const key of path) {
    const next = step(current, key);
    current = next.schema;
    if (next.kind === 'index' || typeof key === 'number') out += `[${String(key)}]`;
    else if (next.kind === 'entry' || !IDENTIFIER.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
