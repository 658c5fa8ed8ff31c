// Durations as users write them: Go style (`60s`, `1m30s`, `250ms`, as Dapr and upstream use) or ISO 8601
// (`PT0.2S`, `PT1M`, as Knative's `delivery.backoffDelay` and `delivery.timeout` use). Pure.

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const GO_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (value === '0') return 0;
  if (GO_DURATION.test(value)) {
    let total = 0;
    for (const [, amount, unit] of value.matchAll(GO_PART)) total += Number(amount) * (GO_UNITS[unit!] ?? 0);
    return total;
  }
  const iso = ISO_DURATION.exec(value);
  if (iso && value !== 'P' && !value.endsWith('T')) {
    const [, days, hours, minutes, seconds] = iso;
    return (
      Number(days ?? 0) * 86_400_000 +
      Number(hours ?? 0) * 3_600_000 +
      Number(minutes ?? 0) * 60_000 +
      Number(seconds ?? 0) * 1000
    );
  }
  return undefined;
}

export const DURATION_HINT = 'a duration such as "60s", "1m30s", "250ms" or ISO 8601 "PT0.5S"';

/**
 * A duration as Go's time.ParseDuration reads it (what every Dapr component decodes): `1m30s`, `250ms`. Dapr has no
 * ISO 8601 form (conformance 1.12), so values written as `PT30S` are converted; an unparsable value passes through
 * for Dapr to reject with its own message.
 */
export function goDuration(text: string): string {
  if (GO_DURATION.test(text.trim())) return text.trim();
  const ms = parseDuration(text);
  if (ms === undefined) return text.trim();
  return Number.isInteger(ms) ? `${ms}ms` : `${Math.round(ms * 1000)}us`;
}
