// Upstream's CRDs (shared/schemas), as data for compatibility tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SHARED } from './reference.js';

export type OpenApi = {
  type?: string;
  properties?: Record<string, OpenApi>;
  additionalProperties?: OpenApi | boolean;
  items?: OpenApi;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [key: string]: unknown;
};

export interface Crd {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; singular: string; listKind: string; shortNames?: string[] };
    versions: Array<{
      name: string;
      schema: { openAPIV3Schema: OpenApi };
      subresources?: Record<string, unknown>;
      additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string }>;
    }>;
  };
}

export const UPSTREAM_PLURALS = ['eventsources', 'eventbuses', 'clustereventbuses', 'triggers'] as const;

export function upstreamCrd(plural: string): Crd {
  return parse(readFileSync(join(SHARED, 'schemas', `events.openfunction.io_${plural}.yaml`), 'utf8')) as Crd;
}

/**
 * An instance that sets every field the schema declares (one entry per map, one item per list), or only the
 * required ones with `minimal`.
 */
export function instanceOf(schema: OpenApi, minimal = false): unknown {
  if (schema['x-kubernetes-preserve-unknown-fields'] && !schema.properties) return {};
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        if (!minimal || schema.required?.includes(key)) out[key] = instanceOf(child, minimal);
      }
      if (typeof schema.additionalProperties === 'object') out['sample-key'] = instanceOf(schema.additionalProperties, minimal);
      return out;
    }
    case 'array':
      return schema.items ? [instanceOf(schema.items, minimal)] : [];
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    default:
      return 'text';
  }
}

/** Every node of a schema with its path (`spec.kafka.*.brokers`, `spec.subscribers[].sink`). */
export function* nodes(schema: OpenApi, path = ''): Generator<[string, OpenApi]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* nodes(child, path ? `${path}.${key}` : key);
  if (typeof schema.additionalProperties === 'object') yield* nodes(schema.additionalProperties, `${path}.*`);
  if (schema.items) yield* nodes(schema.items, `${path}[]`);
}
