#!/usr/bin/env node
// ofn-events: the entry point users run.
import { run } from './cli.js';

const code = await run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
