import fc from 'fast-check';
import { LruMap } from '../../lib/lru.js';

type Op = { op: 'set'; key: string; value: number } | { op: 'delete'; key: string } | { op: 'evict' } | { op: 'sweep'; below: number };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('set' as const), key, value: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ op: fc.constant('delete' as const), key }),
    fc.constant({ op: 'evict' as const }),
    fc.record({ op: fc.constant('sweep' as const), below: fc.integer({ min: 0, max: 9 }) }),
  ),
  { maxLength: 80 },
);

describe('LruMap', () => {
  test('behaves as an array kept in order of last use, for any sequence of sets, deletes, evictions and sweeps', () => {
    fc.assert(
      fc.property(ops, (sequence: Op[]) => {
        const lru = new LruMap<number>();
        let model: Array<[string, number]> = []; // least recently used first
        for (const step of sequence) {
          if (step.op === 'set') {
            model = [...model.filter(([k]) => k !== step.key), [step.key, step.value]];
            lru.set(step.key, step.value);
          } else if (step.op === 'delete') {
            expect(lru.delete(step.key)).toBe(model.some(([k]) => k === step.key));
            model = model.filter(([k]) => k !== step.key);
          } else if (step.op === 'evict') {
            expect(lru.peekOldest()).toEqual(model[0]);
            if (model[0]) lru.delete(model[0][0]);
            model = model.slice(1);
          } else {
            // Deleting while iterating, as the correlator's sweep of idle records does.
            for (const [k, v] of lru.entries()) if (v < step.below) lru.delete(k);
            model = model.filter(([, v]) => v >= step.below);
          }
          expect([...lru.entries()]).toEqual(model);
          expect(lru.size).toBe(model.length);
          for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) expect(lru.get(k)).toBe(model.find(([m]) => m === k)?.[1]);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });
});
