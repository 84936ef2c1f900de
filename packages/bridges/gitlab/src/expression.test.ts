import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpressionError, evaluateIf, parseExpression } from './expression.js';

const vars: Record<string, string> = { BRANCH: 'main', EMPTY: '', TAG: 'v1.2.0', PATTERN: '/^v\\d+/', PLAIN: 'v1', MSG: 'Fix: Thing' };
const ev = (e: string): boolean => evaluateIf(e, (n) => vars[n]);

test('comparisons, presence and null follow GitLab', () => {
  assert.equal(ev('$BRANCH == "main"'), true);
  assert.equal(ev("$BRANCH == 'main'"), true);
  assert.equal(ev('${BRANCH} != "main"'), false);
  assert.equal(ev('$BRANCH'), true);
  assert.equal(ev('$EMPTY'), false, 'an empty variable is not present');
  assert.equal(ev('$UNSET'), false);
  assert.equal(ev('$UNSET == null'), true);
  assert.equal(ev('$EMPTY == null'), false, 'empty is not null');
  assert.equal(ev('$EMPTY == ""'), true);
  assert.equal(ev('$UNSET != null'), false);
  assert.equal(ev('"main" == $BRANCH'), true);
});

test('patterns: RE2 with flags, a variable holding /pattern/, null as empty text', () => {
  assert.equal(ev('$TAG =~ /^v\\d+\\.\\d+/'), true);
  assert.equal(ev('$MSG =~ /^fix/'), false);
  assert.equal(ev('$MSG =~ /^fix/i'), true);
  assert.equal(ev('$TAG !~ /^v/'), false);
  assert.equal(ev('$TAG =~ $PATTERN'), true);
  assert.equal(ev('$TAG =~ $PLAIN'), false, 'a variable not in /…/ form is no pattern');
  assert.equal(ev('$UNSET =~ /^$/'), true, 'GitLab matches null as the empty text');
  assert.equal(ev('$UNSET !~ /x/'), true);
});

test('&& binds tighter than ||; parentheses group', () => {
  assert.equal(ev('$UNSET || $BRANCH == "main" && $TAG'), true);
  assert.equal(ev('($UNSET || $BRANCH == "main") && $EMPTY'), false);
  assert.equal(ev('$BRANCH == "dev" || $BRANCH == "main"'), true);
  assert.equal(ev('$BRANCH == "main" && ($TAG =~ /^x/ || $MSG)'), true);
});

test('syntax errors say where', () => {
  assert.throws(() => parseExpression('$A == '), ExpressionError);
  assert.throws(() => parseExpression('$A = "x"'), /unexpected/);
  assert.throws(() => parseExpression('($A == "x"'), /missing '\)'/);
  assert.throws(() => parseExpression('"open'), /unterminated string/);
  assert.throws(() => parseExpression('$A $B'), /after the expression/);
});
