// Lint, and the layering DESIGN §2 asks for, enforced rather than hoped for:
// - pure modules (lib/api, lib/naming, lib/condition, lib/cloudevents, lib/delivery, lib/duration, lib/errors, and
//   the plan/state files of functions) import no I/O and read no process.env;
// - lib never imports functions or cli; a function never imports another function.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_MODULES = [
  'node:http', 'node:https', 'node:net', 'node:dgram', 'node:dns', 'node:fs', 'node:fs/promises', 'node:child_process',
  'node:worker_threads', 'node:cluster', 'http', 'https', 'net', 'fs', 'fs/promises', 'child_process',
  '@dapr/dapr', '@kubernetes/client-node', 'undici', '@nats-io/*', 'nats', 'mqtt', 'redis', 'kafkajs',
];

const FUNCTIONS = ['eventsource-handler', 'trigger-handler', 'controller'];

export const PURE_FILES = [
  'lib/api/**/*.ts', 'lib/naming.ts', 'lib/condition/**/*.ts', 'lib/cloudevents.ts', 'lib/delivery.ts',
  'lib/duration.ts', 'lib/errors.ts', 'lib/lanes.ts', 'lib/config/**/*.ts', 'functions/*/plan*.ts', 'functions/*/plan/**/*.ts',
  'functions/*/state.ts', 'functions/*/handler.ts', 'functions/*/message.ts', 'functions/*/model.ts', 'functions/*/deliver.ts',
];

const pureRules = {
  'no-restricted-imports': ['error', {
    paths: IO_MODULES.filter((m) => !m.includes('*')).map((name) => ({ name, message: 'pure module: no I/O here (DESIGN §2); take a port or move this to lib/io, lib/host or lib/local' })),
    patterns: [
      { group: IO_MODULES.filter((m) => m.includes('*')), message: 'pure module: no I/O here (DESIGN §2)' },
      { group: ['**/functions/**', '**/cli/**', '**/io/**', '**/host/**', '**/local/**'], message: 'pure module: may import only other pure modules' },
    ],
  }],
  'no-restricted-globals': ['error',
    { name: 'fetch', message: 'pure module: no I/O here (DESIGN §2)' },
    { name: 'process', message: 'pure module: no process.env or process I/O (DESIGN §2)' },
    { name: 'setTimeout', message: 'pure module: inject the clock (DESIGN §4)' },
    { name: 'setInterval', message: 'pure module: inject the clock (DESIGN §4)' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', performance: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/functions/**', '**/cli/**'], message: 'lib never imports functions or cli (DESIGN §2)' }] }] },
  },
  { files: PURE_FILES, rules: pureRules },
  ...FUNCTIONS.map((name) => ({
    files: [`functions/${name}/**/*.ts`],
    ignores: PURE_FILES,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: FUNCTIONS.filter((other) => other !== name).flatMap((other) => [`../${other}/**`, `../../${other}/**`, `**/functions/${other}/**`]).concat(['**/cli/**']),
          message: 'functions never import each other (DESIGN §2): share through lib/',
        }],
      }],
    },
  })),
);
