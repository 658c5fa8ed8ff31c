// What every command line tool owes its users: a version, help for each command with an example, completion that
// works in the shell, and colour only where it can be read.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { run } from '../../../cli/cli.js';
import { findingLine, wantsColor } from '../../../cli/output.js';
import { runCli } from '../../support/cli.js';

const COMMANDS = ['dev', 'graph', 'validate', 'simulate', 'render', 'controller', 'status', 'send', 'replay', 'completion'];

test('--version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  expect(await runCli('--version')).toEqual({ code: 0, out: [`ofn-events ${version}`], err: [] });
});

test.each(COMMANDS)('%s --help: usage, its flags and an example, exit 0', async (command) => {
  const result = await runCli(command, '--help');
  expect(result.code).toBe(0);
  expect(result.out[0]).toMatch(new RegExp(`^Usage: ofn-events ${command} `));
  expect(result.out.join('\n')).toMatch(/\nExample: .*ofn-events /);
  // Every command is listed in the top-level help.
  expect((await runCli('--help')).out.join('\n')).toMatch(new RegExp(`\\n  ${command} +\\S`));
});

test('bash completion completes commands, flags of the command typed, and file names after -f', async () => {
  const script = (await runCli('completion', 'bash')).out.join('\n');
  const complete = (...words: string[]) =>
    execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _ofn_events; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8', cwd: 'manifests' }).trim().split('\n');
  expect(complete('ofn-events', 'va')).toEqual(['validate']);
  expect(complete('ofn-events', 'validate', '--st')).toEqual(['--strict']);
  expect(complete('ofn-events', 'dev', '--r')).toEqual(['--runtime']);
  expect(complete('ofn-events', 'validate', '-f', 'kustom')).toEqual(['kustomization.yaml']);
});

test('zsh and fish scripts name every command and flag; an unknown shell is a usage error', async () => {
  const zsh = (await runCli('completion', 'zsh')).out.join('\n');
  const fish = (await runCli('completion', 'fish')).out.join('\n');
  for (const command of COMMANDS) {
    expect(zsh).toContain(`    '${command}:`);
    expect(fish).toContain(`-a ${command} -d`);
  }
  expect(zsh).toContain("'(-f --file)'{-f,--file}'[file]:file:_files'".replace("'(-f --file)'", "'*'"));
  expect(fish).toContain("complete -c ofn-events -n '__fish_seen_subcommand_from validate' -l strict");
  expect((await runCli('completion', 'tcsh')).code).toBe(2);
});

test('colour: on a terminal unless NO_COLOR, and only then', async () => {
  expect(wantsColor({ isTTY: true }, {})).toBe(true);
  expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
  expect(wantsColor({ isTTY: false }, {})).toBe(false);
  const finding = { severity: 'error' as const, path: 'spec', message: 'bad', file: 'a.yaml', index: 1, line: 3, column: 1, resource: 'Trigger/t' };
  expect(findingLine({ out: () => {}, err: () => {}, color: true }, finding)).toBe('\u001b[31ma.yaml:3:1\u001b[0m Trigger/t (document 1): spec: bad');
  expect(findingLine({ out: () => {}, err: () => {} }, finding)).toBe('a.yaml:3:1 Trigger/t (document 1): spec: bad');
  // Through the CLI: plain unless asked.
  const out: string[] = [];
  await run(['validate', '-f', 'test/golden/cases/problems.yaml'], { out: (l) => out.push(l), err: () => {} });
  expect(out.join('\n')).not.toContain('\u001b[');
});
