// JSON text looked at without being parsed, in one pass over its bytes. Pure.
// - checkJson: whether bytes are JSON at all. The event source forwards a JSON payload as the bytes it came in
//   (spliced into the structured envelope, or as a sink's body), so it needs to know only that the bytes are JSON,
//   never their value: JSON.parse builds the value (for a 1 KiB object of small fields, 11 µs and a few KiB of
//   garbage per event on the bench machine) and this pass builds nothing (3.5–4 µs). Grammar: RFC 8259 §2–§7, which
//   is also ECMA-404's and JSON.parse's; UTF-8 validity is the caller's check.
// - scanJson: for JSON already known to parse (a bus message), how deep it nests and where its `data` lies.
// - jsonString: a string as JSON text, without JSON.stringify when nothing in it needs escaping.
// - endObjectWith: an object's opening text, a member value's JSON bytes and the closing brace, in one buffer.

/**
 * What a payload is: JSON, not JSON, or JSON nested deeper than the caller allows; 'json-with-key' when it is a JSON
 * object with a member named the key the caller asked about.
 */
export type JsonCheck = 'json' | 'json-with-key' | 'not-json' | 'too-deep';

const byteSet = (chars: string | number[]): Uint8Array => {
  const set = new Uint8Array(256);
  for (const c of typeof chars === 'string' ? Array.from(chars, (ch) => ch.charCodeAt(0)) : chars) set[c] = 1;
  return set;
};
const SPACE = byteSet(' \t\n\r');
/** Bytes that end the plain run of a string: its closing quote, an escape, or a control character (not allowed). */
const STRING_STOP = byteSet([...Array.from({ length: 0x20 }, (_, i) => i), 0x22, 0x5c]);
const HEX = byteSet('0123456789abcdefABCDEF');
const ESCAPED = byteSet('"\\/bfnrt');
const DIGIT = byteSet('0123456789');
const [QUOTE, COLON, COMMA, OPEN_OBJECT, OPEN_ARRAY] = [0x22, 0x3a, 0x2c, 0x7b, 0x5b];
/** `}` and `]` are their openers + 2. */
const CLOSE_OFFSET = 2;

/** The index after the string that opens at `i`, or -1 when it is not a valid string. */
function stringEnd(b: Uint8Array, i: number, n: number): number {
  i++;
  for (;;) {
    // Most strings (keys, short values) end within a few bytes; a long one runs eight bytes at a time.
    const short = Math.min(i + 16, n);
    while (i < short && STRING_STOP[b[i]!] === 0) i++;
    if (i === short) while (i + 8 <= n && (STRING_STOP[b[i]!]! | STRING_STOP[b[i + 1]!]! | STRING_STOP[b[i + 2]!]! | STRING_STOP[b[i + 3]!]! | STRING_STOP[b[i + 4]!]! | STRING_STOP[b[i + 5]!]! | STRING_STOP[b[i + 6]!]! | STRING_STOP[b[i + 7]!]!) === 0) i += 8;
    while (i < n && STRING_STOP[b[i]!] === 0) i++;
    if (i >= n) return -1;
    const c = b[i]!;
    if (c === QUOTE) return i + 1;
    if (c !== 0x5c) return -1; // a control character
    const e = b[i + 1]!;
    if (e === 0x75) {
      if ((HEX[b[i + 2]!]! & HEX[b[i + 3]!]! & HEX[b[i + 4]!]! & HEX[b[i + 5]!]!) === 0) return -1;
      i += 6;
    } else if (ESCAPED[e] === 1) i += 2;
    else return -1;
  }
}

/** The index after the number that starts at `i`, or -1. */
function numberEnd(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (DIGIT[b[i]!] === 1) while (DIGIT[b[i]!] === 1) i++;
  else return -1;
  if (b[i] === 0x2e) {
    if (DIGIT[b[++i]!] !== 1) return -1;
    while (DIGIT[b[i]!] === 1) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    if (b[++i] === 0x2b || b[i] === 0x2d) i++;
    if (DIGIT[b[i]!] !== 1) return -1;
    while (DIGIT[b[i]!] === 1) i++;
  }
  return i;
}

/** The index of the first byte at or after `i` that is not white space. */
function spaceEnd(b: Uint8Array, i: number, n: number): number {
  while (i < n && SPACE[b[i]!] === 1) i++;
  return i;
}

/** At a member's key: the index after the key, its colon and the space after them, or -1. */
function memberEnd(b: Uint8Array, i: number, n: number): number {
  if (b[i] !== QUOTE || (i = stringEnd(b, i, n)) < 0) return -1;
  i = spaceEnd(b, i, n);
  return b[i] === COLON ? spaceEnd(b, i + 1, n) : -1;
}

/** Whether the string at `i` is `key`, written without escapes (as a key's bytes are compared, not decoded). */
function isKeyAt(b: Uint8Array, i: number, key: Uint8Array): boolean {
  if (b[i + 1 + key.length] !== QUOTE) return false;
  for (let k = 0; k < key.length; k++) if (b[i + 1 + k] !== key[k]) return false;
  return true;
}

/** The opener of each open level; one for all calls (allocating it per call cost more than a small payload's check). */
let openers = new Uint8Array(257);

/**
 * Whether `bytes` are one JSON text, nested at most `maxDepth` levels, and, given a `key`, whether it is an object
 * with a member of that name. No allocation beyond the stack of open containers; iterative, so no input can overflow
 * the call stack. (No closures: a captured index is a context slot, which made this 3× slower.)
 */
