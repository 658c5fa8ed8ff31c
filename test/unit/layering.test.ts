// The layering rules of DESIGN §2 are enforced by ESLint (eslint.config.js); these cases prove the rules bite.
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleHits(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('no-restricted')).map((m) => `${m.ruleId}: ${m.message.split(' (')[0]}`);
}

describe('layering - pure modules import no I/O', () => {
  test.each([
    ['lib/api/example.ts', "import { request } from 'node:http';\nexport const r = request;\n"],
    ['lib/naming.ts', "import { connect } from '@nats-io/transport-node';\nexport const c = connect;\n"],
    ['lib/condition/example.ts', "import { DaprClient } from '@dapr/dapr';\nexport const d = DaprClient;\n"],
    ['functions/controller/plan.ts', "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;\n"],
    ['functions/trigger-handler/state.ts', "import { serve } from '../../lib/host/server.js';\nexport const s = serve;\n"],
  ])('%s may not import I/O', async (file, code) => {
    expect(await ruleHits(file, code)).toEqual([expect.stringMatching(/^no-restricted-imports: .*pure module: (no I\/O here|may import only other pure modules)/)]);
  });

  test.each([
    ['lib/api/example.ts', 'export const env = process.env.HOME;\n', 'pure module: no process.env or process I/O'],
    ['lib/delivery.ts', 'export const f = () => fetch("http://x");\n', 'pure module: no I/O here'],
    ['functions/trigger-handler/state.ts', 'export const t = setTimeout(() => 0, 1);\n', 'pure module: inject the clock'],
  ])('%s may not use a global that does I/O or reads the clock', async (file, code, message) => {
    expect(await ruleHits(file, code)).toEqual([expect.stringContaining(message)]);
  });

  test('pure modules may import each other and zod', async () => {
    expect(await ruleHits('lib/api/example.ts', "import { z } from 'zod';\nimport { busTopic } from '../naming.js';\nexport const a = [z, busTopic];\n")).toEqual([]);
  });

  test('edges may do I/O', async () => {
    expect(await ruleHits('lib/host/server.ts', "import { createServer } from 'node:http';\nexport const s = createServer;\n")).toEqual([]);
  });
});

describe('layering - dependency direction', () => {
  test('lib never imports functions or cli', async () => {
    expect(await ruleHits('lib/host/server.ts', "import { x } from '../../functions/controller/index.js';\nexport const y = x;\n")).toEqual([
      expect.stringContaining('lib never imports functions or cli'),
    ]);
  });

  test('a function never imports another function', async () => {
    const hits = await ruleHits('functions/trigger-handler/index.ts', "import { x } from '../eventsource-handler/index.js';\nexport const y = x;\n");
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatch(/functions never import each other/);
  });

  test('a function may import its own files and lib', async () => {
    expect(await ruleHits('functions/trigger-handler/index.ts', "import { x } from './state.js';\nimport { busTopic } from '../../lib/naming.js';\nexport const y = [x, busTopic];\n")).toEqual([]);
  });
});
