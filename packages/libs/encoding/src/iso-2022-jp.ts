/**
 * The WHATWG ISO-2022-JP encoder: a state machine over ASCII, JIS X 0201 Roman and
 * JIS X 0208, emitting escape sequences when the state changes. The state carries over
 * from one string to the next; `finish` returns to ASCII, which the
 * reference never does (fixed here so that the output is valid ISO-2022-JP).
 */
import type { ByteWriter } from './byte-writer.js';

const ESC_ASCII = '\x1b(B';
const ESC_ROMAN = '\x1b(J';
const ESC_JIS0208 = '\x1b$B';

let katakana: Uint16Array | undefined;

/**
 * Index ISO-2022-JP katakana: halfwidth U+FF61–U+FF9F to their fullwidth forms. NFKC gives
 * them, except the two sound marks, which the index maps to the spacing forms.
 */
function katakanaIndex(): Uint16Array {
  if (katakana !== undefined) return katakana;
  const t = new Uint16Array(63);
  for (let i = 0; i < 63; i++)
    t[i] = String.fromCharCode(0xff61 + i)
      .normalize('NFKC')
      .charCodeAt(0);
  t[0xff9e - 0xff61] = 0x309b;
  t[0xff9f - 0xff61] = 0x309c;
  katakana = t;
  return t;
}

/** The encoder state machine (one per stream). */
export class Iso2022JpEncoder {
  private state: 'ascii' | 'roman' | 'jis0208' = 'ascii';

  /** @param jis0208 code point → jis0208 pointer (below 94 × 94) */
  constructor(private readonly jis0208: ReadonlyMap<number, number>) {}

  /** Writes `cp`; returns -1, or the code point to report as unmappable. */
  put(cp: number, out: ByteWriter): number {
    // Each "prepend the code point" of the standard is one more turn of this loop.
    for (;;) {
      if (this.state !== 'jis0208' && (cp === 0x0e || cp === 0x0f || cp === 0x1b)) return 0xfffd;
      if (this.state === 'ascii' && cp < 0x80) {
        out.push(cp);
        return -1;
      }
      if (this.state === 'roman' && ((cp < 0x80 && cp !== 0x5c && cp !== 0x7e) || cp === 0xa5 || cp === 0x203e)) {
        out.push(cp < 0x80 ? cp : cp === 0xa5 ? 0x5c : 0x7e);
        return -1;
      }
      if (cp < 0x80) {
        this.switchTo('ascii', out);
        continue;
      }
      if ((cp === 0xa5 || cp === 0x203e) && this.state !== 'roman') {
        this.switchTo('roman', out);
        continue;
      }
      let c = cp === 0x2212 ? 0xff0d : cp;
      if (c >= 0xff61 && c <= 0xff9f) c = katakanaIndex()[c - 0xff61]!;
      const p = this.jis0208.get(c);
      if (p === undefined) {
        if (this.state === 'jis0208') {
          this.switchTo('ascii', out);
          continue;
        }
        return c;
      }
      if (this.state !== 'jis0208') {
        this.switchTo('jis0208', out);
        continue;
      }
      out.push2(Math.floor(p / 94) + 0x21, (p % 94) + 0x21);
      return -1;
    }
  }

  /** Returns to ASCII at the end of the stream. */
  finish(out: ByteWriter): void {
    if (this.state !== 'ascii') this.switchTo('ascii', out);
  }

  private switchTo(state: 'ascii' | 'roman' | 'jis0208', out: ByteWriter): void {
    this.state = state;
    out.pushAscii(state === 'ascii' ? ESC_ASCII : state === 'roman' ? ESC_ROMAN : ESC_JIS0208);
  }
}
