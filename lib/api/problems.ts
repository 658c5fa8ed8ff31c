// A problem found in a resource: where (a field path a user can find in their YAML) and what was expected.
export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  /** `spec.kafka["created"].brokers`, or '' for the whole resource. */
  path: string;
  message: string;
}

export const error = (path: string, message: string): Problem => ({ severity: 'error', path, message });
export const warning = (path: string, message: string): Problem => ({ severity: 'warning', path, message });

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.severity === 'error');

/** `spec.sink: set uri or ref` / `warning: spec.eventBus: …` style rendering, severity implied by the caller. */
export const formatProblem = (p: Problem): string =>
  `${p.path === '' ? '' : `${p.path}: `}${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
