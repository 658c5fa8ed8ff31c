#!/usr/bin/env node
// ofn-events: the entry point users run.
import { run } from './cli.js';
import { wantsColor } from './output.js';

const code = await run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  // Findings go to either stream: colour only when both are terminals, so a pipe or a log never gets escapes.
  color: wantsColor(process.stdout, process.env) && wantsColor(process.stderr, process.env),
});
// Exit now: a command that failed half way may have left clients open, and nothing more is to come. But first let
// stdout and stderr drain: into a pipe (`render … | kubectl apply -f -`) they are written asynchronously, and
// process.exit would cut the output at the pipe's buffer (64 KiB) while reporting success.
const drained = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => (stream.writableNeedDrain || stream.writableLength > 0 ? stream.write('', () => resolve()) : resolve()));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
