// Golden files for everything `ofn-events render` (= the controller's plan) generates: every upstream sample and one
// case per feature, compared byte for byte (`UPDATE_GOLDEN=1 npm test` rewrites them). Every generated Function is
// validated against OpenFunction's Function CRD (v1beta2, with its DynamicValue patch applied, as installed) and
// every component spec against Dapr's Component CRD.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';
import { SHARED } from '../support/reference.js';

const cases = [
  ...readdirSync('manifests/samples/upstream').map((f) => join('manifests/samples/upstream', f)),
  ...readdirSync('test/golden/cases').map((f) => join('test/golden/cases', f)),
].filter((f) => f.endsWith('.yaml'));

type Schema = Record<string, unknown>;
const crd = (file: string) => parseAllDocuments(readFileSync(join(SHARED, 'schemas', file), 'utf8')).map((d) => d.toJS() as Schema).find(Boolean)!;

/** The Function CRD as a cluster has it: kustomize's JSON6902 patch makes metadata values any JSON (SOURCES.md). */
function functionSchema(): Schema {
  const base = crd('core.openfunction.io_functions.yaml') as { spec: { versions: Array<{ name: string }> } };
  const patch = parse(readFileSync(join(SHARED, 'schemas', 'dynamicvalue_in_functions.yaml'), 'utf8')) as Array<{ op: string; path: string; value: unknown }>;
  for (const op of patch) {
    const keys = op.path.split('/').slice(1);
    let node = base as unknown as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    if (op.value === '') delete node[keys.at(-1)!]; // type "" = any JSON value
    else node[keys.at(-1)!] = op.value;
  }
  return (base.spec.versions.find((v) => v.name === 'v1beta2') as unknown as { schema: { openAPIV3Schema: Schema } }).schema.openAPIV3Schema;
}

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const validateFunction = ajv.compile(functionSchema());
const componentSpec = ((crd('dapr_charts_dapr_crds_components.yaml') as { spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: Schema } } } }> } }).spec.versions[0]!.schema.openAPIV3Schema.properties.spec);
const validateComponent = ajv.compile(componentSpec);

async function rendered(file: string) {
  const result = await runCli('render', '-f', file);
  const text = `# ofn-events render -f ${file}  (exit ${result.code})\n${result.err.map((l) => `# ${l}`).join('\n')}\n${result.out.join('\n')}\n`;
  return { result, text };
}

describe('golden - render', () => {
  test.each(cases)('%s renders as checked in', async (file) => {
    const { text } = await rendered(file);
    const golden = join('test/golden/expected', basename(file).replace(/\.yaml$/, '.out.yaml'));
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync('test/golden/expected', { recursive: true });
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  test.each(cases)('%s: every Function and component is valid against the real CRDs, names unique', async (file) => {
    const { result } = await rendered(file);
    type Rendered = { metadata: { name: string }; spec: { serving: { triggers: { dapr: Array<{ inputName: string }> }; outputs?: Array<{ dapr: { outputName: string } }>; bindings?: Record<string, Schema>; pubsub?: Record<string, Schema> } } };
    const functions = parseAllDocuments(result.out.join('\n')).map((d) => d.toJS() as Rendered | null).filter((f): f is Rendered => f !== null);
    for (const fn of functions) {
      expect([fn.metadata.name, validateFunction(fn) ? [] : validateFunction.errors]).toEqual([fn.metadata.name, []]);
      for (const [name, spec] of Object.entries({ ...fn.spec.serving.bindings, ...fn.spec.serving.pubsub })) {
        expect([name, validateComponent(spec) ? [] : validateComponent.errors]).toEqual([name, []]);
      }
      const inputs = fn.spec.serving.triggers.dapr.map((t) => t.inputName);
      const outputs = (fn.spec.serving.outputs ?? []).map((o) => o.dapr.outputName);
      expect(new Set(inputs).size).toBe(inputs.length);
      expect(new Set(outputs).size).toBe(outputs.length);
    }
  });

  test('the schema check can fail: a Function without an image is rejected', () => {
    expect(validateFunction({ apiVersion: 'core.openfunction.io/v1beta2', kind: 'Function', metadata: {}, spec: { serving: {} } })).toBe(false);
    expect(validateComponent({ type: 'bindings.http', version: 'v1', metadata: [{ value: 'x' }] })).toBe(false);
  });
});

describe('manifests', () => {
  const functionManifests = ['manifests/functions/controller.yaml', ...readdirSync('manifests/functions/build').map((f) => join('manifests/functions/build', f))];
  test.each(functionManifests)('%s validates against the Function CRD', (file) => {
    const fn = parse(readFileSync(file, 'utf8')) as unknown;
    expect(validateFunction(fn) ? [] : validateFunction.errors).toEqual([]);
  });

  test('the kustomize install set lists every install manifest, and each parses', () => {
    const kustomization = parse(readFileSync('manifests/kustomization.yaml', 'utf8')) as { resources: string[] };
    const expected = [
      ...readdirSync('manifests/crds').map((f) => `crds/${f}`),
      ...readdirSync('manifests/rbac').map((f) => `rbac/${f}`),
      ...readdirSync('manifests/config').map((f) => `config/${f}`),
      'functions/controller.yaml',
      ...readdirSync('manifests/switchover').map((f) => `switchover/${f}`),
    ];
    expect([...kustomization.resources].sort()).toEqual(expected.sort());
    for (const file of kustomization.resources) {
      const docs = parseAllDocuments(readFileSync(join('manifests', file), 'utf8'));
      expect(docs.every((d) => d.errors.length === 0 && typeof (d.toJS() as { kind?: unknown }).kind === 'string')).toBe(true);
    }
  });

  test.each(['eventsource-handler', 'trigger-handler', 'controller'])('functions/%s/Dockerfile packages its own bundle on Node 20', (name) => {
    const dockerfile = readFileSync(join('functions', name, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain('RUN npm run package');
    expect(dockerfile).toContain(`COPY --from=build /src/build/functions/${name}/ ./`);
  });
});
