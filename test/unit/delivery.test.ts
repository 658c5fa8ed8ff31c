import { backoffMs, classifyStatus, DEFAULT_RETRY_POLICY, handlingWorstCaseMs, retryAfterMs, retryPolicyOf, withRetries, worstCaseMs, type Outcome } from '../../lib/delivery.js';

describe('delivery - policy', () => {
  test('defaults, and Knative-style overrides', () => {
    expect(retryPolicyOf(undefined)).toEqual(DEFAULT_RETRY_POLICY);
    expect(retryPolicyOf({ retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT0.5S', timeout: '2s' })).toEqual({ ...DEFAULT_RETRY_POLICY, retry: 5, backoffPolicy: 'linear', backoffDelayMs: 500, timeoutMs: 2000 });
  });

  test.each([
    ['exponential', [200, 400, 800, 1600]],
    ['linear', [200, 400, 600, 800]],
  ] as const)('%s backoff', (backoffPolicy, delays) => {
    const policy = { ...DEFAULT_RETRY_POLICY, backoffPolicy };
    expect([1, 2, 3, 4].map((n) => backoffMs(policy, n))).toEqual(delays);
  });

  test('backoff is capped', () => {
    expect(backoffMs({ ...DEFAULT_RETRY_POLICY, maxBackoffMs: 1000 }, 10)).toBe(1000);
  });
});

describe('delivery - classification', () => {
  test.each([
    [200, 'ok'], [202, 'ok'], [204, 'ok'],
    [400, 'permanent'], [401, 'permanent'], [404, 'permanent'], [410, 'permanent'],
    [408, 'retry'], [429, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'],
  ])('HTTP %d is %s', (status, kind) => {
    expect(classifyStatus(status).kind).toBe(kind);
  });

  test('Retry-After in seconds or as a date', () => {
    expect(classifyStatus(503, '3')).toEqual({ kind: 'retry', reason: 'HTTP 503', retryAfterMs: 3000 });
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });
});

describe('delivery - withRetries', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, retry: 3, backoffDelayMs: 100 };

  function script(...outcomes: Array<Outcome | Error>) {
    const slept: number[] = [];
    let calls = 0;
    const attempt = async () => {
      const next = outcomes[Math.min(calls++, outcomes.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    };
    return { attempt, sleep: async (ms: number) => void slept.push(ms), slept, calls: () => calls };
  }

  test('retries with backoff until success', async () => {
    const s = script({ kind: 'retry', reason: 'HTTP 503' }, new Error('ECONNREFUSED'), { kind: 'ok' });
    expect(await withRetries(s.attempt, policy, s.sleep)).toEqual({ ok: true, attempts: 3 });
    expect(s.slept).toEqual([100, 200]);
  });

  test('gives up after the retries, with the last reason', async () => {
    const s = script({ kind: 'retry', reason: 'HTTP 500' });
    expect(await withRetries(s.attempt, policy, s.sleep)).toEqual({ ok: false, attempts: 4, reason: 'HTTP 500', permanent: false });
    expect(s.slept).toEqual([100, 200, 400]);
  });

  test('stops at once on a permanent failure', async () => {
    const s = script({ kind: 'permanent', reason: 'HTTP 400' });
    expect(await withRetries(s.attempt, policy, s.sleep)).toEqual({ ok: false, attempts: 1, reason: 'HTTP 400', permanent: true });
    expect(s.slept).toEqual([]);
  });

  test('honours Retry-After when it is longer than the backoff', async () => {
    const s = script({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 1500 }, { kind: 'ok' });
    await withRetries(s.attempt, policy, s.sleep);
    expect(s.slept).toEqual([1500]);
  });
});

describe('delivery - the worst case a bus must wait before redelivering', () => {
  test('every attempt times out and every wait is stretched to the Retry-After cap', () => {
    expect(worstCaseMs(DEFAULT_RETRY_POLICY)).toBe(4 * 10_000 + 3 * 30_000);
    expect(worstCaseMs(retryPolicyOf({ retry: 0, timeout: '2s' }))).toBe(2_000);
  });

  test("a Trigger's is its slowest subscriber's, a dead letter adding the default policy's", () => {
    expect(handlingWorstCaseMs([{ delivery: { retry: 0, timeout: '2s' } }, { delivery: { retry: 1, timeout: '1s' } }])).toBe(32_000);
    expect(handlingWorstCaseMs([{ delivery: { retry: 0, timeout: '2s' }, deadLetterTopic: 'dl' }])).toBe(2_000 + 130_000);
  });
});
