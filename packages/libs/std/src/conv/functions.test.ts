import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor, Value } from '@tutti/core';
import { typeOf } from '@tutti/engine/testing';
import { conv } from '../conv.js';

const DATA = { Json: 'json::Json', Ip: 'net/ip::Ip' };

/** Calls `|name<T>(value)`. */
function call(name: string, t: string, value: Value): Value {
  const d = conv.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor | undefined;
  assert.ok(d?.impl, `|${name} has an implementation`);
  return d.impl([value], { T: typeOf(t, DATA) });
}

const bytes = (...b: number[]) => Uint8Array.from(b);
const ff = (n: number) => new Uint8Array(n).fill(0xff);
const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const I128_MIN = -(1n << 127n);

test('every function and treatment has a behaviour', () => {
  assert.equal(conv.filter((e) => e.kind === 'function' && e.impl !== undefined).length, 46);
  assert.equal(conv.filter((e) => e.kind === 'treatment' && e.run !== undefined).length, 46);
});

test('|to_void', () => {
  assert.equal(call('to_void', 'u8', 3), undefined);
  assert.equal(call('to_void', 'Vec<string>', ['a']), undefined);
});

test('|to_bytes: big-endian numbers over the type width', () => {
  assert.deepEqual(call('to_bytes', 'i8', -1), bytes(0xff));
  assert.deepEqual(call('to_bytes', 'u8', 7), bytes(7));
  assert.deepEqual(call('to_bytes', 'i16', -2), bytes(0xff, 0xfe));
  assert.deepEqual(call('to_bytes', 'u16', 258), bytes(1, 2));
  assert.deepEqual(call('to_bytes', 'i32', 0x01020304), bytes(1, 2, 3, 4));
  assert.deepEqual(call('to_bytes', 'u32', 4294967295), ff(4));
  assert.deepEqual(call('to_bytes', 'i64', -1), ff(8));
  assert.deepEqual(call('to_bytes', 'i64', 9007199254740993n), bytes(0, 0x20, 0, 0, 0, 0, 0, 1));
  assert.deepEqual(call('to_bytes', 'u64', U64_MAX), ff(8));
  assert.deepEqual(call('to_bytes', 'u64', 1), bytes(0, 0, 0, 0, 0, 0, 0, 1));
  assert.deepEqual(call('to_bytes', 'i128', -1), ff(16));
  assert.deepEqual(call('to_bytes', 'i128', I128_MIN), bytes(0x80, ...new Array(15).fill(0)));
  assert.deepEqual(call('to_bytes', 'u128', U128_MAX), ff(16));
  assert.deepEqual(call('to_bytes', 'u128', 1), bytes(...new Array(15).fill(0), 1));
  assert.deepEqual(call('to_bytes', 'f32', 1), bytes(0x3f, 0x80, 0, 0));
  assert.deepEqual(call('to_bytes', 'f32', Number.NaN), bytes(0x7f, 0xc0, 0, 0));
  assert.deepEqual(call('to_bytes', 'f32', Math.fround(0.1)), bytes(0x3d, 0xcc, 0xcc, 0xcd));
  assert.deepEqual(call('to_bytes', 'f64', 1), bytes(0x3f, 0xf0, 0, 0, 0, 0, 0, 0));
  assert.deepEqual(call('to_bytes', 'f64', -0), bytes(0x80, 0, 0, 0, 0, 0, 0, 0));
  assert.deepEqual(call('to_bytes', 'f64', Number.NEGATIVE_INFINITY), bytes(0xff, 0xf0, 0, 0, 0, 0, 0, 0));
});

test('|to_bytes: other types', () => {
  assert.deepEqual(call('to_bytes', 'bool', true), bytes(1));
  assert.deepEqual(call('to_bytes', 'bool', false), bytes(0));
  assert.deepEqual(call('to_bytes', 'byte', 0x2a), bytes(0x2a));
  assert.deepEqual(call('to_bytes', 'char', 'é'), bytes(0xc3, 0xa9));
  assert.deepEqual(call('to_bytes', 'string', 'a😀'), bytes(0x61, 0xf0, 0x9f, 0x98, 0x80));
  assert.deepEqual(call('to_bytes', 'string', ''), bytes());
  assert.deepEqual(call('to_bytes', 'void', undefined), bytes());
  assert.deepEqual(call('to_bytes', 'Option<u16>', 258), bytes(1, 2));
  assert.deepEqual(call('to_bytes', 'Option<u16>', null), bytes());
  assert.deepEqual(call('to_bytes', 'Json', {}), bytes());
  // The reference's quirk, reproduced: the function gives nothing for vectors.
  assert.deepEqual(call('to_bytes', 'Vec<u8>', [1, 2]), bytes());
  assert.deepEqual(call('to_bytes', 'Option<Vec<u8>>', [1, 2]), bytes());
});

