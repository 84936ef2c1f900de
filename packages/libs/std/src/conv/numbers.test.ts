import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INT_TYPES } from '@tutti/core';
import {
  floatBounds,
  floatToIntChecked,
  floatToIntSaturating,
  intToF32,
  intToF64,
  intToIntChecked,
  intToIntSaturating,
} from './numbers.js';

const U128_MAX = (1n << 128n) - 1n;
const I128_MIN = -(1n << 127n);

test('integers to f32 round once, to nearest, ties to even', () => {
  assert.equal(intToF32(16777217), 16777216);
  assert.equal(intToF32(16777219), 16777220);
  assert.equal(intToF32(-3), -3);
  // 2^60 + 2^36 + 1 is just above a binary32 midpoint; via binary64 it would land on the
  // midpoint (the +1 is lost) and then round down to 2^60.
  assert.equal(intToF32((1n << 60n) + (1n << 36n) + 1n), 2 ** 60 + 2 ** 37);
  assert.equal(intToF32((1n << 60n) + (1n << 36n)), 2 ** 60); // exact midpoint: even
  assert.equal(intToF32(-((1n << 60n) + (1n << 36n) + 1n)), -(2 ** 60 + 2 ** 37));
  assert.equal(intToF32(U128_MAX), Number.POSITIVE_INFINITY);
  assert.equal(intToF32(I128_MIN), -(2 ** 127));
  assert.equal(intToF32((1n << 64n) - 1n), 2 ** 64);
});

test('integers to f64 round to nearest', () => {
  assert.equal(intToF64(9007199254740993n), 9007199254740992);
  assert.equal(intToF64(9007199254740995n), 9007199254740996);
  assert.equal(intToF64(U128_MAX), 2 ** 128);
  assert.equal(intToF64(-5), -5);
});

test('saturating float to integer behaves as Rust `as`', () => {
  const { i8, u8, i64, u64, i128, u128 } = INT_TYPES;
  assert.equal(floatToIntSaturating(i8, Number.NaN), 0);
  assert.equal(floatToIntSaturating(i8, 1e9), 127);
  assert.equal(floatToIntSaturating(i8, -1e9), -128);
  assert.equal(floatToIntSaturating(i8, 2.9), 2);
  assert.equal(floatToIntSaturating(i8, -2.9), -2);
  assert.ok(Object.is(floatToIntSaturating(u8, -0.5), 0));
  assert.ok(Object.is(floatToIntSaturating(i8, -0.5), 0));
  assert.equal(floatToIntSaturating(u8, -7), 0);
  assert.equal(floatToIntSaturating(u64, -7), 0);
  assert.equal(floatToIntSaturating(i64, Number.POSITIVE_INFINITY), 9223372036854775807n);
  assert.equal(floatToIntSaturating(i64, Number.NEGATIVE_INFINITY), -9223372036854775808n);
  assert.equal(floatToIntSaturating(i64, 2 ** 60), 1n << 60n);
  assert.equal(floatToIntSaturating(i64, 2 ** 63), 9223372036854775807n);
  assert.equal(floatToIntSaturating(u128, 1e300), U128_MAX);
  assert.equal(floatToIntSaturating(i128, -1e300), I128_MIN);
  assert.equal(floatToIntSaturating(u64, 2 ** 53 - 1), 2 ** 53 - 1);
});

test('checked float to integer uses the bounds as floats, then truncates', () => {
  const { i8, u8, i32, i64, u64, u128 } = INT_TYPES;
  const check = (t: typeof i8, x: number, single = false) => floatToIntChecked(t, floatBounds(t, single), x);
  assert.equal(check(i8, Number.NaN), null);
  assert.equal(check(i8, Number.POSITIVE_INFINITY), null);
  assert.equal(check(i8, Number.NEGATIVE_INFINITY), null);
  assert.equal(check(i8, 127.9), null);
  assert.equal(check(i8, 127), 127);
  assert.equal(check(i8, -128), -128);
  assert.equal(check(i8, -3.7), -3);
  assert.equal(check(u8, 255.5), null);
  assert.equal(check(u8, -0.5), null);
  assert.ok(Object.is(check(u8, -0), 0));
  // `u64::MAX as f64` is 2^64, so 2^64 passes and saturates (the reference's behaviour).
  assert.equal(check(u64, 2 ** 64), (1n << 64n) - 1n);
  assert.equal(check(u64, 1e20), null);
  assert.equal(check(i64, 2 ** 63), 9223372036854775807n);
  assert.equal(check(i64, -(2 ** 63)), -9223372036854775808n);
  assert.equal(check(i32, 2 ** 31, true), 2147483647);
  // u128::MAX as f32 is +inf: every finite non-negative f32 fits.
  assert.equal(check(u128, 3.4028234663852886e38, true), 340282346638528859811704183484516925440n);
});

test('integer to integer: checked and saturating', () => {
  const { i8, u8, i64, u64, i128, u128 } = INT_TYPES;
  assert.equal(intToIntChecked(u8, 300), null);
  assert.equal(intToIntChecked(u8, -1), null);
  assert.equal(intToIntChecked(u8, 255), 255);
  assert.equal(intToIntChecked(i8, U128_MAX), null);
  assert.equal(intToIntChecked(u64, -1), null);
  assert.equal(intToIntChecked(u64, (1n << 64n) - 1n), (1n << 64n) - 1n);
  assert.equal(intToIntChecked(i64, 1n << 63n), null);
  assert.equal(intToIntChecked(i64, (1n << 63n) - 1n), (1n << 63n) - 1n);
  assert.equal(intToIntChecked(u128, I128_MIN), null);
  assert.equal(intToIntChecked(i128, U128_MAX), null);
  assert.equal(intToIntChecked(i64, 2 ** 53 - 1), 2 ** 53 - 1);

  assert.equal(intToIntSaturating(u8, 300), 255);
  assert.equal(intToIntSaturating(u8, -5), 0);
  assert.equal(intToIntSaturating(i8, -(1n << 100n)), -128);
  assert.equal(intToIntSaturating(u64, U128_MAX), (1n << 64n) - 1n);
  assert.equal(intToIntSaturating(u128, -1), 0);
  assert.equal(intToIntSaturating(i128, U128_MAX), (1n << 127n) - 1n);
  assert.equal(intToIntSaturating(i64, 5), 5);
});
