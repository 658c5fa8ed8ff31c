// Parsing conditions: jsep tokenizes and parses (here and, for correlation keys, key.ts); our whitelist turns its
// tree into lib/condition/ast.ts or rejects it with a position and a suggestion. jsep's global configuration is
// never changed. Pure.
import jsep from 'jsep';
import { closest } from '../api/suggest.js';
import type { ComparisonOperator, Condition, Value } from './ast.js';

export class ConditionSyntaxError extends Error {
  override readonly name = 'ConditionSyntaxError';
  constructor(
    readonly reason: string,
    /** 0-based character position in the condition. */
    readonly index: number,
  ) {
    super(`at character ${index + 1}: ${reason}`);
  }
}

type Node = jsep.Expression & Record<string, unknown>;

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '**']);
const BITWISE = new Set(['&', '|', '^', '<<', '>>', '>>>', '~']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Calls `visit` with each character outside string literals, until it answers true; returns that index. */
function scanOutsideStrings(source: string, visit: (c: string, i: number) => boolean): number | undefined {
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (visit(c, i)) return i;
  }
  return undefined;
}

/** Where a token first appears outside string literals (jsep keeps no positions). */
function positionOf(source: string, token: string, from = 0): number {
  const word = IDENTIFIER.test(token);
  const found = scanOutsideStrings(source, (_, i) => {
    if (i < from || !source.startsWith(token, i)) return false;
    const before = source[i - 1];
    const after = source[i + token.length];
    return !word || ((before === undefined || !/[\w$]/.test(before)) && (after === undefined || !/[\w$]/.test(after)));
  });
  return found ?? Math.max(0, from);
}

/**
 * Limits that keep parsing and evaluation off the stack's edge: jsep recurses once per parenthesis or `!` (about
 * 5 000 deep overflows), and evaluation once per operator. Real conditions are far below both.
 */
export const MAX_CONDITION_LENGTH = 4096;
export const MAX_CONDITION_NESTING = 32;

/** Where nesting of parentheses and prefix `!` outside string literals first exceeds `max`, if it does. */
function tooDeepAt(source: string, max: number): number | undefined {
  let depth = 0;
  let unary = 0;
  return scanOutsideStrings(source, (c, i) => {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === '!' && source[i + 1] !== '=') unary++;
    else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') unary = 0; // jsep's whitespace
    return depth + unary > max;
  });
}

