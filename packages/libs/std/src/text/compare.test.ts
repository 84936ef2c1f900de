import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { textCompare } from './compare.js';

const text = 'std/text/compare';
const char = 'std/text/compare/char';

function treatmentOf(area: string, name: string): TreatmentDescriptor {
  const d = textCompare.find((e) => e.kind === 'treatment' && e.area === area && e.name === name);
  assert.ok(d !== undefined, name);
  return d as TreatmentDescriptor;
}

function call(area: string, name: string, ...args: Value[]): Value {
  const d = textCompare.find((e) => e.kind === 'function' && e.area === area && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl !== undefined, name);
  return d.impl(args, {});
}

test('text functions: contains, exact, starts_with, ends_with', () => {
  assert.equal(call(text, 'contains', 'hello', 'ell'), true);
  assert.equal(call(text, 'contains', 'hello', 'Ell'), false);
  assert.equal(call(text, 'contains', 'hello', ''), true);
  assert.equal(call(text, 'contains', '', ''), true);
  assert.equal(call(text, 'exact', 'a', 'a'), true);
  assert.equal(call(text, 'exact', 'a', 'a '), false);
  assert.equal(call(text, 'starts_with', 'hello', 'he'), true);
  assert.equal(call(text, 'starts_with', 'hello', 'lo'), false);
  assert.equal(call(text, 'ends_with', 'hello', 'lo'), true);
  assert.equal(call(text, 'ends_with', 'hello', ''), true);
  assert.equal(call(text, 'ends_with', '', 'x'), false);
});

test('text treatments answer once per string, in order', async () => {
  const inputs = { text: { batches: [['hello', 'yellow'], [''], ['low']] } };
  const contains = await runTreatment(treatmentOf(text, 'contains'), { params: { substring: 'low' }, inputs });
  assert.deepEqual(contains.outputs.contains, [false, true, false, true]);
  const exact = await runTreatment(treatmentOf(text, 'exact'), { params: { pattern: 'low' }, inputs });
  assert.deepEqual(exact.outputs.matches, [false, false, false, true]);
  const starts = await runTreatment(treatmentOf(text, 'startsWith'), { params: { pattern: 'he' }, inputs });
  assert.deepEqual(starts.outputs.matches, [true, false, false, false]);
  const ends = await runTreatment(treatmentOf(text, 'endsWith'), { params: { pattern: 'ow' }, inputs });
  assert.deepEqual(ends.outputs.matches, [false, true, false, true]);
  const empty = await runTreatment(treatmentOf(text, 'contains'), { params: { substring: 'x' }, inputs: { text: [] } });
  assert.deepEqual(empty.outputs.contains, []);
});

test('char exact', async () => {
  assert.equal(call(char, 'exact', 'é', 'é'), true);
  assert.equal(call(char, 'exact', 'e', 'é'), false);
  const r = await runTreatment(treatmentOf(char, 'exact'), { params: { reference: '😀' }, inputs: { chars: ['😀', 'a'] } });
  assert.deepEqual(r.outputs.matches, [true, false]);
});

const FUNCS = ['is_alphabetic', 'is_alphanumeric', 'is_ascii', 'is_control', 'is_lowercase', 'is_uppercase', 'is_whitespace'];

/** Character → the class tests that hold for it (as Rust's `char::is_*` answer); the others fail. */
const classes: [string, string[]][] = [
  ['a', ['is_alphabetic', 'is_alphanumeric', 'is_ascii', 'is_lowercase']],
  ['Z', ['is_alphabetic', 'is_alphanumeric', 'is_ascii', 'is_uppercase']],
  ['7', ['is_alphanumeric', 'is_ascii']],
  ['é', ['is_alphabetic', 'is_alphanumeric', 'is_lowercase']],
  ['Ω', ['is_alphabetic', 'is_alphanumeric', 'is_uppercase']],
  ['京', ['is_alphabetic', 'is_alphanumeric']],
  // Numeric categories: Nd (Arabic-Indic three), Nl (Roman numeral, also Alphabetic), No (superscript two).
  ['٣', ['is_alphanumeric']],
  ['Ⅻ', ['is_alphabetic', 'is_alphanumeric', 'is_uppercase']],
  ['²', ['is_alphanumeric']],
  // `ª` is Lowercase (Other_Lowercase) although its category is Lo.
  ['ª', ['is_alphabetic', 'is_alphanumeric', 'is_lowercase']],
  ['\n', ['is_ascii', 'is_control', 'is_whitespace']],
  ['\u007f', ['is_ascii', 'is_control']],
  ['\u0085', ['is_control', 'is_whitespace']],
  ['\u00a0', ['is_whitespace']],
  ['\ufeff', []],
  ['\u200b', []],
  ['_', ['is_ascii']],
  ['😀', []],
  ['𝐀', ['is_alphabetic', 'is_alphanumeric', 'is_uppercase']],
];

