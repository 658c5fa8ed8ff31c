// checkJson agrees with JSON.parse on what is JSON (the grammar both follow), and bounds nesting.
import fc from 'fast-check';
import { checkJson, endObjectWith, jsonString } from '../../lib/json.js';

const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 400) };
const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const agrees = (text: string) => expect(checkJson(Buffer.from(text, 'utf8'), 1000)).toBe(parses(text) ? 'json' : 'not-json');

/** JSON text, then cut, doubled or spliced with one of the grammar's characters: mostly near-misses. */
const nearJson = fc
  .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', ':', '"', '\\', '{', '}', '[', ']', '-', '.', 'e', '0', ' ', '\u0001', 'u', 'tru', 'nul', '1e+'), fc.constantFrom('cut', 'insert', 'replace'))
  .map(([text, at, piece, how]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'cut') return text.slice(0, i);
    return text.slice(0, i) + piece + text.slice(how === 'insert' ? i : i + 1);
  });

describe('checkJson', () => {
  test.each([
    ['{}'], ['[]'], ['0'], ['-0'], ['-12.5e+3'], ['1E2'], ['"a\\u00e9\\n\\/"'], ['true'], ['false'], ['null'],
    [' {"a" : [ true , false , null ] } '], ['{"a":{"b":{"c":[[]]}}}'], ['{"":""}'], ['"\\ud800"'], ['{"a":1,"a":2}'],
    ['{"a":1,}'], ['[1,]'], ['01'], ['1.'], ['.5'], ['+1'], ['1e'], ['-'], ['"\u0001"'], ['"\t"'], ['{"a" 1}'], ['{a:1}'],
    ['tru'], ['nulll'], ['[1 2]'], ['{"a":1}x'], ['"\\x"'], ['"\\u12"'], ["'a'"], ['[,1]'], ['{,}'], [''], ['   '], ['\ufeff{}'],
    ['[1]]'], ['{"a":1}}'], ['[}'], ['{]'], ['"abc'], ['"' + 'x'.repeat(100) + '\\"' + 'y'.repeat(30) + '"'], ['NaN'], ['Infinity'],
  ])('%j as JSON.parse says', (text) => agrees(text));

  test('every JSON text is JSON', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), agrees), RUNS);
  });

  test('near-misses and arbitrary text: JSON exactly when JSON.parse takes it', () => {
    fc.assert(fc.property(fc.oneof(nearJson, fc.string({ maxLength: 40 }), fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '1', ' ', '\\', 'n', 'u', 'l', 'e', '-', '.'), maxLength: 30 })), agrees), RUNS);
  });

  test('nesting deeper than the bound is too deep, at the bound it is JSON', () => {
    expect(checkJson(Buffer.from(`${'['.repeat(5)}${']'.repeat(5)}`), 5)).toBe('json');
    expect(checkJson(Buffer.from(`${'['.repeat(6)}${']'.repeat(6)}`), 5)).toBe('too-deep');
    expect(checkJson(Buffer.from(`${'{"a":'.repeat(6)}1${'}'.repeat(6)}`), 5)).toBe('too-deep');
    // Iterative: a million levels are refused, not a stack overflow.
    expect(checkJson(Buffer.from('['.repeat(1_000_000)), 256)).toBe('too-deep');
    // A deeper bound than any before still checks (the stack of openers grows).
    expect(checkJson(Buffer.from(`${'['.repeat(2000)}${']'.repeat(2000)}`), 5000)).toBe('json');
  });

  test('a key asked about is found among the top-level members only, as written', () => {
    const key = Buffer.from('specversion');
    const check = (text: string) => checkJson(Buffer.from(text), 10, key);
    expect(check('{"specversion":"1.0","id":"x"}')).toBe('json-with-key');
    expect(check('{"id":"x", "specversion" : 1}')).toBe('json-with-key');
    expect(check('{"data":{"specversion":"1.0"}}')).toBe('json');
    expect(check('["specversion"]')).toBe('json');
    expect(check('{"id":"specversion"}')).toBe('json');
    expect(check('{"specversionx":1,"xspecversion":2}')).toBe('json');
    expect(check('{"specversion":1,}')).toBe('not-json');
    expect(checkJson(Buffer.from('{"specversion":1}'), 10)).toBe('json');
  });

  test('bytes outside strings that are not ASCII are not JSON; inside strings they are the caller\'s UTF-8 check', () => {
    expect(checkJson(Buffer.from([0x7b, 0xff, 0x7d]), 10)).toBe('not-json');
    expect(checkJson(Buffer.from([0x22, 0xc3, 0xa9, 0x22]), 10)).toBe('json');
  });
});

describe('endObjectWith and jsonString', () => {
  test('any text before any JSON value makes the object JSON.stringify would write', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (text, value) => {
        const bytes = endObjectWith(`{"text":${jsonString(text)},"value":`, Buffer.from(JSON.stringify(value)));
        expect(bytes.toString('utf8')).toBe(JSON.stringify({ text, value }));
      }),
    );
  });
});
