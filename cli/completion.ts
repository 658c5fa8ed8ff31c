// `ofn-events completion bash|zsh|fish`: a completion script generated from the command table, so it never falls
// behind the commands and their flags. Pure: returns text.
import type { ParseArgsConfig } from 'node:util';
import { UsageError, type Cli } from './output.js';

export interface CommandSpec {
  name: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Words the command takes as positionals, completed as such. */
  positionals?: string[];
}

export const completionHelp = `Usage: ofn-events completion bash|zsh|fish

Prints a shell completion script for ofn-events: commands, their flags, and file names after the flags that take
files. Install it for your shell:
  bash   ofn-events completion bash > ~/.local/share/bash-completion/completions/ofn-events
  zsh    ofn-events completion zsh > "\${fpath[1]}/_ofn-events"     (then: autoload -U compinit && compinit)
  fish   ofn-events completion fish > ~/.config/fish/completions/ofn-events.fish

Example: source <(ofn-events completion bash)`;

/** Flags whose value is a path: completed with file names. */
const FILE_FLAGS = new Set(['file', 'events', 'kubeconfig', 'images-from', 'daprd', 'node']);

const flagsOf = (c: CommandSpec): string[] => [...Object.keys(c.options).map((o) => `--${o}`), '--help'];

function bash(commands: readonly CommandSpec[]): string {
  const fileFlags = commands.flatMap((c) => Object.entries(c.options).filter(([name]) => FILE_FLAGS.has(name)).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]));
  return `# ofn-events completion for bash (ofn-events completion bash)
_ofn_events() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${commands.map((c) => c.name).join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "$prev" in
    ${[...new Set(fileFlags)].join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  case "\${COMP_WORDS[1]}" in
${commands.map((c) => `    ${c.name}) COMPREPLY=( $(compgen -W "${[...flagsOf(c), ...(c.positionals ?? [])].join(' ')}" -- "$cur") ) ;;`).join('\n')}
  esac
}
complete -o default -F _ofn_events ofn-events
`;
}

const quote = (text: string) => text.replace(/'/g, "'\\''");

function zsh(commands: readonly CommandSpec[]): string {
  const specs = (c: CommandSpec) =>
    [
      ...Object.entries(c.options).map(([name, o]) => {
        const names = o.short ? `{-${o.short},--${name}}` : `--${name}`;
        const exclusive = o.short ? `'(-${o.short} --${name})'` : '';
        const value = o.type === 'string' ? (FILE_FLAGS.has(name) ? `:${name}:_files` : `:${name}:`) : '';
        return `${o.multiple ? `'*'` : exclusive}${names}'[${name}]${value}'`;
      }),
      `'--help[show help]'`,
      ...(c.positionals ? [`':shell:(${c.positionals.join(' ')})'`] : []),
    ].join(' ');
  return `#compdef ofn-events
# ofn-events completion for zsh (ofn-events completion zsh)
_ofn_events() {
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${quote(c.summary)}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${commands.map((c) => `    ${c.name}) _arguments ${specs(c)} ;;`).join('\n')}
  esac
}
compdef _ofn_events ofn-events
`;
}

function fish(commands: readonly CommandSpec[]): string {
  const lines = ['# ofn-events completion for fish (ofn-events completion fish)', 'complete -c ofn-events -f'];
  for (const c of commands) lines.push(`complete -c ofn-events -n '__fish_use_subcommand' -a ${c.name} -d '${quote(c.summary)}'`);
  lines.push(`complete -c ofn-events -n '__fish_use_subcommand' -l version -d 'print the version'`);
  for (const c of commands) {
    for (const [name, o] of Object.entries(c.options)) {
      lines.push(`complete -c ofn-events -n '__fish_seen_subcommand_from ${c.name}' -l ${name}${o.short ? ` -s ${o.short}` : ''}${o.type === 'string' ? ` -r${FILE_FLAGS.has(name) ? ' -F' : ''}` : ''}`);
    }
    if (c.positionals) lines.push(`complete -c ofn-events -n '__fish_seen_subcommand_from ${c.name}' -a '${c.positionals.join(' ')}'`);
  }
  return `${lines.join('\n')}\n`;
}

export function completion(shell: string | undefined, commands: readonly CommandSpec[], cli: Cli): number {
  const scripts = { bash, zsh, fish } as const;
  if (shell === undefined || !(shell in scripts)) throw new UsageError(`completion: expected bash, zsh or fish${shell ? `, got "${shell}"` : ''}`);
  cli.out(scripts[shell as keyof typeof scripts](commands).trimEnd());
  return 0;
}
