/**
 * Encoders for `encoding::encode`, after the WHATWG encoder algorithms.
 * Node only encodes UTF-8, so the legacy encoders look code points up in reverse tables
 * (single-byte indexes, or the multi-byte indexes derived in `cjk-indexes.ts`). UTF-16 and
 * replacement labels encode as UTF-8, as the standard says.
 *
 * A character the encoding lacks becomes an HTML decimal reference (`&#8364;`) when
 * `replace` is set; otherwise it is dropped (the reference stops
 * encoding the rest of the string there, its documented intent is to drop the character,
 * which we follow).
 */
import { ByteWriter } from './byte-writer.js';
import { big5Index, eucKrIndex, gb18030Index, gb18030RangesPointers, jis0208Index, reverseIndex } from './cjk-indexes.js';
import type { StreamEncoder } from './codec.js';
import { Iso2022JpEncoder } from './iso-2022-jp.js';
import { resolveEncoding } from './labels.js';
import { isSingleByte, singleByteEncodeTable } from './single-byte.js';

/** Writes a code point; returns -1 when written, else the code point to report as unmappable. */
type PutCodePoint = (cp: number, out: ByteWriter) => number;

/** An encoder from a per-code-point function (lone surrogates are encoded as U+FFFD). */
export class CodePointEncoder implements StreamEncoder {
  constructor(
    private readonly put: PutCodePoint,
    private readonly replace: boolean,
    private readonly end: (out: ByteWriter) => void = () => {},
  ) {}

  encode(text: string, out: ByteWriter): void {
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const full = text.codePointAt(i)!;
        if (full > 0xffff) {
          cp = full;
          i++;
        } else cp = 0xfffd;
      }
      const unmapped = this.put(cp, out);
      if (unmapped >= 0 && this.replace) out.pushAscii(`&#${unmapped};`);
    }
  }

  finish(out: ByteWriter): void {
    this.end(out);
  }
}

const utf8 = new TextEncoder();

/** UTF-8 (also for UTF-16 and replacement labels). */
class Utf8Encoder implements StreamEncoder {
  encode(text: string, out: ByteWriter): void {
    out.pushBytes(utf8.encode(text));
  }

  /** Node's own UTF-8 (lone surrogates become U+FFFD, as with TextEncoder); small strings take a slice of Node's buffer pool. */
  encodeAlone(text: string): Uint8Array {
    return Buffer.from(text, 'utf8');
  }

  finish(): void {}
}

function singleByte(encoding: string): PutCodePoint {
  const table = singleByteEncodeTable(encoding);
  return (cp, out) => {
    if (cp < 0x80) out.push(cp);
    else {
      const b = table.get(cp);
      if (b === undefined) return cp;
      out.push(b);
    }
    return -1;
  };
}

function gb18030(gbk: boolean): PutCodePoint {
  const two = reverseIndex(gb18030Index());
  const four = gb18030RangesPointers();
  return (cp, out) => {
    if (cp < 0x80) {
      out.push(cp);
      return -1;
    }
    if (cp === 0xe5e5) return cp;
    if (gbk && cp === 0x20ac) {
      out.push(0x80);
      return -1;
    }
    const p = two.get(cp);
    if (p !== undefined) {
      const trail = p % 190;
      out.push2(Math.floor(p / 190) + 0x81, trail + (trail < 0x3f ? 0x40 : 0x41));
      return -1;
    }
    if (gbk) return cp;
    let q = cp >= 0x10000 ? 189000 + cp - 0x10000 : four.get(cp);
    if (q === undefined) return cp;
    const b1 = Math.floor(q / 12600) + 0x81;
    q %= 12600;
    const b2 = Math.floor(q / 1260) + 0x30;
    q %= 1260;
    out.push2(b1, b2);
    out.push2(Math.floor(q / 10) + 0x81, (q % 10) + 0x30);
    return -1;
  };
}

