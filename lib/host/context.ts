// FUNC_CONTEXT, the OpenFunction v1beta1 function context (research/runtime-contract §4.4): what the host serves
// (inputs) and calls (outputs). Tolerant of what it does not use (plugins, tracing); `runtime` case-insensitive.
import { z } from 'zod';
import { issuesToProblems } from '../api/validate.js';
import { formatProblem } from '../api/problems.js';
import { InvalidSpecError } from '../errors.js';

const component = {
  uri: z.string().optional(),
  componentName: z.string().min(1),
  componentType: z.string().regex(/^(bindings|pubsub|state)\.[\w.-]+$/, { message: 'expected a Dapr component type such as bindings.kafka or pubsub.jetstream' }),
  metadata: z.record(z.string(), z.string()).optional(),
};

export const funcContext = z.looseObject({
  name: z.string().min(1),
  version: z.string().optional(),
  runtime: z.string().refine((r) => r.toLowerCase() === 'async', { message: 'expected "Async": only async functions run on this host' }),
  port: z.string().optional(),
  inputs: z.record(z.string(), z.looseObject(component)).optional(),
  outputs: z.record(z.string(), z.looseObject({ ...component, operation: z.string().optional() })).optional(),
  /** State stores (OpenFunction `serving.states`): a Trigger's correlation state. */
  states: z.record(z.string(), z.looseObject({ componentName: z.string().min(1), componentType: z.string().optional() })).optional(),
});

export type FuncContext = z.infer<typeof funcContext>;
export type ComponentRef = NonNullable<FuncContext['inputs']>[string];
export type OutputRef = NonNullable<FuncContext['outputs']>[string];

export const isBinding = (c: { componentType: string }): boolean => c.componentType.startsWith('bindings.');
export const isPubSub = (c: { componentType: string }): boolean => c.componentType.startsWith('pubsub.');

export function parseFuncContext(text: string | undefined): FuncContext {
  if (text === undefined || text.trim() === '') throw new InvalidSpecError('env FUNC_CONTEXT is missing: OpenFunction sets it on every function container');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidSpecError(`env FUNC_CONTEXT is not JSON: ${(e as Error).message}`);
  }
  const result = funcContext.safeParse(json);
  if (!result.success) {
    const problems = issuesToProblems(funcContext, json, result.error.issues).map(formatProblem);
    throw new InvalidSpecError(`env FUNC_CONTEXT: ${problems.join('; ')}`);
  }
  for (const [name, input] of Object.entries(result.data.inputs ?? {})) {
    if (isPubSub(input) && !input.uri) throw new InvalidSpecError(`env FUNC_CONTEXT: inputs["${name}"].uri: required: the topic of a pub/sub input`);
  }
  for (const [name, output] of Object.entries(result.data.outputs ?? {})) {
    if (isPubSub(output) && !output.uri) throw new InvalidSpecError(`env FUNC_CONTEXT: outputs["${name}"].uri: required: the topic of a pub/sub output`);
  }
  return result.data;
}
