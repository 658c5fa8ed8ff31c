// Writes manifests/crds/ from the zod schemas. Run with `npm run gen:crds`; a unit test fails when the checked-in
// files differ from what this would write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from '../lib/api/index.js';

// Compiled to dist/scripts/: the project root is two levels up.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'manifests', 'crds');
mkdirSync(out, { recursive: true });
for (const { file, text } of renderCrdFiles()) {
  writeFileSync(join(out, file), text);
  console.log(`wrote manifests/crds/${file}`);
}
