// Conditions of Trigger subscribers: parse once (with positions and suggestions on error), compile once, evaluate
// per event without ever throwing.
import type { Condition } from './ast.js';
import { inputsOf } from './ast.js';
import { compile, type Evaluator, type Snapshot } from './compile.js';
import { ConditionSyntaxError, parseCondition } from './parse.js';

export { ConditionSyntaxError, parseCondition, compile, inputsOf };
export type { Condition, Evaluator, Snapshot };

export interface CompiledCondition {
  source: string;
  evaluate: Evaluator;
  /** The inputs the condition names: only their events can fire it (DESIGN §3 divergence). */
  inputs: string[];
  /** Whether it reads into events (`orders.data.total > 100`), so their latest events must be kept. */
  readsEvents: boolean;
}

/** Parses and compiles against the Trigger's input names, in the order that defines the snapshot's slots. */
export function compileCondition(source: string, inputNames: readonly string[]): CompiledCondition {
  const ast = parseCondition(source, inputNames);
  const slot = (name: string) => inputNames.indexOf(name);
  return { source, evaluate: compile(ast, slot), inputs: inputsOf(ast), readsEvents: JSON.stringify(ast).includes('"kind":"path"') };
}
