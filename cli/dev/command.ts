// `ofn-events dev -f <files or dir> [--bus memory|nats://host:port] [--sink name=url|display] [--for duration]`:
// validates the set, then runs it on this machine (cli/dev/topology.ts), printing what it chose and why, every
// event that reaches the display, and a summary of what flowed where. SIGINT (Ctrl-C) drains and exits 0.
import { validateSet, formatProblem } from '../../lib/api/index.js';
import { parseDuration } from '../../lib/duration.js';
import type { Logger } from '../../lib/function.js';
import type { Cli } from '../cli.js';
import { loadDocuments, UsageError } from '../load.js';
import { startTopology, type Counters } from './topology.js';
import { LiveView, type Terminal } from './view.js';

export const devHelp = `Usage: ofn-events dev -f <file or dir> [-f …] [--bus memory|nats://host:port] [--sink name=url] [--for <duration>]

Runs every EventSource event and every Trigger of the files on this machine with the same handlers as in a
cluster: real brokers where the resources point at reachable ones, otherwise (or with --bus memory) an in-memory
bus. Sinks given as a URI receive binary-mode CloudEvents over HTTP; a sink given as a ref maps through
--sink <ref name>=<url> or is printed to the console. --for stops after a duration; Ctrl-C drains and exits.`;

function summary(c: Counters): string[] {
  const keys = [...new Set([...c.in.keys(), ...c.out.keys(), ...c.failed.keys()])].sort();
  return keys.map((k) => `  ${k}: ${c.in.get(k) ? `${c.in.get(k)} in` : ''}${c.out.get(k) ? `${c.out.get(k)} delivered` : ''}${c.failed.get(k) ? `, ${c.failed.get(k)} failed attempts` : ''}`);
}

/**
 * `terminal`: where the live view is drawn (the CLI passes stderr when it is a TTY); without one, dev prints plain
 * lines and its closing summary only.
 */
export async function dev(
  files: string[],
  options: { bus?: string; sinks: string[]; for?: string; terminal?: Terminal },
  cli: Cli,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  if (options.bus && options.bus !== 'memory' && !/^nats:\/\//.test(options.bus)) throw new UsageError(`--bus: expected memory or nats://host:port, got "${options.bus}"`);
  const sinks = new Map<string, string>();
  for (const s of options.sinks) {
    const [name, url] = s.split(/=(.*)/s);
    if (!name || !url) throw new UsageError(`--sink: expected <ref name>=<url> or <ref name>=display, got "${s}"`);
    sinks.set(name, url);
  }
  const forMs = options.for === undefined ? undefined : parseDuration(options.for);
  if (options.for !== undefined && forMs === undefined) throw new UsageError(`--for: expected a duration such as 30s, got "${options.for}"`);

  const report = validateSet(loadDocuments(files));
  for (const f of report.findings) cli.err(`${f.file}:${f.index} ${f.resource}: ${formatProblem(f)}`);
  if (report.findings.some((f) => f.severity === 'error')) return 1;

  // Everything printed while running goes above the live view, when there is one.
  let view: LiveView | undefined;
  const say: Cli = {
    out: (line) => (view ? view.above(() => cli.out(line)) : cli.out(line)),
    err: (line) => (view ? view.above(() => cli.err(line)) : cli.err(line)),
  };
  const log: Logger = {
    debugEnabled: false,
    debug: () => {},
    info: () => {},
    warn: (fields, message) => say.err(`warning: ${message}${'reason' in fields ? `: ${String((fields as { reason: unknown }).reason)}` : ''}`),
    error: (fields, message) => say.err(`error: ${message}${'reason' in fields ? `: ${String((fields as { reason: unknown }).reason)}` : ''}`),
  };
  let topology;
  try {
    topology = await startTopology(report.resources.map((r) => r.resource), { ...(options.bus ? { bus: options.bus } : {}), sinks, display: (text) => say.out(text), log });
  } catch (e) {
    cli.err(`error: cannot start: ${(e as Error).message}`);
    return 1;
  }
  for (const note of topology.notes) cli.err(note);
  cli.err(`running ${report.resources.length} resources${forMs ? ` for ${options.for}` : ''}; Ctrl-C to stop`);

  // On a terminal, the live view, redrawn every second; in a log, only the totals at the end.
  if (options.terminal) {
    view = new LiveView(options.terminal, topology.counters, Date.now);
    view.redraw();
  }
  const live = view ? setInterval(() => view?.redraw(), 1000) : undefined;
  await new Promise<void>((resolve) => {
    const timer = forMs === undefined ? undefined : setTimeout(resolve, forMs);
    signals.once('SIGINT', () => {
      if (timer) clearTimeout(timer);
      resolve();
    });
  });
  if (live) clearInterval(live);
  view?.close();
  view = undefined;
  cli.err('draining…');
  await topology.stop();
  cli.err('what flowed:');
  for (const line of summary(topology.counters)) cli.err(line);
  return 0;
}
