// What every command prints through, and the errors it may raise: one small module the command files and cli.ts
// share, so that no command imports the dispatcher. Pure.
import type { Finding } from '../lib/api/index.js';
import { formatFinding } from '../lib/api/index.js';

export interface Cli {
  out(line: string): void;
  err(line: string): void;
  /** What `-f -` reads (standard input when not given). */
  stdin?: () => string;
  /** Colour errors and warnings: on a terminal, unless NO_COLOR is set (https://no-color.org). */
  color?: boolean;
}

/** A mistake in how the command was called (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const SGR = { red: '\u001b[31m', yellow: '\u001b[33m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;

export const paint = (cli: Cli, style: keyof typeof SGR, text: string): string => (cli.color ? `${SGR[style]}${text}${SGR.reset}` : text);

/** A finding's line, its position in red (error) or yellow (warning) when colour is on. */
export function findingLine(cli: Cli, f: Finding): string {
  const line = formatFinding(f);
  if (!cli.color) return line;
  const cut = line.indexOf(' ');
  return `${paint(cli, f.severity === 'error' ? 'red' : 'yellow', line.slice(0, cut))}${line.slice(cut)}`;
}

/** Whether a stream should get colour: a terminal, and NO_COLOR unset or empty. */
export const wantsColor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean => stream.isTTY === true && !env.NO_COLOR;
