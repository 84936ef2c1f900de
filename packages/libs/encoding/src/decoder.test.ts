import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eucKrIndex } from './cjk-indexes.js';
import { createDecoder } from './decoder.js';

/** Decodes `chunks` with a fresh decoder: one string per chunk, then the flush. */
function decode(label: string, ...chunks: number[][]): string[] {
  const d = createDecoder(label);
  return [...chunks.map((c) => d.decode(Uint8Array.from(c))), d.finish()];
}
const hex = (s: string) => Array.from(s, (c) => c.codePointAt(0)!.toString(16));

describe('single-byte encodings follow the WHATWG indexes', () => {
  test('latin1 means windows-1252: 0x80–0x9F are €, ‚, …, not C1 controls', () => {
    assert.deepEqual(decode('iso-8859-1', [0x63, 0x61, 0x66, 0xe9, 0x80, 0x82, 0x9f, 0x81]), ['café€‚Ÿ\u0081', '']);
    assert.deepEqual(decode('ascii', [0x80]), ['€', '']);
  });
  test('current tables: KOI8-U ў/Ў, windows-1255 U+05BA, ISO-8859-16', () => {
    assert.deepEqual(hex(decode('koi8-u', [0xae, 0xbe])[0]!), ['45e', '40e']);
    assert.deepEqual(hex(decode('windows-1255', [0xca])[0]!), ['5ba']);
    assert.deepEqual(decode('iso-8859-16', [0xa4, 0xaa]), ['€Ș', '']);
  });
  test('a byte without entry decodes to U+FFFD', () => {
    assert.deepEqual(decode('iso-8859-3', [0xa5]), ['\ufffd', '']);
    assert.deepEqual(decode('windows-874', [0xdb]), ['\ufffd', '']);
  });
  test('x-user-defined maps high bytes to U+F780–U+F7FF', () => {
    assert.deepEqual(hex(decode('x-user-defined', [0x41, 0x80, 0xff])[0]!), ['41', 'f780', 'f7ff']);
  });
});

describe('characters split across chunks are completed by the next chunk', () => {
  test('UTF-8', () => {
    assert.deepEqual(decode('utf-8', [0x61, 0xe2], [0x82], [0xac, 0x62]), ['a', '', '€b', '']);
    assert.deepEqual(decode('utf-8', [0xf0, 0x9f], [0x98, 0x80]), ['', '😀', '']);
  });
  test('UTF-16LE and UTF-16BE', () => {
    assert.deepEqual(decode('utf-16le', [0x41], [0x00, 0x3d, 0xd8], [0x00, 0xde]), ['', 'A', '😀', '']);
    assert.deepEqual(decode('utf-16be', [0x00], [0x41]), ['', 'A', '']);
  });
  test('Shift_JIS, EUC-JP, ISO-2022-JP', () => {
    assert.deepEqual(decode('shift_jis', [0x82], [0xa0, 0x82], [0xa2]), ['', 'あ', 'い', '']);
    assert.deepEqual(decode('euc-jp', [0xa4], [0xa2]), ['', 'あ', '']);
    assert.deepEqual(decode('iso-2022-jp', [0x1b, 0x24], [0x42, 0x24], [0x22, 0x1b, 0x28, 0x42, 0x41]), ['', '', 'あA', '']);
  });
  test('gb18030 four-byte sequences, EUC-KR, Big5', () => {
    assert.deepEqual(decode('gb18030', [0x94, 0x39], [0xfc], [0x36]), ['', '', '😀', '']);
    assert.deepEqual(decode('euc-kr', [0x8c], [0x63, 0xb9], [0xe6]), ['', '똠', '방', '']);
    assert.deepEqual(decode('big5', [0xa4], [0xa4]), ['', '中', '']);
    assert.deepEqual(decode('gbk', [0x81, 0x30], [0x81, 0x30, 0x80]), ['', '\u0080€', '']);
  });
  test('single-byte chunks of one byte lose nothing (the reference loses characters on small chunks: fixed)', () => {
    const bytes = [0xe2, 0x82, 0xac, 0x20, 0xc3, 0xa9];
    assert.equal(decode('utf-8', ...bytes.map((b) => [b])).join(''), '€ é');
  });
});

