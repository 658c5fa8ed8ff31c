#!/usr/bin/env node
// ofn-events: the entry point users run.
import { run } from './cli.js';

const code = await run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
// Exit now: a command that failed half way may have left clients open, and nothing more is to come.
process.exit(code);