test('char class functions follow the Unicode properties', () => {
  for (const [c, holding] of classes) {
    for (const func of FUNCS) assert.equal(call(char, func, c), holding.includes(func), `${func}(${JSON.stringify(c)})`);
  }
});

test('char class treatments answer once per char', async () => {
  const chars = classes.map(([c]) => c);
  for (const func of FUNCS) {
    const name = func.replace(/_(\w)/g, (_, l: string) => l.toUpperCase());
    const r = await runTreatment(treatmentOf(char, name), { inputs: { chars: { batches: [chars.slice(0, 5), chars.slice(5)] } } });
    assert.deepEqual(
      r.outputs.is,
      classes.map(([, holding]) => holding.includes(func)),
      name,
    );
  }
});

test('|is_digit: ASCII digits and Latin letters only, radix 2 to 36', () => {
  assert.equal(call(char, 'is_digit', '7', 10), true);
  assert.equal(call(char, 'is_digit', '7', 8), true);
  assert.equal(call(char, 'is_digit', '8', 8), false);
  assert.equal(call(char, 'is_digit', '1', 2), true);
  assert.equal(call(char, 'is_digit', '2', 2), false);
  assert.equal(call(char, 'is_digit', 'a', 10), false);
  assert.equal(call(char, 'is_digit', 'a', 11), true);
  assert.equal(call(char, 'is_digit', 'B', 11), false);
  assert.equal(call(char, 'is_digit', 'f', 16), true);
  assert.equal(call(char, 'is_digit', 'F', 16), true);
  assert.equal(call(char, 'is_digit', 'g', 16), false);
  assert.equal(call(char, 'is_digit', 'z', 36), true);
  assert.equal(call(char, 'is_digit', 'Z', 36), true);
  assert.equal(call(char, 'is_digit', '@', 36), false);
  assert.equal(call(char, 'is_digit', '[', 36), false);
  assert.equal(call(char, 'is_digit', '`', 36), false);
  assert.equal(call(char, 'is_digit', '{', 36), false);
  // Other Unicode digits and letters do not count.
  assert.equal(call(char, 'is_digit', '٣', 10), false);
  assert.equal(call(char, 'is_digit', '５', 10), false);
  assert.equal(call(char, 'is_digit', 'é', 36), false);
  assert.equal(call(char, 'is_digit', 'ａ', 36), false);
  // Over 36: always false; 0 and 1 (a panic in the reference): false.
  assert.equal(call(char, 'is_digit', '0', 37), false);
  assert.equal(call(char, 'is_digit', '0', 255), false);
  assert.equal(call(char, 'is_digit', '0', 0), false);
  assert.equal(call(char, 'is_digit', '0', 1), false);
});

test('isDigit treatment', async () => {
  const r = await runTreatment(treatmentOf(char, 'isDigit'), {
    params: { base: 16 },
    inputs: {
      chars: {
        batches: [
          ['0', 'f'],
          ['G', 'x'],
        ],
      },
    },
  });
  assert.deepEqual(r.outputs.is, [true, true, false, false]);
  const over = await runTreatment(treatmentOf(char, 'isDigit'), { params: { base: 40 }, inputs: { chars: ['0', 'a'] } });
  assert.deepEqual(over.outputs.is, [false, false]);
  const one = await runTreatment(treatmentOf(char, 'isDigit'), { params: { base: 1 }, inputs: { chars: ['0'] } });
  assert.equal(one.error, undefined);
  assert.deepEqual(one.outputs.is, [false]);
});
