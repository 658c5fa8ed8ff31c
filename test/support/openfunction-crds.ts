// OpenFunction's Function CRD as its install has it (the DynamicValue patch makes Dapr metadata values any JSON:
// shared/schemas/SOURCES.md) and Dapr's Component CRD, installed into a test control plane.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';

const SHARED = join('..', 'shared', 'schemas');

/** The Function CRD with kustomize's JSON6902 patch applied, as YAML. */
export function functionCrdAsInstalled(): string {
  const crd = parseAllDocuments(readFileSync(join(SHARED, 'core.openfunction.io_functions.yaml'), 'utf8')).map((d) => d.toJS()).find(Boolean) as Record<string, unknown>;
  for (const op of parse(readFileSync(join(SHARED, 'dynamicvalue_in_functions.yaml'), 'utf8')) as Array<{ path: string; value: unknown }>) {
    const keys = op.path.split('/').slice(1);
    let node = crd;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[keys.at(-1)!] = op.value;
  }
  return stringify(crd);
}

export const DAPR_COMPONENT_CRD = join(SHARED, 'dapr_charts_dapr_crds_components.yaml');

/** Polls until each CRD is Established (kubectl wait fails on a CRD whose conditions are not written yet). */
export async function established(kubectl: (args: string[]) => Promise<string>, ...crds: string[]): Promise<void> {
  for (const crd of crds) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = await kubectl(['get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']).catch(() => '');
      if (state === 'True') break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd} not established within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
