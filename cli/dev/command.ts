// `ofn-events dev -f <files or dir> [--bus memory|nats://host:port] [--sink name=url|display] [--for duration]`:
// validates the set, then runs it on this machine (runtime/local/topology.ts), printing what it chose and why, every
// event that reaches the display, and a summary of what flowed where. SIGINT (Ctrl-C) drains and exits 0.
import { validateSet } from '../../lib/api/index.js';
import { parseDuration } from '../../lib/duration.js';
import type { Logger } from '../../lib/function.js';
import { findingLine, type Cli } from '../output.js';
import { loadDocuments, UsageError } from '../load.js';
import { startDaprTopology } from '../../runtime/dapr/topology.js';
import { packageCommand } from '../../runtime/dapr/packages.js';
import { DAPRD_HELP, findDaprd } from '../../runtime/peers.js';
import { startTopology, type Counters } from '../../runtime/local/topology.js';
import { lostAnything, summary } from './summary.js';
import { LiveView, type Terminal } from './view.js';

export const devHelp = `Usage: ofn-events dev -f <file or dir> [-f …] [--bus memory|nats://host:port] [--sink name=url] [--for <duration>] [-v]
                      [--runtime local|dapr] [--daprd <path>] [--node <path>]

Runs every EventSource event and every Trigger of the files on this machine with the same handlers as in a
cluster: real brokers where the resources point at reachable ones, otherwise (or with --bus memory) an in-memory
bus. Sinks given as a URI receive binary-mode CloudEvents over HTTP; a sink given as a ref maps through
--sink <ref name>=<url> or is printed to the console. --for stops after a duration; Ctrl-C drains and exits.

Each failed delivery is shown once per output and reason (and again every 10 s with a count); a source whose
broker is unreachable is retried with backoff and shown as waiting. The closing summary says, per source event,
Trigger and output, what came in (and how much of it was redelivered), what was published or delivered, failed
attempts, and what was NOT DELIVERED (neither delivered nor dead-lettered) or NEVER RAN; then the exit status is 1.
--sink <name>=<url> maps a sink ref by name, or a sink uri (--sink http://svc.ns/=http://localhost:8080/); the value
display prints it instead. -v traces each Trigger's condition evaluation.

--runtime dapr runs the set as a cluster does: the Functions the controller renders, each as its package behind a
real daprd sidecar with the Function's Dapr components, named, scoped and wired as OpenFunction does, on the
brokers the files name (a loopback broker that is not running is started for the run). daprd comes from --daprd,
the peer cache (\`npm run peers\`) or a \`dapr init\` install; --node runs the packages on another Node (e.g. 16).

Example: ofn-events dev --runtime dapr -f manifests/samples/quickstart.yaml --for 30s`;


/**
 * `terminal`: where the live view is drawn (the CLI passes stderr when it is a TTY); without one, dev prints plain
 * lines and its closing summary only.
 */
export async function dev(
  files: string[],
  options: { bus?: string; sinks: string[]; for?: string; terminal?: Terminal; runtime?: string; daprd?: string; node?: string; verbose?: boolean },
  cli: Cli,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  const runtime = options.runtime ?? 'local';
  if (runtime !== 'local' && runtime !== 'dapr') throw new UsageError(`--runtime: expected local or dapr, got "${runtime}"`);
  if (runtime === 'dapr' && options.bus) throw new UsageError('--bus applies to the local runtime; under --runtime dapr the EventBus resources say where the bus is');
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
  for (const f of report.findings) cli.err(findingLine(cli, f));
  if (report.findings.some((f) => f.severity === 'error')) return 1;

  // Everything printed while running goes above the live view, when there is one.
  let view: LiveView | undefined;
  const say: Cli = {
    out: (line) => (view ? view.above(() => cli.out(line)) : cli.out(line)),
    err: (line) => (view ? view.above(() => cli.err(line)) : cli.err(line)),
  };
  const log: Logger = {
    debugEnabled: options.verbose === true,
    debug: (fields, message) => (options.verbose ? say.err(`trace: ${'function' in fields ? `${String((fields as { function: unknown }).function)}: ` : ''}${message}`) : undefined),
    info: () => {},
    warn: (fields, message) => say.err(`warning: ${message}${'reason' in fields ? `: ${String((fields as { reason: unknown }).reason)}` : ''}`),
    error: (fields, message) => say.err(`error: ${message}${'reason' in fields ? `: ${String((fields as { reason: unknown }).reason)}` : ''}`),
  };
  let topology: { notes: string[]; counters: Counters; waiting?(): Map<string, string>; refresh?(): Promise<void>; stop(): Promise<void> };
  try {
    const resources = report.resources.map((r) => r.resource);
    if (runtime === 'dapr') {
      const daprd = findDaprd(options.daprd);
      if (!daprd) throw new Error(options.daprd ? `--daprd: no file at ${options.daprd}` : DAPRD_HELP);
      topology = await startDaprTopology(resources, { daprd, sinks, display: (text) => say.out(text), packageCommand: (h) => packageCommand(h, options.node) });
      cli.err(`runtime: Dapr (${daprd}), one sidecar per Function`);
    } else {
      topology = await startTopology(resources, { ...(options.bus ? { bus: options.bus } : {}), sinks, display: (text) => say.out(text), log });
    }
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
  const live = view || topology.refresh ? setInterval(() => void (topology.refresh?.() ?? Promise.resolve()).then(() => view?.redraw()), 1000) : undefined;
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
  await topology.refresh?.();
  await topology.stop();
  cli.err('what flowed:');
  const waiting = topology.waiting?.() ?? new Map<string, string>();
  for (const line of summary(topology.counters, waiting)) cli.err(line);
  // Exit 1 when anything was lost or never ran: a scripted `dev --for` run (CI, a tutorial check) must not pass then.
  if (lostAnything(topology.counters, waiting)) {
    cli.err('some events were not delivered, or some resources never ran: exit 1');
    return 1;
  }
  return 0;
}
