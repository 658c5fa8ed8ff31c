// `npm run package`: one self-contained directory per function under build/functions/<name>/ — a package.json with
// no dependencies, a single bundled entry (index.js, esbuild) that needs no node_modules, and a Procfile that starts
// our host (so OpenFunction's builder-node runs it instead of injecting its own framework).
// The bundles need Node 20 or later (undici 7 and the Kubernetes client do): builder-node's runtime is Node 16, so
// the Dockerfiles are the supported build (docs/cluster.md says so).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const FUNCTIONS = ['eventsource-handler', 'trigger-handler', 'controller'];
const version = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('package.json', 'utf8'))).version;

for (const name of FUNCTIONS) {
  const out = join('build', 'functions', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join('functions', name, 'main.ts')],
    outfile: join(out, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: false,
    sourcemap: false,
    legalComments: 'linked',
    // Bundled CommonJS dependencies call require(); give the ES module one.
    banner: { js: "import { createRequire as __ofnCreateRequire } from 'node:module'; const require = __ofnCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: `openfunction-events-${name}`, version, private: true, main: 'index.mjs', engines: { node: '>=20' }, scripts: { start: 'node index.mjs' } }, null, 2)}\n`);
  writeFileSync(join(out, 'Procfile'), 'web: node index.mjs\n');
  console.log(`packaged build/functions/${name}`);
}
