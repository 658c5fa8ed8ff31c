// Handler config travels as upstream's does (upstream-behaviour §4.5): JSON, base64 (standard, padded), in the
// Function's `spec.serving.params.CONFIG`, which OpenFunction turns into the env var CONFIG. Pure.
import type { z } from 'zod';
import { issuesToProblems } from '../api/validate.js';
import { formatProblem } from '../api/problems.js';
import { InvalidSpecError } from '../errors.js';

export const encodeConfig = (config: unknown): string => Buffer.from(JSON.stringify(config), 'utf8').toString('base64');

/** Decodes and validates a CONFIG value; every problem is named, with its field path, in one error. */
export function decodeConfig<S extends z.ZodType>(schema: S, encoded: string | undefined, what: string): z.infer<S> {
  if (encoded === undefined || encoded.trim() === '') throw new InvalidSpecError(`${what}: env CONFIG is missing: the controller sets it from spec.serving.params.CONFIG`);
  let json: unknown;
  try {
    const text = Buffer.from(encoded.trim(), 'base64').toString('utf8');
    json = JSON.parse(text);
  } catch {
    throw new InvalidSpecError(`${what}: env CONFIG is not base64-encoded JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = issuesToProblems(schema, json, result.error.issues).map(formatProblem);
    throw new InvalidSpecError(`${what}: env CONFIG: ${problems.join('; ')}`);
  }
  return result.data;
}
