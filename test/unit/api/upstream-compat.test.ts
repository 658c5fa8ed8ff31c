// Everything upstream's CRDs accept, ours accept: same names, scope and columns, every field at the same path with
// the same type and required set, and instances that use every field (or only the required ones) validate.
import { KINDS, parseResource, renderCrd } from '../../../lib/api/index.js';
import { instanceOf, nodes, upstreamCrd, UPSTREAM_PLURALS, type Crd, type OpenApi } from '../../support/upstream-crds.js';

const cases = UPSTREAM_PLURALS.map((plural) => {
  const info = KINDS.find((k) => k.plural === plural)!;
  return { plural, info, upstream: upstreamCrd(plural), ours: renderCrd(info) as unknown as Crd };
});

const specOf = (crd: Crd): OpenApi => crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;

describe.each(cases)('upstream compatibility - $plural', ({ info, upstream, ours }) => {
  test('group, names, scope and version are upstream\'s', () => {
    expect(ours.spec.group).toBe(upstream.spec.group);
    expect(ours.spec.scope).toBe(upstream.spec.scope);
    expect(ours.spec.names).toEqual(upstream.spec.names);
    expect(ours.spec.versions.map((v) => v.name)).toEqual(upstream.spec.versions.map((v) => v.name));
  });

  test('printer columns are upstream\'s, then Functions and Reason (STATUS reads the summary state: a documented divergence)', () => {
    const strip = (crd: Crd) => (crd.spec.versions[0]!.additionalPrinterColumns ?? []).map((c) => ({ name: c.name, type: c.type, jsonPath: c.name === 'Status' ? 'STATUS' : c.jsonPath }));
    const upstreamColumns = strip(upstream);
    const extra = upstreamColumns.length === 0 ? [] : [{ name: 'Functions', type: 'string', jsonPath: '.status.functions' }, { name: 'Reason', type: 'string', jsonPath: '.status.reason' }];
    expect(strip(ours)).toEqual([...upstreamColumns, ...extra]);
    const status = ours.spec.versions[0]!.additionalPrinterColumns?.find((c) => c.name === 'Status');
    if (status) expect(status.jsonPath).toBe('.status.state');
  });

  test('the status subresource is kept where upstream has it', () => {
    if (upstream.spec.versions[0]!.subresources?.status) expect(ours.spec.versions[0]!.subresources?.status).toEqual({});
  });

  test('every upstream field exists with the same type and required set', () => {
    const ourNodes = new Map(nodes(specOf(ours)));
    const opaque = [...ourNodes].filter(([, n]) => n['x-kubernetes-preserve-unknown-fields']).map(([p]) => p);
    const mismatches: string[] = [];
    for (const [path, theirs] of nodes(specOf(upstream))) {
      if (opaque.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`))) continue;
      const mine = ourNodes.get(path);
      if (!mine) {
        mismatches.push(`${path}: missing`);
        continue;
      }
      if (mine.type !== theirs.type) mismatches.push(`${path}: type ${String(mine.type)}, upstream ${String(theirs.type)}`);
      const want = [...(theirs.required ?? [])].sort();
      const have = [...(mine.required ?? [])].sort();
      if (want.join() !== have.join()) mismatches.push(`${path}: required [${have}], upstream [${want}]`);
    }
    expect(mismatches).toEqual([]);
  });

  test.each([
    ['every field set', false],
    ['only required fields set', true],
  ])('an instance with %s validates', (_name, minimal) => {
    const doc = {
      apiVersion: 'events.openfunction.io/v1alpha1',
      kind: info.kind,
      metadata: { name: 'sample' },
      spec: instanceOf(specOf(upstream), minimal),
    };
    const result = parseResource(doc);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  test('the walk can fail: a field upstream lacks is rejected', () => {
    const doc = { apiVersion: 'events.openfunction.io/v1alpha1', kind: info.kind, metadata: { name: 'x' }, spec: { ...(instanceOf(specOf(upstream), true) as object), notAField: true } };
    expect(parseResource(doc).ok).toBe(false);
  });
});