describe('end of stream and invalid input', () => {
  test('a truncated tail becomes U+FFFD at the flush instead of failing (the reference panics: fixed)', () => {
    assert.deepEqual(decode('utf-8', [0x61, 0xe2, 0x82]), ['a', '\ufffd']);
    assert.deepEqual(decode('shift_jis', [0x82]), ['', '\ufffd']);
    assert.deepEqual(decode('euc-kr', [0xb0]), ['', '\ufffd']);
    assert.deepEqual(decode('gb18030', [0x81, 0x30]), ['', '\ufffd']);
  });
  test('invalid sequences become U+FFFD; an ASCII byte after a bad lead is kept', () => {
    assert.deepEqual(decode('utf-8', [0xff, 0x41]), ['\ufffdA', '']);
    assert.deepEqual(decode('shift_jis', [0x82, 0x41, 0x80]), ['\ufffdA\u0080', '']);
    assert.deepEqual(decode('euc-kr', [0xb0, 0x20, 0x80]), ['\ufffd \ufffd', '']);
  });
  test('an empty stream gives just the (empty) flush', () => {
    assert.deepEqual(decode('utf-8'), ['']);
  });
});

describe('BOM sniffing overrides the label', () => {
  test('a UTF-8 BOM is removed and selects UTF-8', () => {
    assert.deepEqual(decode('latin1', [0xef, 0xbb, 0xbf, 0xc3, 0xa9]), ['é', '']);
  });
  test('a BOM split across chunks', () => {
    assert.deepEqual(decode('utf-8', [0xef], [0xbb], [0xbf, 0x41]), ['', '', 'A', '']);
    assert.deepEqual(decode('utf-8', [0xfe], [0xff, 0x00, 0x41]), ['', 'A', '']);
  });
  test('UTF-16 BOMs select their byte order', () => {
    assert.deepEqual(decode('utf-8', [0xff, 0xfe, 0x41, 0x00]), ['A', '']);
    assert.deepEqual(decode('utf-16le', [0xfe, 0xff, 0x00, 0x41]), ['A', '']);
  });
  test('only the first BOM is removed; a later one is U+FEFF', () => {
    assert.deepEqual(decode('utf-8', [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), ['\ufeff', '']);
  });
  test('a stream that ends inside a possible BOM decodes those bytes with the label', () => {
    assert.deepEqual(decode('latin1', [0xef, 0xbb]), ['', 'ï»']);
    assert.deepEqual(decode('utf-8', [0xef]), ['', '\ufffd']);
  });
});

describe('other encodings', () => {
  test('replacement labels decode non-empty input to one U+FFFD', () => {
    assert.deepEqual(decode('iso-2022-kr', [0x41, 0x42], [0x43]), ['\ufffd', '', '']);
    assert.deepEqual(decode('hz-gb-2312'), ['']);
  });
  test('an unknown label decodes as UTF-8', () => {
    assert.deepEqual(decode('no-such-encoding', [0xc3, 0xa9]), ['é', '']);
  });
  test('EUC-KR is windows-949: the extension syllables are placed in order', () => {
    const index = eucKrIndex();
    const at = (lead: number, trail: number) => index[(lead - 0x81) * 190 + trail - 0x41];
    assert.equal(at(0x81, 0x41), 0xac02);
    assert.equal(at(0x81, 0x5a), 0xac34);
    assert.equal(at(0x81, 0x5b), 0);
    assert.equal(at(0x81, 0x61), 0xac35);
    assert.equal(at(0xa1, 0x41), 0xc8a5);
    assert.equal(at(0xc6, 0x52), 0xd7a3);
    assert.equal(at(0xc6, 0x53), 0);
    assert.equal(at(0xa2, 0xe6), 0x20ac);
    assert.equal(at(0xc9, 0xa1), 0);
    assert.equal(index.filter((cp) => cp >= 0xac00 && cp <= 0xd7a3).length, 11172);
  });
});
