import { parseDuration } from '../../lib/duration.js';

describe('duration - parse', () => {
  test.each([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['0', 0],
    ['PT0.2S', 200],
    ['PT10S', 10_000],
    ['PT1M30S', 90_000],
    ['P1D', 86_400_000],
    ['PT1H', 3_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', 'soon', '5', '5 s', 's', 'PT', 'P', '1x', '-1s', 'PT1.S'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
