// The checked-in CRDs are what the schemas generate, and structural (what an API server accepts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCrdFiles, toStructural } from '../../../lib/api/index.js';
import { nodes, type OpenApi } from '../../support/upstream-crds.js';

const files = renderCrdFiles();

describe('CRDs', () => {
  test('there is one per kind', () => {
    expect(files.map((f) => f.file).sort()).toEqual([
      'events.openfunction.io_clustereventbuses.yaml',
      'events.openfunction.io_eventbuses.yaml',
      'events.openfunction.io_eventsources.yaml',
      'events.openfunction.io_triggers.yaml',
    ]);
  });

  test.each(files)('$file is checked in as generated (run `npm run gen:crds` after changing lib/api)', ({ file, text }) => {
    expect(readFileSync(join('manifests', 'crds', file), 'utf8')).toBe(text);
  });

  test.each(files)('$file is a structural schema', ({ text }) => {
    const crd = parse(text) as { spec: { versions: Array<{ schema: { openAPIV3Schema: OpenApi } }> } };
    const violations: string[] = [];
    for (const [path, node] of nodes(crd.spec.versions[0]!.schema.openAPIV3Schema)) {
      const where = path || '(root)';
      const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
      if (!node.type && !preserve) violations.push(`${where}: no type`);
      if (node.additionalProperties === false) violations.push(`${where}: additionalProperties: false`);
      if (node.additionalProperties !== undefined && node.properties) violations.push(`${where}: additionalProperties beside properties`);
      for (const forbidden of ['patternProperties', 'anyOf', 'oneOf', 'allOf', 'not', '$ref', 'definitions', '$defs', 'propertyNames']) {
        if (node[forbidden] !== undefined) violations.push(`${where}: ${forbidden}`);
      }
    }
    expect(violations).toEqual([]);
  });

  test.each(files)('$file describes every spec field for kubectl explain', ({ text }) => {
    const crd = parse(text) as { spec: { versions: Array<{ schema: { openAPIV3Schema: OpenApi } }> } };
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
    const undescribed = [...nodes(spec, 'spec')].filter(([path, node]) => !node.description && !path.endsWith('.*') && !path.endsWith('[]')).map(([p]) => p);
    expect(undescribed).toEqual([]);
  });
});

describe('toStructural', () => {
  test('drops what an API server rejects and keeps the rest', () => {
    expect(
      toStructural({
        $schema: 'x',
        type: 'object',
        properties: {
          n: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, format: 'int64' },
          secret: { anyOf: [{ type: 'string' }, { type: 'object' }], description: 'd', 'x-kubernetes-preserve-unknown-fields': true },
          opaque: { type: 'object', additionalProperties: {}, 'x-kubernetes-preserve-unknown-fields': true },
          map: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } }, required: [], additionalProperties: false } },
        },
        required: [],
        additionalProperties: false,
      }),
    ).toEqual({
      type: 'object',
      properties: {
        n: { type: 'integer', format: 'int64' },
        secret: { description: 'd', 'x-kubernetes-preserve-unknown-fields': true },
        opaque: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        map: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    });
  });
});