test('|to_<int>: lossless widenings keep the value', () => {
  assert.equal(call('to_i8', 'i8', -128), -128);
  assert.equal(call('to_i16', 'u8', 255), 255);
  assert.equal(call('to_i32', 'u16', 65535), 65535);
  assert.equal(call('to_i64', 'u32', 4294967295), 4294967295);
  assert.equal(call('to_i64', 'i64', -(1n << 63n)), -(1n << 63n));
  assert.equal(call('to_i128', 'u64', U64_MAX), U64_MAX);
  assert.equal(call('to_i128', 'i128', I128_MIN), I128_MIN);
  assert.equal(call('to_u8', 'byte', 0x2a), 42);
  assert.equal(call('to_u64', 'u64', 9007199254740993n), 9007199254740993n);
  assert.equal(call('to_u128', 'u128', U128_MAX), U128_MAX);
  assert.throws(() => call('to_i8', 'u8', 1), /Type 'u8' does not implement 'ToI8'/);
  assert.throws(() => call('to_u64', 'i64', 1), /does not implement 'ToU64'/);
});

test('|to_f32 and |to_f64 round every number', () => {
  assert.equal(call('to_f32', 'u128', U128_MAX), Number.POSITIVE_INFINITY);
  assert.equal(call('to_f32', 'i128', I128_MIN), -(2 ** 127));
  assert.equal(call('to_f32', 'i64', 9007199254740993n), 9007199254740992);
  assert.equal(call('to_f32', 'i32', 16777217), 16777216);
  assert.equal(call('to_f32', 'f64', 0.1), Math.fround(0.1));
  assert.equal(call('to_f32', 'f64', 1e39), Number.POSITIVE_INFINITY);
  assert.equal(call('to_f32', 'f64', -1e39), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(call('to_f32', 'f64', Number.NaN)));
  assert.ok(Object.is(call('to_f32', 'f64', -0), -0));
  assert.equal(call('to_f64', 'u128', U128_MAX), 2 ** 128);
  assert.equal(call('to_f64', 'u64', 9007199254740993n), 9007199254740992);
  assert.equal(call('to_f64', 'f32', Math.fround(0.1)), Math.fround(0.1));
  assert.equal(call('to_f64', 'i8', -3), -3);
});

test('|to_bool, |to_byte, |to_char', () => {
  assert.equal(call('to_bool', 'i32', 0), false);
  assert.equal(call('to_bool', 'i32', -5), true);
  assert.equal(call('to_bool', 'u128', U128_MAX), true);
  assert.equal(call('to_bool', 'byte', 0), false);
  assert.equal(call('to_bool', 'byte', 0x80), true);
  assert.equal(call('to_bool', 'bool', true), true);
  assert.equal(call('to_byte', 'u8', 200), 200);
  assert.equal(call('to_byte', 'bool', true), 1);
  assert.equal(call('to_byte', 'bool', false), 0);
  assert.equal(call('to_byte', 'byte', 0xff), 0xff);
  assert.equal(call('to_char', 'char', 'é'), 'é');
  assert.throws(() => call('to_bool', 'f32', 1), /does not implement 'ToBool'/);
});

