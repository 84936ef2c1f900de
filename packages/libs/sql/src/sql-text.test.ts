import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchStatement, renumber, rowsPerBatch, singleStatement } from './sql-text.js';

test('renumber replaces every occurrence of the symbol, literals included (as the reference)', () => {
  assert.deepEqual(renumber("a = ? AND b = ? OR c = '?'", '?'), { text: "a = $1 AND b = $2 OR c = '$3'", next: 4 });
  assert.equal(renumber('x = :v, y = :v', ':v', 5).text, 'x = $5, y = $6');
  assert.equal(singleStatement('a = ?', '?', false), 'a = ?');
});

test('batch statements repeat the batch part and number across the batch, never the base', () => {
  assert.equal(
    batchStatement('INSERT INTO t (a, b) VALUES ', '(?, ?)', ', ', 3, '?', false),
    'INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)',
  );
  assert.equal(batchStatement('SELECT ? ; ', '(?, ?)', '|', 2, '?', true), 'SELECT ? ; ($1, $2)|($3, $4)');
});

test('rows per batch: min(bind_limit, 65535) / len(bindings); empty bindings or too small a limit is an error', () => {
  assert.equal(rowsPerBatch(65535, 2), 32767);
  assert.equal(rowsPerBatch(100000n, 1), 65535);
  assert.equal(rowsPerBatch(10, 3), 3);
  assert.equal(rowsPerBatch(65535, 2, 32766), 16383);
  assert.throws(() => rowsPerBatch(10, 0), /bindings must not be empty/);
  assert.throws(() => rowsPerBatch(1, 2), /bind_limit \(1\) is smaller/);
});
