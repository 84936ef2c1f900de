/**
 * Streaming decoders written after the WHATWG algorithms for the two multi-byte encodings
 * where Node's ICU decoder departs from the standard: EUC-KR (ICU lacks the windows-949
 * extension) and Shift_JIS (ICU swallows an ASCII byte after an invalid lead and refuses
 * 0x80). State (a pending lead byte) carries over from chunk to chunk.
 */
import { eucKrIndex, jis0208Index } from './cjk-indexes.js';
import type { StreamDecoder } from './codec.js';

const utf16 = new TextDecoder('utf-16le');

/** Collects BMP code units (all these encodings produce) and turns them into a string. */
function text(units: Uint16Array, length: number): string {
  return length === 0 ? '' : utf16.decode(units.subarray(0, length));
}

/** WHATWG "EUC-KR decoder". */
export class EucKrDecoder implements StreamDecoder {
  private lead = 0;
  private readonly index = eucKrIndex();

  decode(bytes: Uint8Array): string {
    const out = new Uint16Array(bytes.length + 1);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.lead !== 0) {
        const lead = this.lead;
        this.lead = 0;
        const cp = b >= 0x41 && b <= 0xfe ? this.index[(lead - 0x81) * 190 + (b - 0x41)]! : 0;
        if (cp !== 0) {
          out[n++] = cp;
          continue;
        }
        out[n++] = 0xfffd;
        if (b < 0x80) out[n++] = b; // an ASCII byte is not swallowed
        continue;
      }
      if (b < 0x80) out[n++] = b;
      else if (b >= 0x81 && b <= 0xfe) this.lead = b;
      else out[n++] = 0xfffd;
    }
    return text(out, n);
  }

  finish(): string {
    if (this.lead === 0) return '';
    this.lead = 0;
    return '\ufffd';
  }
}

/** WHATWG "Shift_JIS decoder". */
export class ShiftJisDecoder implements StreamDecoder {
  private lead = 0;
  private readonly index = jis0208Index();

  decode(bytes: Uint8Array): string {
    const out = new Uint16Array(bytes.length + 1);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.lead !== 0) {
        const lead = this.lead;
        this.lead = 0;
        let cp = 0;
        if ((b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfc)) {
          const pointer = (lead - (lead < 0xa0 ? 0x81 : 0xc1)) * 188 + b - (b < 0x7f ? 0x40 : 0x41);
          cp = pointer >= 8836 && pointer <= 10715 ? 0xe000 - 8836 + pointer : this.index[pointer]!;
        }
        if (cp !== 0) {
          out[n++] = cp;
          continue;
        }
        out[n++] = 0xfffd;
        if (b < 0x80) out[n++] = b;
        continue;
      }
      if (b <= 0x80) out[n++] = b;
      else if (b >= 0xa1 && b <= 0xdf) out[n++] = 0xff61 - 0xa1 + b;
      else if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) this.lead = b;
      else out[n++] = 0xfffd;
    }
    return text(out, n);
  }

  finish(): string {
    if (this.lead === 0) return '';
    this.lead = 0;
    return '\ufffd';
  }
}
