import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { StringMapValue } from '@tutti/lib-std';
import { regexElements } from './regex.js';

const t = (name: string) => regexElements.find((e) => e.kind === 'treatment' && e.name === name) as TreatmentDescriptor;
const f = (name: string) => regexElements.find((e) => e.kind === 'function' && e.name === name) as FunctionDescriptor;
const call = (name: string, ...args: unknown[]) => f(name).impl!(args, {});

describe('treatments', () => {
  test('matches: one bool per text, error closes without a value', async () => {
    const r = await runTreatment(t('matches'), {
      params: { regex: 'an' },
      inputs: {
        text: {
          batches: [
            ['apple', 'banana'],
            ['cherry', 'mango'],
          ],
        },
      },
    });
    assert.deepEqual(r.outputs.matches, [false, true, false, true]);
    assert.deepEqual(r.outputs.error, []);
    assert.equal(r.error, undefined);
  });
  test('an invalid pattern sends the message on error, closes the data output and reads no text', async () => {
    const r = await runTreatment(t('matches'), { params: { regex: '(?=x)' }, inputs: { text: 'open' } });
    assert.deepEqual(r.outputs.matches, []);
    assert.equal(r.outputs.error!.length, 1);
    assert.match(r.outputs.error![0] as string, /^regex parse error:\n/);
    assert.match(r.outputs.error![0] as string, /look-around/);
  });
  test('find: leftmost-first match or none', async () => {
    const r = await runTreatment(t('find'), { params: { regex: 'a|ab' }, inputs: { text: ['xab', 'zz', ''] } });
    assert.deepEqual(r.outputs.found, ['a', null, null]);
  });
  test('capture: named groups that took part, into a StringMap; none without a match', async () => {
    const r = await runTreatment(t('capture'), {
      params: { regex: '(?<key>[a-z_]+)\\s*=\\s*(?<value>[0-9]+)(?<unit>ms)?(x)?' },
      inputs: { text: ['max_retries = 42 # tuned', 'timeout=5ms', 'nothing'] },
    });
    const [a, b, c] = r.outputs.captured as (StringMapValue | null)[];
    assert.ok(a instanceof StringMapValue && b instanceof StringMapValue);
    assert.deepEqual(a.toRecord(), { key: 'max_retries', value: '42' });
    assert.deepEqual(b.toRecord(), { key: 'timeout', value: '5', unit: 'ms' });
    assert.equal(c, null);
  });
  test('capture without named groups gives an empty map on a match', async () => {
    const r = await runTreatment(t('capture'), { params: { regex: '(a)' }, inputs: { text: ['a'] } });
    assert.equal((r.outputs.captured![0] as StringMapValue).size, 0);
  });
  test('replace: first match only, Rust replacement syntax', async () => {
    const r = await runTreatment(t('replace'), {
      params: { regex: '[aeiou]+$', replacer: '*' },
      inputs: { text: ['apple', 'banana', 'cherry', 'mango'] },
    });
    assert.deepEqual(r.outputs.replaced, ['appl*', 'banan*', 'cherry', 'mang*']);
    const s = await runTreatment(t('replace'), { params: { regex: '(?P<w>\\w+)', replacer: '<$w>$1a' }, inputs: { text: ['hi there'] } });
    assert.deepEqual(s.outputs.replaced, ['<hi> there']);
  });
  test('empty input: the data output closes empty', async () => {
    const r = await runTreatment(t('find'), { params: { regex: 'a' }, inputs: { text: [] } });
    assert.deepEqual(r.outputs.found, []);
    assert.deepEqual(r.outputs.error, []);
  });
  test('rule C: stops reading once the consumer is gone', async () => {
    const r = await runTreatment(t('matches'), {
      params: { regex: 'a' },
      inputs: { text: { batches: [['a'], ['b'], ['c']] } },
      outputs: { matches: { take: 1 } },
      capacity: 1,
    });
    assert.deepEqual(r.outputs.matches, [true]);
    assert.equal(r.error, undefined);
  });
  test('an unconnected data output ends the treatment at its first send', async () => {
    const r = await runTreatment(t('replace'), {
      params: { regex: 'a', replacer: 'b' },
      inputs: { text: { batches: [['a'], ['b'], ['c']] } },
      outputs: { replaced: { unconnected: true } },
    });
    assert.equal(r.error, undefined);
  });
});

describe('functions', () => {
  test('|matches: false for an invalid pattern', () => {
    assert.equal(call('matches', 'banana', 'an'), true);
    assert.equal(call('matches', 'cherry', 'an'), false);
    assert.equal(call('matches', 'x', '('), false);
  });
  test('|find: the match or none', () => {
    assert.equal(call('find', 'a1b22', '\\d+'), '1');
    assert.equal(call('find', 'ab', '\\d+'), null);
    assert.equal(call('find', 'ab', '['), null);
  });
  test('|capture: a StringMap or none', () => {
    const m = call('capture', 'k=v', '(?<k>\\w)=(?<v>\\w)') as StringMapValue;
    assert.deepEqual(m.toRecord(), { k: 'k', v: 'v' });
    assert.equal(call('capture', 'k', '(?<k>\\d)'), null);
    assert.equal(call('capture', 'k', '(?<k>'), null);
  });
  test('|replace: the replaced text or none', () => {
    assert.equal(call('replace', 'a-b', '(\\w)-(\\w)', '$2-$1'), 'b-a');
    assert.equal(call('replace', 'a-b', 'x', 'y'), 'a-b');
    assert.equal(call('replace', 'a-b', '(?<=a)', 'y'), null);
  });
});

describe('check-time validation of constant patterns', () => {
  test('treatments report the regex parameter', () => {
    assert.equal(t('matches').validate!({ regex: 'a+' }), undefined);
    assert.equal(t('find').validate!({}), undefined);
    const problem = t('capture').validate!({ regex: '(?<=a)b' });
    assert.equal(problem?.param, 'regex');
    assert.match(problem!.message, /^invalid regex: look-around/);
    assert.equal(t('replace').validate!({ regex: '\\p{Nope}', replacer: 'x' })?.param, 'regex');
  });
  test('functions report the pattern argument; non-literal arguments are skipped', () => {
    assert.equal(f('matches').validate!(['x', 'a+']), undefined);
    assert.equal(f('find').validate!(['x', undefined]), undefined);
    assert.deepEqual(f('replace').validate!([undefined, '(', 'y']), {
      arg: 1,
      message: 'invalid regex: unclosed group (at character 1 of the pattern)',
    });
  });
});