function big5(): PutCodePoint {
  // Pointers below the 0xA1 lead are HKSCS: never produced; six code points take their last pointer.
  const table = reverseIndex(big5Index(), (0xa1 - 0x81) * 157, undefined, [0x2550, 0x255e, 0x2561, 0x256a, 0x5341, 0x5345]);
  return (cp, out) => {
    if (cp < 0x80) {
      out.push(cp);
      return -1;
    }
    const p = table.get(cp);
    if (p === undefined) return cp;
    const trail = p % 157;
    out.push2(Math.floor(p / 157) + 0x81, trail + (trail < 0x3f ? 0x40 : 0x62));
    return -1;
  };
}

/** The Japanese special cases shared by EUC-JP and Shift_JIS; undefined when not special. */
function japaneseSpecial(cp: number): number | undefined {
  if (cp === 0xa5) return 0x5c;
  if (cp === 0x203e) return 0x7e;
  return undefined;
}

function eucJp(): PutCodePoint {
  const table = reverseIndex(jis0208Index(), 0, 94 * 94);
  return (cp, out) => {
    const special = cp < 0x80 ? cp : japaneseSpecial(cp);
    if (special !== undefined) out.push(special);
    else if (cp >= 0xff61 && cp <= 0xff9f) out.push2(0x8e, cp - 0xff61 + 0xa1);
    else {
      const p = table.get(cp === 0x2212 ? 0xff0d : cp);
      if (p === undefined) return cp;
      out.push2(Math.floor(p / 94) + 0xa1, (p % 94) + 0xa1);
    }
    return -1;
  };
}

function shiftJis(): PutCodePoint {
  // The Shift_JIS pointer skips the NEC-selected IBM extensions (8272–8835): IBM's are used.
  const index = jis0208Index();
  const table = reverseIndex(index, 0, 8272);
  for (const [cp, p] of reverseIndex(index, 8836)) if (!table.has(cp)) table.set(cp, p);
  return (cp, out) => {
    const special = cp <= 0x80 ? cp : japaneseSpecial(cp);
    if (special !== undefined) out.push(special);
    else if (cp >= 0xff61 && cp <= 0xff9f) out.push(cp - 0xff61 + 0xa1);
    else {
      const p = table.get(cp === 0x2212 ? 0xff0d : cp);
      if (p === undefined) return cp;
      const lead = Math.floor(p / 188);
      const trail = p % 188;
      out.push2(lead + (lead < 0x1f ? 0x81 : 0xc1), trail + (trail < 0x3f ? 0x40 : 0x41));
    }
    return -1;
  };
}

function eucKr(): PutCodePoint {
  const table = reverseIndex(eucKrIndex());
  return (cp, out) => {
    if (cp < 0x80) {
      out.push(cp);
      return -1;
    }
    const p = table.get(cp);
    if (p === undefined) return cp;
    out.push2(Math.floor(p / 190) + 0x81, (p % 190) + 0x41);
    return -1;
  };
}

/**
 * An encoder for a WHATWG label (an unknown label means UTF-8).
 *
 * @example
 * ```ts
 * const out = new ByteWriter();
 * createEncoder('windows-1252', false).encode('€5', out);
 * out.take(); // Uint8Array [0x80, 0x35]
 * ```
 */
export function createEncoder(label: string, replace: boolean): StreamEncoder {
  const encoding = resolveEncoding(label);
  if (isSingleByte(encoding)) return new CodePointEncoder(singleByte(encoding), replace);
  switch (encoding) {
    case 'gbk':
      return new CodePointEncoder(gb18030(true), replace);
    case 'gb18030':
      return new CodePointEncoder(gb18030(false), replace);
    case 'big5':
      return new CodePointEncoder(big5(), replace);
    case 'euc-jp':
      return new CodePointEncoder(eucJp(), replace);
    case 'shift_jis':
      return new CodePointEncoder(shiftJis(), replace);
    case 'euc-kr':
      return new CodePointEncoder(eucKr(), replace);
    case 'iso-2022-jp': {
      const jis = new Iso2022JpEncoder(reverseIndex(jis0208Index(), 0, 94 * 94));
      return new CodePointEncoder(
        (cp, out) => jis.put(cp, out),
        replace,
        (out) => jis.finish(out),
      );
    }
    default:
      return new Utf8Encoder();
  }
}

export { ByteWriter };
