// Correlation keys (Trigger `spec.inputs.<name>.key`): which events belong together, e.g. `data.orderId` in
// `order.created` and `payment.received`. A key is a path into the input's CloudEvent: an attribute (`subject`, an
// extension such as `orderid`) or a member of its data (`data.order.id`, `data["order-id"]`). jsep parses it, as it
// parses conditions; anything but a path is refused with its position. Evaluation never throws. Pure.
import jsep from 'jsep';
import type { Event } from '../cloudevents.js';
import { ConditionSyntaxError } from './parse.js';

type Node = jsep.Expression & Record<string, unknown>;

export interface CompiledKey {
  source: string;
  path: string[];
  /** The key of an event, or undefined when the path leads to nothing usable (absent, an object, an array). */
  of(event: Event): string | undefined;
}

/** Longest key source accepted: a path, not a program. */
const MAX_LENGTH = 512;

function pathOf(node: Node, source: string): string[] {
  if (node.type === 'Identifier') return [node.name as string];
  if (node.type === 'MemberExpression') {
    const object = pathOf(node.object as Node, source);
    const property = node.property as Node;
    if (!node.computed && property.type === 'Identifier') return [...object, property.name as string];
    if (node.computed && property.type === 'Literal' && typeof property.value === 'string') return [...object, property.value];
    throw new ConditionSyntaxError('expected a field name after "." or a quoted name in [...]', Math.max(0, source.indexOf('[')));
  }
  throw new ConditionSyntaxError(`expected a path such as data.orderId or subject, got ${node.type === 'Literal' ? 'a literal' : 'an expression'}`, 0);
}

export function compileKey(source: string): CompiledKey {
  if (source.trim() === '') throw new ConditionSyntaxError('expected a path such as data.orderId or subject, got nothing', 0);
  if (source.length > MAX_LENGTH) throw new ConditionSyntaxError(`longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  let tree: Node;
  try {
    tree = jsep(source) as Node;
  } catch (e) {
    const index = typeof (e as { index?: unknown }).index === 'number' ? (e as { index: number }).index : 0;
    throw new ConditionSyntaxError((e as { description?: string }).description ?? (e as Error).message, index);
  }
  const path = pathOf(tree, source);
  if (path[0] === 'data' && path.length === 1) throw new ConditionSyntaxError('expected a field of data, e.g. data.orderId: the whole data is not a key', 0);
  return {
    source,
    path,
    of(event) {
      let current: unknown = event;
      for (const step of path) {
        if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
        current = (current as Record<string, unknown>)[step];
      }
      if (typeof current === 'string') return current === '' ? undefined : current;
      if (typeof current === 'number' || typeof current === 'boolean') return String(current);
      return undefined;
    },
  };
}
