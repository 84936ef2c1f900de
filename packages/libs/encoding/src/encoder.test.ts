import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDecoder } from './decoder.js';
import { ByteWriter, createEncoder } from './encoder.js';
import { SINGLE_BYTE_INDEXES } from './single-byte-indexes.js';

/** Encodes the strings with one encoder, then finishes; the bytes as hex. */
function encode(label: string, replace: boolean, ...texts: string[]): string {
  const e = createEncoder(label, replace);
  const out = new ByteWriter();
  for (const t of texts) e.encode(t, out);
  e.finish(out);
  return Buffer.from(out.take()).toString('hex');
}

describe('legacy encoders', () => {
  test('windows-1252 (also what latin1 means)', () => {
    assert.equal(encode('windows-1252', false, 'Ünïcödé €5'), 'dc6eef63f664e9208035');
    assert.equal(encode('iso-8859-1', false, '€'), '80');
  });
  test('unmappable characters: dropped, or HTML decimal references with replace', () => {
    assert.equal(encode('windows-1252', false, 'a中b'), '6162');
    assert.equal(encode('windows-1252', true, 'a中b😀'), Buffer.from('a&#20013;b&#128512;').toString('hex'));
    assert.equal(encode('windows-1252', true, 'x\ud800'), Buffer.from('x&#65533;').toString('hex'));
  });
  test('Shift_JIS, EUC-JP, EUC-KR, Big5, GBK, gb18030 (bytes as Python’s cp932, euc_jp, cp949, big5, gbk, gb18030)', () => {
    assert.equal(encode('shift_jis', false, 'こんにちは、世界ｱ①'), '82b182f182c982bf82cd814190a28a45b18740');
    assert.equal(encode('euc-jp', false, 'こんにちは、世界'), 'a4b3a4f3a4cba4c1a4cfa1a2c0a4b3a6');
    assert.equal(encode('euc-kr', false, '똠방각하 한국어'), '8c63b9e6b0a2c7cf20c7d1b1b9beee');
    assert.equal(encode('big5', false, '中文'), 'a4a4a4e5');
    assert.equal(encode('gbk', false, '中文€'), 'd6d0cec480');
    assert.equal(encode('gb18030', false, '中文€\u0080😀'), 'd6d0cec4a2e3813081309439fc36');
  });
  test('Japanese special cases: yen and overline to ASCII bytes, minus sign to fullwidth hyphen', () => {
    assert.equal(encode('shift_jis', false, '¥‾\u2212'), '5c7e817c');
    assert.equal(encode('euc-jp', false, '¥ｱ'), '5c8eb1');
  });
  test('ISO-2022-JP: escapes, state carried across strings, return to ASCII at the end (which the reference omits: fixed)', () => {
    assert.equal(encode('iso-2022-jp', false, 'aこんにちは¥b'), '611b244224332473244b2441244f1b284a5c621b2842');
    assert.equal(encode('iso-2022-jp', false, 'こ', 'ん'), '1b2442243324731b2842');
    assert.equal(encode('iso-2022-jp', false, 'ab'), '6162');
    assert.equal(encode('iso-2022-jp', true, 'あ中\u00e9'), Buffer.from('\x1b$B$"Cf\x1b(B&#233;').toString('hex'));
    assert.equal(encode('iso-2022-jp', true, '\x1b'), Buffer.from('&#65533;').toString('hex'));
    assert.equal(encode('iso-2022-jp', false, 'ｱ'), '1b244225221b2842');
  });
  test('UTF-16 and replacement labels, and unknown labels, encode as UTF-8', () => {
    assert.equal(encode('utf-16le', false, 'é'), 'c3a9');
    assert.equal(encode('iso-2022-kr', false, 'é'), 'c3a9');
    assert.equal(encode('nope', false, 'é'), 'c3a9');
  });
});

describe('round trips', () => {
  test('every byte of every single-byte encoding that decodes also encodes back', () => {
    for (const name of [...Object.keys(SINGLE_BYTE_INDEXES), 'x-user-defined']) {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const text = createDecoder(name).decode(all);
      const mapped = [...all].filter((_, i) => text[i] !== '\ufffd');
      const back = encode(name, false, text.replaceAll('\ufffd', ''));
      assert.equal(back, Buffer.from(mapped).toString('hex'), name);
    }
  });
  test('CJK text survives encode then decode', () => {
    const samples: [string, string][] = [
      ['shift_jis', '日本語のテキスト、ｶﾀｶﾅ ①'],
      ['euc-jp', '日本語のテキスト、ｶﾀｶﾅ'],
      ['iso-2022-jp', 'abc日本語¥def'],
      ['euc-kr', '똠방각하 한국어 텍스트'],
      ['gb18030', '简体中文 €😀\u0080'],
      ['gbk', '简体中文'],
      ['big5', '繁體中文'],
    ];
    for (const [label, text] of samples) {
      const e = createEncoder(label, false);
      const out = new ByteWriter();
      e.encode(text, out);
      e.finish(out);
      const d = createDecoder(label);
      assert.equal(d.decode(out.take()) + d.finish(), text, label);
    }
  });
});
