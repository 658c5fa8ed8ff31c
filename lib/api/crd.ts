// CRDs generated from the zod schemas (research/aesthetics lesson 4): zod's JSON Schema, rewritten into a
// Kubernetes structural schema. Pure: `npm run gen:crds` writes the result to manifests/crds/.
import { stringify } from 'yaml';
import { z } from 'zod';
import { API_GROUP, API_VERSION } from './common.js';
import { KINDS, type KindInfo } from './kinds.js';

type Schema = Record<string, unknown>;

const SAFE_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * Rewrites a JSON Schema node into what a Kubernetes API server accepts as structural:
 * - no `additionalProperties: false` beside `properties` (kubernetes/kubernetes#94593: strictness is ours, in zod);
 * - `x-kubernetes-preserve-unknown-fields` nodes (credentials that are a string or a secretKeyRef, opaque objects)
 *   carry no type-bearing `anyOf` and no `additionalProperties`;
 * - no JavaScript-only integer bounds; no empty `required`.
 */
export function toStructural(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'id' || key === 'examples') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if ((key === 'minimum' && value === -SAFE_BOUND) || (key === 'maximum' && value === SAFE_BOUND)) continue;
    if (key === 'required' && Array.isArray(value) && value.length === 0) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toStructural(v)]));
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object' && value !== null)) {
      out[key] = toStructural(value as Schema);
    } else {
      out[key] = value;
    }
  }
  if (out['x-kubernetes-preserve-unknown-fields'] === true) {
    delete out.anyOf;
    delete out.additionalProperties;
    // A credential is a string or an object: structurally it can only be left untyped.
    if (node.anyOf !== undefined) delete out.type;
    else out.type = 'object';
  }
  return out;
}

function schemaFor(info: KindInfo): Schema {
  const json = z.toJSONSchema(info.schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Schema;
  const root = toStructural(json);
  const properties = root.properties as Record<string, Schema>;
  // The API server owns apiVersion, kind and metadata; a CRD declares them only loosely.
  properties.apiVersion = { type: 'string', description: 'APIVersion of this object: events.openfunction.io/v1alpha1.' };
  properties.kind = { type: 'string', description: `Kind of this object: ${info.kind}.` };
  properties.metadata = { type: 'object' };
  // As upstream, the root requires nothing: a missing spec is reported by validation and status, not by kubectl.
  delete root.required;
  return root;
}

export function renderCrd(info: KindInfo): Schema {
  const version: Schema = {
    name: API_VERSION,
    served: true,
    storage: true,
    schema: { openAPIV3Schema: schemaFor(info) },
    subresources: { status: {} },
  };
  if (info.printerColumns.length > 0) version.additionalPrinterColumns = info.printerColumns;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${info.plural}.${API_GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'openfunction-events' },
    },
    spec: {
      group: API_GROUP,
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        ...(info.shortNames.length > 0 ? { shortNames: info.shortNames } : {}),
      },
      scope: info.scope,
      versions: [version],
    },
  };
}

/** File name → CRD object, for every kind; names as upstream's `config/crd/bases`. */
export function renderCrds(): Array<{ file: string; crd: Schema }> {
  return KINDS.map((info) => ({ file: `${API_GROUP}_${info.plural}.yaml`, crd: renderCrd(info) }));
}

const HEADER = '# Generated from lib/api by `npm run gen:crds`. Do not edit: change the zod schemas and regenerate.\n';

/** The checked-in text of every CRD file: stable key order (the schemas'), no line folding. */
export function renderCrdFiles(): Array<{ file: string; text: string }> {
  return renderCrds().map(({ file, crd }) => ({ file, text: HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }) }));
}