export function parseCondition(source: string, inputs: readonly string[]): Condition {
  if (source.trim() === '') throw new ConditionSyntaxError('empty condition; expected input names with !, &&, ||, e.g. "eventA && eventB"', 0);
  if (source.length > MAX_CONDITION_LENGTH) throw new ConditionSyntaxError(`condition of ${source.length} characters; at most ${MAX_CONDITION_LENGTH} are allowed`, MAX_CONDITION_LENGTH);
  const deep = tooDeepAt(source, MAX_CONDITION_NESTING);
  if (deep !== undefined) throw new ConditionSyntaxError(`nested more than ${MAX_CONDITION_NESTING} levels deep (parentheses and "!")`, deep);
  let tree: Node;
  try {
    tree = jsep(source) as Node;
  } catch (e) {
    const error = e as Error & { index?: number; description?: string };
    throw new ConditionSyntaxError(lower(error.description ?? error.message.replace(/ at character \d+$/, '')), error.index ?? 0);
  }
  const known = new Set(inputs);
  const reject = (reason: string, token: string): never => {
    throw new ConditionSyntaxError(reason, positionOf(source, token));
  };

  const unknownInput = (name: string): never => {
    const hint = closest(name, inputs);
    return reject(`unknown input "${name}"; ${hint ? `did you mean "${hint}"?` : `inputs are ${inputs.map((i) => `"${i}"`).join(', ') || 'none'}`}`, name);
  };

  function path(node: Node): Extract<Value, { kind: 'path' }> {
    const keys: string[] = [];
    let current = node;
    while (current.type === 'MemberExpression') {
      const property = current.property as Node;
      if (current.computed) {
        if (property.type !== 'Literal' || typeof property.value !== 'string') reject('only a quoted name may stand in [ ], e.g. data["x-y"]', '[');
        keys.unshift(property.value as string);
      } else {
        keys.unshift(property.name as string);
      }
      current = current.object as Node;
    }
    if (current.type !== 'Identifier') reject('a field path starts with an input name, e.g. orders.data.total', '.');
    const input = current.name as string;
    if (!known.has(input)) unknownInput(input);
    return { kind: 'path', input, path: keys };
  }

  function value(node: Node): Value {
    switch (node.type) {
      case 'Literal':
        if (node.value instanceof RegExp) return reject('regular expressions are not supported', '/');
        return { kind: 'const', value: node.value as string | number | boolean | null };
      case 'Identifier':
        if (!known.has(node.name as string)) return unknownInput(node.name as string);
        return { kind: 'active', input: node.name as string };
      case 'MemberExpression':
        return path(node);
      case 'UnaryExpression':
        if (node.operator === '-' && (node.argument as Node).type === 'Literal' && typeof (node.argument as Node).value === 'number') {
          return { kind: 'const', value: -((node.argument as Node).value as number) };
        }
        return reject(`"${String(node.operator)}" cannot be used on a value here`, String(node.operator));
      default:
        return unsupported(node);
    }
  }

  function condition(node: Node): Condition {
    switch (node.type) {
      case 'Identifier':
        if (!known.has(node.name as string)) return unknownInput(node.name as string);
        return { kind: 'active', input: node.name as string };
      case 'Literal':
        if (typeof node.value === 'boolean') return { kind: 'const', value: node.value };
        return reject(`${JSON.stringify(node.value)} is not a condition; compare it, e.g. orders.data.status == ${JSON.stringify(node.value)}`, String(node.raw));
      case 'UnaryExpression':
        if (node.operator === '!') return { kind: 'not', arg: condition(node.argument as Node) };
        return unsupported(node);
      case 'MemberExpression':
        return { kind: 'true-path', value: path(node) };
      case 'BinaryExpression': {
        const op = node.operator as string;
        if (op === '&&' || op === '||') return { kind: op === '&&' ? 'and' : 'or', left: condition(node.left as Node), right: condition(node.right as Node) };
        if (COMPARISONS.has(op)) return { kind: 'compare', op: op as ComparisonOperator, left: value(node.left as Node), right: value(node.right as Node) };
        return unsupported(node);
      }
      default:
        return unsupported(node);
    }
  }

  function unsupported(node: Node): never {
    switch (node.type) {
      case 'BinaryExpression': {
        const op = node.operator as string;
        if (op === '-' && (node.left as Node).type === 'Identifier' && (node.right as Node).type === 'Identifier') {
          const joined = `${String((node.left as Node).name)}-${String((node.right as Node).name)}`;
          if (inputs.includes(joined)) {
            return reject(`input "${joined}" cannot be named in a condition: "-" is subtraction. Rename the input to an identifier such as "${camel(joined)}"`, joined);
          }
        }
        if (op === '===' || op === '!==') return reject(`"${op}" is not supported; use "${op.slice(0, 2)}"`, op);
        if (ARITHMETIC.has(op)) return reject(`arithmetic ("${op}") is not supported; conditions combine inputs with !, && and ||, and compare values with == != < <= > >=`, op);
        if (BITWISE.has(op)) return reject(`bitwise "${op}" is not supported; did you mean "${op === '&' ? '&&' : op === '|' ? '||' : '!='}"?`, op);
        return reject(`"${op}" is not supported`, op);
      }
      case 'UnaryExpression':
        return reject(`"${String(node.operator)}" is not supported; use "!" to negate`, String(node.operator));
      case 'CallExpression':
        return reject('function calls are not supported', '(');
      case 'ConditionalExpression':
        return reject('"? :" is not supported; combine conditions with &&, || and !', '?');
      case 'Compound':
        return reject('two expressions side by side; join them with && or ||', ' ');
      case 'ArrayExpression':
        return reject('lists are not supported', '[');
      case 'ThisExpression':
        return reject('"this" is not supported', 'this');
      default:
        return reject(`${node.type} is not supported`, '');
    }
  }

  return condition(tree);
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const camel = (s: string) => s.replace(/[-.]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
