// The command line, callable in-process (tests) and from bin/main (users). Returns the exit code; never throws.
// One table of commands: each with its summary, help, options and action, so that --help, the top-level usage and
// shell completion all come from the same place.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { completion, completionHelp, type CommandSpec } from './completion.js';
import { controller, controllerHelp } from './controller.js';
import { dev, devHelp } from './dev/command.js';
import { graph, graphHelp } from './graph.js';
import { UsageError, type Cli } from './output.js';
import { render, renderHelp } from './render.js';
import { replay, replayHelp } from './replay.js';
import { send, sendHelp } from './send.js';
import { simulate, simulateHelp } from './simulate.js';
import { status, statusHelp } from './status.js';
import { validate, validateHelp } from './validate.js';

export type { Cli };

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command extends CommandSpec {
  help: string;
  run(values: Values, cli: Cli): number | Promise<number>;
}

const file = { type: 'string', short: 'f', multiple: true } as const;
const needFiles = (name: string, values: Values): string[] => {
  const files = values.file as string[] | undefined;
  if (!files?.length) throw new UsageError(`${name} needs at least one -f <file or dir>`);
  return files;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const COMMANDS: Command[] = [
  {
    name: 'dev', summary: 'run the resources on this machine: real brokers or in memory', help: devHelp,
    options: { file, bus: { type: 'string' }, sink: { type: 'string', multiple: true }, for: { type: 'string' }, runtime: { type: 'string' }, daprd: { type: 'string' }, node: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } },
    run: (v, cli) =>
      dev(needFiles('dev', v), {
        ...(str(v.bus) ? { bus: str(v.bus)! } : {}), sinks: (v.sink as string[] | undefined) ?? [], ...(str(v.for) ? { for: str(v.for)! } : {}),
        ...(str(v.runtime) ? { runtime: str(v.runtime)! } : {}), ...(str(v.daprd) ? { daprd: str(v.daprd)! } : {}), ...(str(v.node) ? { node: str(v.node)! } : {}),
        ...(process.stderr.isTTY ? { terminal: process.stderr } : {}), ...(v.verbose ? { verbose: true } : {}),
      }, cli),
  },
  {
    name: 'graph', summary: 'draw the topology as Mermaid or DOT', help: graphHelp,
    options: { file, format: { type: 'string' } },
    run: (v, cli) => graph(needFiles('graph', v), str(v.format) ?? 'mermaid', cli),
  },
  {
    name: 'validate', summary: 'check resources against their schemas and each other', help: validateHelp,
    options: { file, namespace: { type: 'string', short: 'n' }, strict: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
    run: (v, cli) => validate(needFiles('validate', v), str(v.namespace), cli, { ...(v.strict ? { strict: true } : {}), ...(str(v.output) ? { output: str(v.output)! } : {}), ...(cli.stdin ? { stdin: cli.stdin } : {}) }),
  },
  {
    name: 'simulate', summary: "run a timeline of events through a Trigger's conditions on a virtual clock", help: simulateHelp,
    options: { file, events: { type: 'string', short: 'e' }, trigger: { type: 'string', short: 't' }, json: { type: 'boolean' } },
    run: (v, cli) => {
      const files = needFiles('simulate', v);
      if (!str(v.events)) throw new UsageError('simulate needs --events <timeline.jsonl>');
      return simulate(files, str(v.events)!, str(v.trigger), v.json === true, cli);
    },
  },
  {
    name: 'render', summary: 'print the OpenFunction Functions the controller would create', help: renderHelp,
    options: { file, namespace: { type: 'string', short: 'n' }, output: { type: 'string', short: 'o' }, 'images-from': { type: 'string' } },
    run: (v, cli) => render(needFiles('render', v), str(v.namespace), str(v.output) ?? 'yaml', cli, str(v['images-from'])),
  },
  {
    name: 'controller', summary: 'run the controller against a cluster from a kubeconfig', help: controllerHelp,
    options: { kubeconfig: { type: 'string' }, once: { type: 'boolean' }, configmap: { type: 'string' } },
    run: (v, cli) => controller({ ...(str(v.kubeconfig) ? { kubeconfig: str(v.kubeconfig)! } : {}), ...(v.once ? { once: true } : {}), ...(str(v.configmap) ? { configmap: str(v.configmap)! } : {}) }, cli),
  },
  {
    name: 'status', summary: 'show what runs in a cluster: state, Functions, reasons, and what flowed', help: statusHelp,
    options: { namespace: { type: 'string', short: 'n' }, 'all-namespaces': { type: 'boolean', short: 'A' }, output: { type: 'string', short: 'o' }, kubeconfig: { type: 'string' } },
    run: (v, cli) => status({ ...(str(v.namespace) ? { namespace: str(v.namespace)! } : {}), ...(v['all-namespaces'] ? { all: true } : {}), ...(str(v.output) ? { output: str(v.output)! } : {}), ...(str(v.kubeconfig) ? { kubeconfig: str(v.kubeconfig)! } : {}) }, cli),
  },
  {
    name: 'send', summary: "publish a test CloudEvent to an EventSource's topic or a bus topic", help: sendHelp,
    options: { file, namespace: { type: 'string', short: 'n' }, 'event-source': { type: 'string' }, event: { type: 'string' }, topic: { type: 'string' }, bus: { type: 'string' }, dapr: { type: 'string' }, pubsub: { type: 'string' }, data: { type: 'string' }, type: { type: 'string' }, source: { type: 'string' }, subject: { type: 'string' }, id: { type: 'string' } },
    run: (v, cli) => {
      const pick = (...names: string[]) => Object.fromEntries(names.flatMap((n) => (str(v[n]) ? [[n.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), str(v[n])!]] : [])));
      return send({ ...(v.file ? { files: v.file as string[] } : {}), ...pick('namespace', 'event-source', 'event', 'topic', 'bus', 'dapr', 'pubsub', 'data', 'type', 'source', 'subject', 'id'), ...(cli.stdin ? { stdin: cli.stdin } : {}) }, cli);
    },
  },
  {
    name: 'replay', summary: "re-deliver a Trigger's dead letters to their sinks or topics", help: replayHelp,
    options: { file, trigger: { type: 'string', short: 't' }, from: { type: 'string' }, namespace: { type: 'string', short: 'n' }, bus: { type: 'string' }, sink: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' }, idle: { type: 'string' } },
    run: (v, cli) => {
      const files = needFiles('replay', v);
      if (!str(v.trigger) || !str(v.from)) throw new UsageError('replay needs --trigger <name> and --from <dead-letter topic>');
      return replay({ files, trigger: str(v.trigger)!, from: str(v.from)!, ...(str(v.namespace) ? { namespace: str(v.namespace)! } : {}), ...(str(v.bus) ? { bus: str(v.bus)! } : {}), sinks: (v.sink as string[] | undefined) ?? [], dryRun: v['dry-run'] === true, ...(str(v.idle) ? { idle: str(v.idle)! } : {}) }, cli);
    },
  },
  {
    name: 'completion', summary: 'print a shell completion script (bash, zsh or fish)', help: completionHelp,
    options: {},
    positionals: ['bash', 'zsh', 'fish'],
    run: (v, cli) => completion(str((v._ as string[] | undefined)?.[0]), COMMANDS, cli),
  },
];

const HELP = `Usage: ofn-events <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(11)}${c.summary}`).join('\n')}

