// The command line, callable in-process (tests) and from bin/main (users). Returns the exit code; never throws.
import { parseArgs } from 'node:util';
import { UsageError } from './load.js';
import { controller, controllerHelp } from './controller.js';
import { dev, devHelp } from './dev/command.js';
import { graph } from './graph.js';
import { render, renderHelp } from './render.js';
import { simulate, simulateHelp } from './simulate.js';
import { validate, validateHelp } from './validate.js';

export interface Cli {
  out(line: string): void;
  err(line: string): void;
  /** What `-f -` reads (standard input when not given). */
  stdin?: () => string;
}

const HELP = `Usage: ofn-events <command> [options]

Commands:
  dev        run the resources on this machine: real brokers or in memory
  graph      draw the topology as Mermaid or DOT
  validate   check resources against their schemas and each other
  simulate   run a timeline of events through a Trigger's conditions on a virtual clock
  render     print the OpenFunction Functions the controller would create
  controller run the controller against a cluster from a kubeconfig

Run 'ofn-events <command> --help' for a command's options.`;

export async function run(argv: readonly string[], cli: Cli): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate': {
        const { values } = parseArgs({
          args: [...rest],
          options: { file: { type: 'string', short: 'f', multiple: true }, namespace: { type: 'string', short: 'n' }, strict: { type: 'boolean' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
          strict: true,
          allowPositionals: false,
        });
        if (values.help) return help(cli, validateHelp, 0);
        if (!values.file?.length) throw new UsageError('validate needs at least one -f <file or dir>');
        return validate(values.file, values.namespace, cli, { ...(values.strict ? { strict: true } : {}), ...(values.output ? { output: values.output } : {}), ...(cli.stdin ? { stdin: cli.stdin } : {}) });
      }
      case 'simulate': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            file: { type: 'string', short: 'f', multiple: true },
            events: { type: 'string', short: 'e' },
            trigger: { type: 'string', short: 't' },
            json: { type: 'boolean' },
            help: { type: 'boolean', short: 'h' },
          },
          strict: true,
          allowPositionals: false,
        });
        if (values.help) return help(cli, simulateHelp, 0);
        if (!values.file?.length) throw new UsageError('simulate needs at least one -f <file or dir>');
        if (!values.events) throw new UsageError('simulate needs --events <timeline.jsonl>');
        return simulate(values.file, values.events, values.trigger, values.json ?? false, cli);
      }
      case 'render': {
        const { values } = parseArgs({
          args: [...rest],
          options: { file: { type: 'string', short: 'f', multiple: true }, namespace: { type: 'string', short: 'n' }, output: { type: 'string', short: 'o' }, 'images-from': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
          strict: true,
          allowPositionals: false,
        });
        if (values.help) return help(cli, renderHelp, 0);
        if (!values.file?.length) throw new UsageError('render needs at least one -f <file or dir>');
        return render(values.file, values.namespace, values.output ?? 'yaml', cli, values['images-from']);
      }
      case 'dev': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            file: { type: 'string', short: 'f', multiple: true }, bus: { type: 'string' }, sink: { type: 'string', multiple: true }, for: { type: 'string' },
            runtime: { type: 'string' }, daprd: { type: 'string' }, node: { type: 'string' }, help: { type: 'boolean', short: 'h' },
          },
          strict: true,
          allowPositionals: false,
        });
        if (values.help) return help(cli, devHelp, 0);
        if (!values.file?.length) throw new UsageError('dev needs at least one -f <file or dir>');
        return await dev(values.file, { ...(values.bus ? { bus: values.bus } : {}), sinks: values.sink ?? [], ...(values.for ? { for: values.for } : {}), ...(values.runtime ? { runtime: values.runtime } : {}), ...(values.daprd ? { daprd: values.daprd } : {}), ...(values.node ? { node: values.node } : {}), ...(process.stderr.isTTY ? { terminal: process.stderr } : {}) }, cli);
      }
      case 'controller': {
        const { values } = parseArgs({
          args: [...rest],
          options: { kubeconfig: { type: 'string' }, once: { type: 'boolean' }, configmap: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
          strict: true,
          allowPositionals: false,
        });
        if (values.help) return help(cli, controllerHelp, 0);
        return await controller({ ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.once ? { once: true } : {}), ...(values.configmap ? { configmap: values.configmap } : {}) }, cli);
      }
      case 'graph': {
        const { values } = parseArgs({ args: [...rest], options: { file: { type: 'string', short: 'f', multiple: true }, format: { type: 'string' } }, strict: true, allowPositionals: false });
        if (!values.file?.length) throw new UsageError('graph needs at least one -f <file or dir>');
        return graph(values.file, values.format ?? 'mermaid', cli);
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        return help(cli, HELP, command === undefined ? 2 : 0);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
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
