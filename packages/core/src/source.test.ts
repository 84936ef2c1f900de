import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceFile } from './source.js';

test('columns count code points; CRLF lines are read as lines', () => {
  const f = new SourceFile('t', 'ab\r\n😀x y\n');
  assert.deepEqual(f.position(0), { line: 1, column: 1 });
  assert.deepEqual(f.position(4), { line: 2, column: 1 });
  assert.deepEqual(f.position(6), { line: 2, column: 2 }); // after the astral character (2 UTF-16 units)
  assert.equal(f.lineText(1), 'ab');
  assert.equal(f.lineText(2), '😀x y');
});