test('|to_string', () => {
  assert.equal(call('to_string', 'i64', (1n << 63n) - 1n), '9223372036854775807');
  assert.equal(call('to_string', 'i128', I128_MIN), '-170141183460469231731687303715884105728');
  assert.equal(call('to_string', 'u8', 0), '0');
  assert.equal(call('to_string', 'f32', Math.fround(0.1)), '0.1');
  assert.equal(call('to_string', 'f64', 1), '1');
  assert.equal(call('to_string', 'f64', 0.5), '0.5');
  assert.equal(call('to_string', 'f64', Number.NaN), 'NaN');
  assert.equal(call('to_string', 'f64', Number.POSITIVE_INFINITY), 'inf');
  assert.equal(call('to_string', 'f32', Number.NEGATIVE_INFINITY), '-inf');
  assert.equal(call('to_string', 'f64', -0), '-0');
  assert.equal(call('to_string', 'f64', 1e300), `1${'0'.repeat(300)}`);
  assert.equal(call('to_string', 'f64', 1e-7), '0.0000001');
  assert.equal(call('to_string', 'bool', false), 'false');
  assert.equal(call('to_string', 'byte', 0x0a), '0a');
  assert.equal(call('to_string', 'char', '\n'), '\n');
  assert.equal(call('to_string', 'string', 'a "b"'), 'a "b"');
  assert.equal(call('to_string', 'void', undefined), '');
  const ip = { toString: () => '10.0.0.1' };
  assert.equal(call('to_string', 'Ip', ip), '10.0.0.1');
  assert.equal(call('try_to_string', 'Ip', ip), '10.0.0.1');
  assert.throws(() => call('to_string', 'Ip', {}), /no method 'toString'/);
  assert.throws(() => call('try_to_string', 'Ip', {}), /no method 'tryToString'/);
});

test('|try_to_<int> from integers: none when out of range', () => {
  assert.equal(call('try_to_u8', 'i32', 300), null);
  assert.equal(call('try_to_u8', 'i32', -1), null);
  assert.equal(call('try_to_u8', 'i32', 255), 255);
  assert.equal(call('try_to_i8', 'u128', U128_MAX), null);
  assert.equal(call('try_to_i8', 'i8', -128), -128);
  assert.equal(call('try_to_u64', 'i128', -1), null);
  assert.equal(call('try_to_u64', 'i128', U64_MAX), U64_MAX);
  assert.equal(call('try_to_u64', 'i128', U64_MAX + 1n), null);
  assert.equal(call('try_to_i64', 'u64', 1n << 63n), null);
  assert.equal(call('try_to_i64', 'u64', (1n << 63n) - 1n), (1n << 63n) - 1n);
  assert.equal(call('try_to_i64', 'u64', 9007199254740993n), 9007199254740993n);
  assert.equal(call('try_to_u128', 'i128', I128_MIN), null);
  assert.equal(call('try_to_i128', 'u128', U128_MAX), null);
  assert.equal(call('try_to_i128', 'u128', (1n << 127n) - 1n), (1n << 127n) - 1n);
  assert.equal(call('try_to_i16', 'u8', 255), 255);
});

test('|try_to_<int> from floats: none for NaN, infinities, out of range; else truncation', () => {
  assert.equal(call('try_to_i32', 'f64', Number.NaN), null);
  assert.equal(call('try_to_i32', 'f64', Number.POSITIVE_INFINITY), null);
  assert.equal(call('try_to_i32', 'f32', Number.NEGATIVE_INFINITY), null);
  assert.equal(call('try_to_i32', 'f64', 3.9), 3);
  assert.equal(call('try_to_i32', 'f64', -3.9), -3);
  assert.ok(Object.is(call('try_to_i32', 'f64', -0.9), 0));
  assert.equal(call('try_to_u8', 'f64', 255.5), null);
  assert.equal(call('try_to_u8', 'f64', -0.5), null);
  assert.equal(call('try_to_u64', 'f64', 2 ** 60), 1n << 60n);
  assert.equal(call('try_to_u64', 'f64', 1e20), null);
  assert.equal(call('try_to_u64', 'f64', 2 ** 64), U64_MAX);
  assert.equal(call('try_to_i64', 'f64', -(2 ** 63)), -(1n << 63n));
  assert.equal(call('try_to_i32', 'f32', 2 ** 31), 2147483647);
  assert.equal(call('try_to_u128', 'f64', 1e300), null);
  assert.equal(call('try_to_i128', 'f64', -1e38), -99999999999999997748809823456034029568n);
});

test('|try_to_f32/f64, bool, byte, char, string never give none for core types', () => {
  assert.equal(call('try_to_f32', 'f64', 1e39), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(call('try_to_f32', 'f64', Number.NaN)));
  assert.equal(call('try_to_f32', 'u128', U128_MAX), Number.POSITIVE_INFINITY);
  assert.equal(call('try_to_f64', 'i8', -1), -1);
  assert.equal(call('try_to_f64', 'i128', I128_MIN), -(2 ** 127));
  assert.equal(call('try_to_bool', 'u8', 0), false);
  assert.equal(call('try_to_bool', 'i64', 1n << 60n), true);
  assert.equal(call('try_to_byte', 'bool', true), 1);
  assert.equal(call('try_to_byte', 'u8', 9), 9);
  assert.equal(call('try_to_char', 'char', 'x'), 'x');
  assert.equal(call('try_to_string', 'byte', 0x0a), '0a');
  assert.equal(call('try_to_string', 'f32', Math.fround(0.1)), '0.1');
  assert.equal(call('try_to_string', 'void', undefined), '');
});