Options: -h, --help (also after a command), --version.
Run 'ofn-events <command> --help' for a command's options and an example.`;

/** The package's version, from its package.json (one directory up from the sources, two from dist/). */
export function version(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'openfunction-events' && pkg.version) return pkg.version;
    } catch {
      // not there: try the next
    }
  }
  return 'unknown';
}

export async function run(argv: readonly string[], cli: Cli): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) return help(cli, HELP, 2);
    if (name === '-h' || name === '--help' || name === 'help') return help(cli, HELP, 0);
    if (name === '--version' || name === '-v' || name === 'version') {
      cli.out(`ofn-events ${version()}`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const options: Options = { ...command.options, help: { type: 'boolean', short: 'h' } };
    const { values, positionals } = parseArgs({ args: [...rest], options, strict: true, allowPositionals: command.positionals !== undefined });
    if (values.help) return help(cli, command.help, 0);
    return await command.run({ ...(values as Values), _: positionals }, cli);
  } catch (e) {
    if (e instanceof UsageError || isArgError(e)) {
      cli.err(`ofn-events: ${(e as Error).message}`);
      cli.err("Run 'ofn-events --help' for usage.");
      return 2;
    }
    cli.err(`ofn-events: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return 3;
  }
}

function help(cli: Cli, text: string, code: number): number {
  (code === 0 ? cli.out : cli.err)(text);
  return code;
}

/** parseArgs rejects unknown or malformed options with an error whose code starts with ERR_PARSE_ARGS. */
function isArgError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
