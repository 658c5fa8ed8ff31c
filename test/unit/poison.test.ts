import { DeliveryError, PoisonMessageError } from '../../lib/errors.js';
import { FailurePolicy } from '../../lib/poison.js';

describe('FailurePolicy', () => {
  const unexpected = new Error('boom');

  test('typed errors say what they are; content faults are poison at once', () => {
    const policy = new FailurePolicy();
    expect(policy.judge(new DeliveryError('down', true), () => 'k')).toEqual({ verdict: 'retry' });
    expect(policy.judge(new PoisonMessageError('bad'), () => 'k')).toMatchObject({ verdict: 'drop', poison: false });
    expect(policy.judge(new SyntaxError('not JSON'), () => 'k')).toMatchObject({ verdict: 'drop', poison: true });
  });

  test('an unexpected error is retried for the same message until the limit, then dropped as poison', () => {
    const policy = new FailurePolicy(3);
    const verdicts = [1, 2, 3].map(() => policy.judge(unexpected, () => 'm').verdict);
    expect(verdicts).toEqual(['retry', 'retry', 'drop']);
    expect(policy.judge(unexpected, () => 'm').verdict).toBe('retry'); // counted afresh after the drop
  });

  test('it remembers the messages that failed last, forgetting the one that failed longest ago', () => {
    const policy = new FailurePolicy(3, 2);
    const judge = (k: string) => policy.judge(unexpected, () => k).verdict;
    judge('a'); // a:1
    judge('b'); // b:1
    judge('a'); // a:2, now the most recent
    judge('c'); // c:1; b, the least recent, is forgotten
    expect([judge('a'), judge('b')]).toEqual(['drop', 'retry']); // a reaches 3; b starts again at 1
    expect(judge('c')).toBe('retry'); // c:2 — b's return evicted nothing it should not have
  });
});
