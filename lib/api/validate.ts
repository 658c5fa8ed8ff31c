// Schema validation of one resource, with every problem at its field path and what was expected
// (`spec.kafka["created"].brokers: required`, `spec.cron["tick"].shedule: unknown field; did you mean "schedule"?`).
// Pure.
import type { z } from 'zod';
import type { ClusterEventBus, EventBus } from './eventbus.js';
import type { EventSource } from './eventsource.js';
import { API_GROUP, API_GROUP_VERSION } from './common.js';
import { KINDS, kindInfo } from './kinds.js';
import { error, type Problem } from './problems.js';
import { fieldsOf, formatPath, schemaAt } from './schema-walk.js';
import { closest } from './suggest.js';
import type { Trigger } from './trigger.js';

export type Resource = EventSource | EventBus | ClusterEventBus | Trigger;

export type ParseResult = { ok: true; resource: Resource } | { ok: false; problems: Problem[] };

/** Whether a parsed YAML document claims to be one of ours (other documents in a file are left alone). */
export function isOurs(doc: unknown): boolean {
  const apiVersion = (doc as { apiVersion?: unknown } | null)?.apiVersion;
  return typeof apiVersion === 'string' && apiVersion.split('/')[0] === API_GROUP;
}

export function parseResource(doc: unknown): ParseResult {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, problems: [error('', `expected a Kubernetes object, got ${describe(doc)}`)] };
  }
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  if (apiVersion !== API_GROUP_VERSION) {
    return { ok: false, problems: [error('apiVersion', `expected "${API_GROUP_VERSION}", got ${describe(apiVersion)}`)] };
  }
  const info = typeof kind === 'string' ? kindInfo(kind) : undefined;
  if (!info) {
    const names = KINDS.map((k) => k.kind);
    const hint = typeof kind === 'string' ? closest(kind, names) : undefined;
    const expected = hint ? `did you mean "${hint}"?` : `expected one of ${names.join(', ')}`;
    return { ok: false, problems: [error('kind', `unknown kind ${describe(kind)}; ${expected}`)] };
  }
  const result = info.schema.safeParse(doc);
  if (result.success) return { ok: true, resource: result.data as Resource };
  return { ok: false, problems: issuesToProblems(info.schema, doc, result.error.issues) };
}

/** zod issues → problems, one per field, in document order of the issues. */
export function issuesToProblems(root: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) collect(root, input, issue, [], out);
  return out;
}

function collect(root: z.ZodType, input: unknown, issue: z.core.$ZodIssue, prefix: PropertyKey[], out: Problem[]): void {
  const path = [...prefix, ...issue.path];
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = fieldsOf(schemaAt(root, path));
      for (const key of issue.keys) {
        const hint = closest(key, known);
        const message = hint ? `unknown field; did you mean "${hint}"?` : `unknown field; expected one of ${known.join(', ')}`;
        out.push(error(formatPath(root, [...path, key]), message));
      }
      return;
    }
    case 'invalid_union': {
      // Report the branch that got furthest: the one whose problems are not about the value's own type.
      const branches = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      const chosen = branches[0];
      if (chosen) for (const inner of chosen) collect(root, input, inner, path, out);
      else out.push(error(formatPath(root, path), `expected ${unionExpectation(root, path)}, got ${describe(value)}`));
      return;
    }
    case 'invalid_type':
      out.push(error(formatPath(root, path), value === undefined ? 'required' : `expected ${issue.expected}, got ${describe(value)}`));
      return;
    case 'invalid_value':
      out.push(
        error(
          formatPath(root, path),
          `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}, got ${describe(value)}`,
        ),
      );
      return;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `>= ${String(issue.minimum)}` : `<= ${String(issue.maximum)}`;
      const message =
        issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1
          ? 'must not be empty'
          : issue.origin === 'number' || issue.origin === 'int'
            ? `expected a number ${bound}, got ${describe(value)}`
            : lower(issue.message);
      out.push(error(formatPath(root, path), message));
      return;
    }
    default:
      out.push(error(formatPath(root, path), lower(issue.message)));
  }
}

function unionExpectation(root: z.ZodType, path: readonly PropertyKey[]): string {
  const fields = fieldsOf(schemaAt(root, path));
  return fields.length > 0 ? `a string or an object with ${fields.join(', ')}` : 'a different type';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** How a value reads in a message: its type, and the value itself when short. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const lower = (message: string): string => message.charAt(0).toLowerCase() + message.slice(1);
