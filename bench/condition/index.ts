// bench/condition: evaluations per second of our compiled conditions, next to parsing the condition for every event
// (upstream's approach, upstream-behaviour §9.2) and next to a compile-once CEL evaluator (@bufbuild/cel), in one
// run, interleaved, on the same 1,024 random contexts; every variant's results are checked against ours.
// Goals (issue): ≥ 20 M evaluations/s, ≥ 100× parse-per-event, faster than CEL.
import { celEnv, parse as celParse, plan as celPlan } from '@bufbuild/cel';
import type { Event } from '../../lib/cloudevents.js';
import { compileCondition, type Snapshot } from '../../lib/condition/index.js';
import { fmt, machine, median, spread, table } from '../support/report.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 400);
const CONTEXTS = 1024;

interface Case {
  name: string;
  source: string;
  inputs: string[];
  snapshots: Snapshot[];
  bindings: Array<Record<string, unknown>>;
}

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

const booleanCase: Case = (() => {
  const inputs = ['a', 'b', 'c'];
  const snapshots: Snapshot[] = [];
  const bindings: Array<Record<string, unknown>> = [];
  for (let i = 0; i < CONTEXTS; i++) {
    const active = inputs.map(() => random() < 0.5);
    snapshots.push({ active, events: inputs.map(() => undefined) });
    bindings.push({ a: active[0], b: active[1], c: active[2] });
  }
  return { name: 'a && (b || !c)', source: 'a && (b || !c)', inputs, snapshots, bindings };
})();

const memberCase: Case = (() => {
  const inputs = ['orders', 'alerts'];
  const snapshots: Snapshot[] = [];
  const bindings: Array<Record<string, unknown>> = [];
  for (let i = 0; i < CONTEXTS; i++) {
    const total = Math.floor(random() * 200);
    const type = random() < 0.5 ? 'critical' : 'info';
    const orders: Event = { specversion: '1.0', id: `o${i}`, source: '/s', type: 'order', data: { total } };
    const alerts: Event = { specversion: '1.0', id: `a${i}`, source: '/s', type };
    snapshots.push({ active: [true, true], events: [orders, alerts] });
    bindings.push({ orders: { data: { total } }, alerts: { type } });
  }
  return { name: 'orders.data.total > 100 && alerts.type == "critical"', source: 'orders.data.total > 100 && alerts.type == "critical"', inputs, snapshots, bindings };
})();

type Variant = { name: string; make(c: Case): (i: number) => boolean };

const variants: Variant[] = [
  {
    name: 'compiled once (ours)',
    make(c) {
      const { evaluate } = compileCondition(c.source, c.inputs);
      return (i) => evaluate(c.snapshots[i & (CONTEXTS - 1)]!);
    },
  },
  {
    name: 'parsed per event (upstream)',
    make: (c) => (i) => compileCondition(c.source, c.inputs).evaluate(c.snapshots[i & (CONTEXTS - 1)]!),
  },
  {
    name: 'CEL, planned once (@bufbuild/cel)',
    make(c) {
      const run = celPlan(celEnv(), celParse(c.source));
      return (i) => run(c.bindings[i & (CONTEXTS - 1)] as never) === true;
    },
  },
];

/** Evaluations per second over a time window; the result count keeps the work from being optimised away. */
function rate(evaluate: (i: number) => boolean): { perSec: number; trues: number } {
  let n = 0;
  let trues = 0;
  const end = performance.now() + WINDOW_MS;
  const start = performance.now();
  while (performance.now() < end) {
    for (let k = 0; k < 1024; k++, n++) if (evaluate(n)) trues++;
  }
  return { perSec: n / ((performance.now() - start) / 1000), trues };
}

const results = new Map<string, number[]>();
for (const c of [booleanCase, memberCase]) {
  const fns = variants.map((v) => ({ v, fn: v.make(c) }));
  // Every variant must agree with ours on every context.
  for (const { v, fn } of fns) {
    for (let i = 0; i < CONTEXTS; i++) {
      if (fn(i) !== fns[0]!.fn(i)) throw new Error(`${v.name} disagrees on "${c.name}" for context ${i}`);
    }
  }
  for (const { fn } of fns) rate(fn); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? fns : [...fns].reverse();
    for (const { v, fn } of order) {
      const key = `${c.name}|${v.name}`;
      results.set(key, [...(results.get(key) ?? []), rate(fn).perSec]);
    }
  }
}

const med = (c: Case, v: Variant) => median(results.get(`${c.name}|${v.name}`)!);
console.log(`bench/condition — ${machine()}, ${ROUNDS} interleaved rounds of ${WINDOW_MS} ms, ${CONTEXTS} random contexts\n`);
const rows = [['condition', 'evaluator', 'evaluations/s (median)', 'spread']];
for (const c of [booleanCase, memberCase]) for (const v of variants) rows.push([c.name, v.name, fmt(med(c, v)), spread(results.get(`${c.name}|${v.name}`)!)]);
console.log(table(rows));
const [ours, perEvent, cel] = variants as [Variant, Variant, Variant];
const figures = {
  compiledEvalsPerSec: Math.round(med(booleanCase, ours)),
  memberCompiledEvalsPerSec: Math.round(med(memberCase, ours)),
  speedupVsParsePerEvent: Number((med(booleanCase, ours) / med(booleanCase, perEvent)).toFixed(1)),
  memberSpeedupVsParsePerEvent: Number((med(memberCase, ours) / med(memberCase, perEvent)).toFixed(1)),
  ratioToCel: Number((med(booleanCase, ours) / med(booleanCase, cel)).toFixed(1)),
  memberRatioToCel: Number((med(memberCase, ours) / med(memberCase, cel)).toFixed(1)),
};
console.log(`\ngoals: ≥ 20 M evaluations/s (${fmt(figures.compiledEvalsPerSec)}), ≥ 100× parse-per-event (${figures.speedupVsParsePerEvent}×), faster than CEL (${figures.ratioToCel}×)`);
console.log(JSON.stringify(figures));