test('|saturating_to_<int> clamps; floats as Rust `as`', () => {
  assert.equal(call('saturating_to_u8', 'i32', 300), 255);
  assert.equal(call('saturating_to_u8', 'i32', -5), 0);
  assert.equal(call('saturating_to_i8', 'i128', -(1n << 100n)), -128);
  assert.equal(call('saturating_to_u64', 'u128', U128_MAX), U64_MAX);
  assert.equal(call('saturating_to_i64', 'u128', 5), 5);
  assert.equal(call('saturating_to_u128', 'i8', -1), 0);
  assert.equal(call('saturating_to_i128', 'u128', U128_MAX), (1n << 127n) - 1n);
  assert.equal(call('saturating_to_u16', 'u16', 65535), 65535);
  assert.equal(call('saturating_to_i8', 'f64', Number.NaN), 0);
  assert.equal(call('saturating_to_i8', 'f64', Number.POSITIVE_INFINITY), 127);
  assert.equal(call('saturating_to_i8', 'f32', Number.NEGATIVE_INFINITY), -128);
  assert.equal(call('saturating_to_u128', 'f64', 1e300), U128_MAX);
  assert.equal(call('saturating_to_i128', 'f64', -1e300), I128_MIN);
  assert.equal(call('saturating_to_i32', 'f64', 3.99), 3);
  assert.equal(call('saturating_to_i32', 'f32', -2.5), -2);
  assert.ok(Object.is(call('saturating_to_u8', 'f64', -0.5), 0));
  assert.equal(call('saturating_to_i64', 'f64', 2 ** 60), 1n << 60n);
});

test('|saturating_to_f32/f64 are rounding casts (overflow gives infinity, not f32::MAX)', () => {
  assert.equal(call('saturating_to_f32', 'f64', 1e39), Number.POSITIVE_INFINITY);
  assert.equal(call('saturating_to_f32', 'f64', -1e39), Number.NEGATIVE_INFINITY);
  assert.equal(call('saturating_to_f32', 'u128', U128_MAX), Number.POSITIVE_INFINITY);
  assert.equal(call('saturating_to_f32', 'f64', 0.1), Math.fround(0.1));
  assert.equal(call('saturating_to_f64', 'f32', Math.fround(0.1)), Math.fround(0.1));
  assert.equal(call('saturating_to_f64', 'u64', 9007199254740993n), 9007199254740992);
});

test('data types convert through their own methods', () => {
  const json = (n: unknown) => ({
    tryToI64: () => (typeof n === 'bigint' || typeof n === 'number' ? n : null),
    tryToU64: () => (typeof n === 'number' && n >= 0 ? BigInt(n) : null),
    tryToF64: () => (typeof n === 'number' ? n : null),
    tryToBool: () => (typeof n === 'boolean' ? n : undefined),
    tryToString: () => (typeof n === 'string' ? n : null),
    toString: () => JSON.stringify(n),
  });
  assert.equal(call('try_to_i64', 'Json', json(5)), 5);
  assert.equal(call('try_to_i64', 'Json', json(1n << 62n)), 1n << 62n);
  assert.equal(call('try_to_i64', 'Json', json('x')), null);
  assert.equal(call('try_to_u64', 'Json', json(7)), 7); // canonical: a safe bigint becomes a number
  assert.equal(call('try_to_f64', 'Json', json(0.5)), 0.5);
  assert.equal(call('try_to_bool', 'Json', json(true)), true);
  assert.equal(call('try_to_bool', 'Json', json(1)), null);
  assert.equal(call('try_to_string', 'Json', json('s')), 's');
  assert.equal(call('try_to_string', 'Json', json(1)), null);
  assert.equal(call('to_string', 'Json', json('s')), '"s"');
  assert.throws(() => call('try_to_i8', 'Json', json(1)), /Data type 'Json' has no method 'tryToI8'/);
});
