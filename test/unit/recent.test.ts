import fc from 'fast-check';
import { RecentKeys } from '../../lib/recent.js';

describe('RecentKeys', () => {
  test('remembers exactly the last `limit` distinct keys added, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'), { maxLength: 60 }), (limit, adds) => {
        const recent = new RecentKeys(limit);
        const model: string[] = []; // oldest first; a key already there keeps its place
        for (const key of adds) {
          recent.add(key);
          if (!model.includes(key)) model.push(key);
          if (model.length > limit) model.shift();
          for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l']) expect([k, recent.has(k)]).toEqual([k, model.includes(k)]);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });

  test('beyond its bound, the oldest key is forgotten and a new one remembered, many times over', () => {
    const recent = new RecentKeys(1000);
    for (let i = 0; i < 5000; i++) recent.add(`k${i}`);
    expect([recent.has('k3999'), recent.has('k4000'), recent.has('k4999')]).toEqual([false, true, true]);
  });
});
