// How a handler package starts: the bundle `npm run package` builds (build/functions/<name>/index.mjs, what the
// images and builder-node run) when it exists, else the compiled sources (dist/functions/<name>/main.js).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../peers.js';
import type { PackageCommand } from './sidecar.js';

export type Handler = 'eventsource-handler' | 'trigger-handler';

export function packageCommand(handler: Handler, node: string = process.execPath): PackageCommand {
  const bundle = join(PROJECT_ROOT, 'build', 'functions', handler);
  if (existsSync(join(bundle, 'index.mjs'))) return { command: node, args: ['index.mjs'], cwd: bundle };
  const compiled = join(PROJECT_ROOT, 'dist', 'functions', handler, 'main.js');
  if (existsSync(compiled)) return { command: node, args: [compiled] };
  throw new Error(`no ${handler} package: run \`npm run build\` and \`npm run package\` first`);
}
