// Properties over every parser that reads user or wire input: whatever comes in, the answer is a value or the one
// error type the caller handles, never a crash. Bounded: a fixed number of runs per property (fast-check prints the
// seed and the shrunk input of a failure, so it can be replayed with { seed, path }; FUZZ_RUNS=20000 searches longer).
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { validateSet } from '../../lib/api/index.js';
import { cronScheduleProblem } from '../../lib/api/rules.js';
import { decodeStructured, encodeStructured, isEvent, type Event } from '../../lib/cloudevents.js';
import { compileCondition, ConditionSyntaxError } from '../../lib/condition/index.js';
import { goDuration, parseDuration } from '../../lib/duration.js';
import { loadDocuments, UsageError } from '../../cli/load.js';
import { tempFiles } from '../support/cli.js';
import { makeEventBus, makeEventSource, makeTrigger } from '../support/builders.js';

const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 400) };
const INPUTS = ['eventA', 'eventB', 'orders'];

/** Condition-like text: the grammar's tokens in any order, so the parser's deeper paths are reached too. */
const conditionText = fc
  .array(fc.constantFrom('eventA', 'eventB', 'orders', 'nope', '&&', '||', '!', '(', ')', '==', '!=', '<', '"x"', "'y'", '1', '.data', '.id', 'true', ' ', '&', '|', '+', '?', ':', '[', ']', ','), { maxLength: 40 })
  .map((tokens) => tokens.join(' '));

describe('fuzz - parsers answer or refuse, never crash', () => {
  test('conditions: compiled, or a ConditionSyntaxError with a position inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(conditionText, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (text) => {
        try {
          const compiled = compileCondition(text, INPUTS);
          // A compiled condition evaluates any snapshot without throwing.
          compiled.evaluate({ active: INPUTS.map((_, i) => i % 2 === 0), events: INPUTS.map(() => undefined) });
        } catch (e) {
          if (!(e instanceof ConditionSyntaxError)) throw e;
          expect(e.index).toBeGreaterThanOrEqual(0);
          expect(e.index).toBeLessThanOrEqual(Math.max(text.length, 4096));
        }
      }),
      RUNS,
    );
  });

  test('durations: undefined or a finite number of milliseconds ≥ 0; what parses renders as a Go duration that parses to the same', () => {
    const durationText = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.nat(100000), fc.constantFrom('ns', 'us', 'ms', 's', 'm', 'h', '', 'd')).map(([n, u]) => `${n}${u}`),
      fc.tuple(fc.nat(1000), fc.nat(59)).map(([h, m]) => `PT${h}H${m}M`),
    );
    fc.assert(
      fc.property(durationText, (text) => {
        const ms = parseDuration(text);
        if (ms === undefined) return;
        expect(Number.isFinite(ms) && ms >= 0).toBe(true);
        expect(parseDuration(goDuration(text))).toBeCloseTo(ms, 3);
      }),
      RUNS,
    );
  });

  test('cron schedules: a reason or undefined, never an exception', () => {
    const field = fc.oneof(fc.constantFrom('*', '*/5', '1-5', 'MON', 'L', '5W', '2#1', '?', ''), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(field, { minLength: 1, maxLength: 8 }).map((f) => f.join(' ')), fc.string({ maxLength: 20 }).map((s) => `@every ${s}`)), (schedule) => {
        const reason = cronScheduleProblem(schedule);
        expect(reason === undefined || typeof reason === 'string').toBe(true);
      }),
      RUNS,
    );
  });

  test('CloudEvent envelopes: bytes decode to an event or fail as SyntaxError/RangeError (poison), never anything else', () => {
    const envelope = fc.record({
      specversion: fc.constantFrom('1.0', 1, null), id: fc.oneof(fc.string(), fc.integer()), source: fc.string(), type: fc.string(),
      data: fc.jsonValue({ maxDepth: 6 }), data_base64: fc.oneof(fc.base64String(), fc.string()),
    }, { requiredKeys: [] });
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      envelope.map((e) => Buffer.from(JSON.stringify(e))),
      fc.nat(3000).map((depth) => Buffer.from(`{"specversion":"1.0","id":"d","source":"s","type":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        try {
          expect(isEvent(decodeStructured(b))).toBe(true);
        } catch (e) {
          if (!(e instanceof SyntaxError || e instanceof RangeError)) throw e;
        }
      }),
      RUNS,
    );
  });

  test('CloudEvents round-trip: structured encoding then decoding keeps every attribute and the data', () => {
    const event = fc.record({
      specversion: fc.constant('1.0'), id: fc.string({ minLength: 1 }), source: fc.string({ minLength: 1 }), type: fc.string({ minLength: 1 }),
      subject: fc.option(fc.string(), { nil: undefined }), datacontenttype: fc.constant('application/json'), data: fc.jsonValue({ maxDepth: 5 }),
    });
    fc.assert(
      fc.property(event, (e) => {
        const clean = JSON.parse(JSON.stringify(e)) as Event;
        expect(decodeStructured(encodeStructured(clean))).toEqual(clean);
      }),
      RUNS,
    );
  });

  test('resource sets: any document, or a valid resource with any field replaced, is checked without an exception', () => {
    const mutated = fc.tuple(fc.constantFrom(makeEventSource(), makeTrigger(), makeEventBus()), fc.array(fc.tuple(fc.constantFrom('metadata', 'spec', 'kind', 'apiVersion'), fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 3 })).map(([base, edits]) => {
      const doc = JSON.parse(JSON.stringify(base)) as Record<string, Record<string, unknown>>;
      for (const [top, key, value] of edits) {
        if (typeof doc[top] === 'object' && doc[top] !== null) doc[top]![key] = value;
        else (doc as Record<string, unknown>)[top] = value;
      }
      return doc;
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.jsonValue({ maxDepth: 4 }), mutated), { maxLength: 5 }), (docs) => {
        const report = validateSet(docs.map((doc, i) => ({ file: 'fuzz.yaml', index: i + 1, doc })));
        expect(report.checked + report.skipped).toBeLessThanOrEqual(docs.length);
      }),
      RUNS,
    );
  });

  test('YAML files: documents, or a UsageError naming the file and line, never anything else', () => {
    const yamlText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom('a: 1', '- x', 'key: [1, 2', '&a x', '*a', '---', '  nested: {', '"unterminated', 'k: !!binary ZZ', '? complex', '%YAML 1.2', 'tab:\tv', 'x: &b [*b]'), { maxLength: 12 }).map((l) => l.join('\n')),
    );
    const dir = tempFiles({});
    let n = 0;
    fc.assert(
      fc.property(yamlText, (text) => {
        const file = `${dir}/f${++n}.yaml`;
        writeFileSync(file, text);
        try {
          loadDocuments([file]);
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
          expect(e.message.startsWith(file)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
