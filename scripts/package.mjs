// `npm run package`: one self-contained directory per function under build/functions/<name>/, which the Dockerfiles
// ship and OpenFunction's builder-node (`pack build --builder openfunction/builder-node:v2-16.15`) builds as is:
// a package.json with no dependencies and its package-lock.json (builder-node runs `npm ci` with
// NODE_ENV=production and has no compile step), a single bundled entry (index.mjs, esbuild) that needs no
// node_modules and passes `node --check`, and a Procfile whose web process starts our host (so builder-node runs
// it instead of injecting its own functions framework). Nothing native: the run image is alpine (musl).
// The bundles run on Node 16.15, builder-node's runtime, and on Node 20 (test/integration/bundles.test.ts).
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
    // builder-node's Node exactly (engines says so too): for plain `node16` (16.0) esbuild rewrote private class
    // fields into WeakMaps, which cost the event source ~0.7 µs an event (lib/cloudevents.ts EventWithBytes).
    target: 'node16.15',
    minify: false,
    sourcemap: false,
    legalComments: 'linked',
    // Bundled CommonJS dependencies call require(); give the ES module one.
    banner: { js: "import { createRequire as __ofnCreateRequire } from 'node:module'; const require = __ofnCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const pkg = { name: `openfunction-events-${name}`, version, private: true, main: 'index.mjs', engines: { node: '>=16.15' }, scripts: { start: 'node index.mjs' } };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // What `npm install --package-lock-only` writes for a package without dependencies; npm ci refuses to run without it.
  const lock = { name: pkg.name, version, lockfileVersion: 3, requires: true, packages: { '': { name: pkg.name, version, engines: pkg.engines } } };
  writeFileSync(join(out, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  writeFileSync(join(out, 'Procfile'), 'web: node index.mjs\n');
  console.log(`packaged build/functions/${name}`);
}
