// `npm run bench -- <name> [args]` runs bench/<name> (its index.js after the build). Every benchmark prints a
// readable table and ends with one JSON line of its figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [name, ...args] = process.argv.slice(2);
const available = existsSync('bench') ? readdirSync('bench', { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'support').map((d) => d.name) : [];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]; benchmarks: ${available.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, [join('dist', 'bench', name, 'index.js'), ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