export function checkJson(b: Uint8Array, maxDepth: number, key?: Uint8Array): JsonCheck {
  const n = b.length;
  let keyed = false;
  if (openers.length <= maxDepth) openers = new Uint8Array(maxDepth + 1);
  const open = openers;
  let depth = 0;
  let i = spaceEnd(b, 0, n);
  for (;;) {
    // A value starts at i.
    const c = b[i];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return 'too-deep';
      open[depth] = c;
      i = spaceEnd(b, i + 1, n);
      if (b[i] === c + CLOSE_OFFSET) {
        i++;
        depth--;
      } else if (c === OPEN_ARRAY) continue;
      else {
        if (depth === 1 && key && isKeyAt(b, i, key)) keyed = true;
        if ((i = memberEnd(b, i, n)) >= 0) continue;
        return 'not-json';
      }
    } else if (c === QUOTE) i = stringEnd(b, i, n);
    // true, false, null: compared byte by byte in place (a loop over a word's bytes cost 50 ns a literal)
    else if (c === 0x74) i = b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
    else if (c === 0x66) i = b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
    else if (c === 0x6e) i = b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
    else if (c === undefined) return 'not-json';
    else i = numberEnd(b, i);
    if (i < 0) return 'not-json';
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      i = spaceEnd(b, i, n);
      if (depth === 0) return i !== n ? 'not-json' : keyed ? 'json-with-key' : 'json';
      const d = b[i];
      if (d === COMMA) {
        i = spaceEnd(b, i + 1, n);
        if (open[depth] === OPEN_OBJECT) {
          if (depth === 1 && key && isKeyAt(b, i, key)) keyed = true;
          if ((i = memberEnd(b, i, n)) < 0) return 'not-json';
        }
        break;
      }
      if (d !== open[depth]! + CLOSE_OFFSET) return 'not-json';
      i++;
      depth--;
    }
  }
}

/**
 * Nesting allowed in JSON we parse. V8 parses any depth, but walking the result (JSON.stringify, structuredClone,
 * a condition) overflows the stack near 10 000 levels; a message that deep is an attack or a bug, never data.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * One pass over JSON text: whether it nests deeper than `max`, and, for an object, where the value of its top-level
 * member "data" lies (the last one, as JSON.parse keeps the last). Strings are skipped; a key written with escapes
 * is not recognised, which only costs the shortcut that uses the range.
 */
export function scanJson(bytes: Uint8Array, max = MAX_JSON_DEPTH): { deep: boolean; data?: { start: number; end: number } } {
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let expectKey = false; // at depth 1, after "{" or ","
  let dataKey = false; // the key just read at depth 1 is "data"
  let awaitingValue = false; // after `"data":`
  let start = -1;
  let end = -1;
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    if (inString) {
      // The closing quote, then checked for an odd run of backslashes before it. Most strings (keys, attribute
      // values) end within a few bytes, where a call into the native search costs more than looking; a long one is
      // left to it.
      const short = Math.min(i + 24, bytes.length);
      while (i < short && bytes[i] !== 0x22) i++;
      if (i === short) i = buffer.indexOf(0x22, i);
      if (i < 0) break;
      let escapes = 0;
      while (bytes[i - 1 - escapes] === 0x5c) escapes++;
      if (escapes % 2 === 0) {
        inString = false;
        if (expectKey) {
          expectKey = false;
          // "data": d a t a between the quotes
          dataKey = i - stringStart === 5 && bytes[stringStart + 1] === 0x64 && bytes[stringStart + 2] === 0x61 && bytes[stringStart + 3] === 0x74 && bytes[stringStart + 4] === 0x61;
        }
      }
      continue;
    }
    const b = bytes[i]!;
    if (awaitingValue && SPACE[b] !== 1) {
      awaitingValue = false;
      start = i;
      end = -1;
    }
    if (b === 0x22) {
      inString = true;
      stringStart = i;
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > max) return { deep: true };
      if (depth === 1) expectKey = b === 0x7b;
    } else if (b === 0x7d || b === 0x5d) {
      if (depth-- === 1 && start >= 0 && end < 0) end = i;
    } else if (depth === 1) {
      if (b === 0x2c) {
        expectKey = true;
        if (start >= 0 && end < 0) end = i;
      } else if (b === 0x3a && dataKey) {
        dataKey = false;
        awaitingValue = true;
      }
    }
  }
  if (start < 0 || end < 0) return { deep: false };
  while (end > start && SPACE[bytes[end - 1]!] === 1) end--;
  return { deep: false, data: { start, end } };
}

/** Characters JSON.stringify would escape in a string (surrogates: a lone one is escaped, pairs go the slow way too). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON text: quoted as it is when nothing in it needs escaping (ids, times, subjects, header values);
 * with the id, time and subject of a source's event, ≈ 0.2 µs an encoding less than JSON.stringify.
 */
export const jsonString = (value: string): string => (NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`);

/**
 * `head` (an object's JSON text up to a member's value), then `value` (that value's JSON bytes, spliced in as they
 * are) and the closing brace, in one allocation: how JSON data is forwarded without being parsed and serialised again.
 */
export function endObjectWith(head: string, value: Uint8Array): Buffer {
  const length = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(length + value.length + 1);
  out.write(head, 0, 'utf8');
  out.set(value, length);
  out[length + value.length] = 0x7d; // }
  return out;
}
