/**
 * Streaming decoding for `encoding::decode`: label → decoder, with the
 * standard's BOM sniffing in front (a UTF-8, UTF-16LE or UTF-16BE byte-order mark is
 * removed and overrides the label, even when it arrives split across chunks).
 *
 * UTF-8, UTF-16, gb18030 (also for GBK), EUC-JP, ISO-2022-JP and Big5 use Node's
 * TextDecoder in stream mode; single-byte encodings, EUC-KR, Shift_JIS, x-user-defined and replacement
 * use our own decoders (see each file for why).
 */
import { EucKrDecoder, ShiftJisDecoder } from './cjk-decoders.js';
import type { StreamDecoder } from './codec.js';
import { resolveEncoding } from './labels.js';
import { isSingleByte, SingleByteDecoder } from './single-byte.js';

/** Node's TextDecoder in stream mode (the BOM is handled before it, so it keeps U+FEFF). */
class NativeDecoder implements StreamDecoder {
  private readonly inner: InstanceType<typeof TextDecoder>;

  constructor(encoding: string) {
    this.inner = new TextDecoder(encoding, { ignoreBOM: true });
  }

  decode(bytes: Uint8Array): string {
    return this.inner.decode(bytes, { stream: true });
  }

  finish(): string {
    return this.inner.decode();
  }
}

/** The replacement encoding: any non-empty input is one U+FFFD, then nothing. */
class ReplacementDecoder implements StreamDecoder {
  private done = false;

  decode(bytes: Uint8Array): string {
    if (this.done || bytes.length === 0) return '';
    this.done = true;
    return '\ufffd';
  }

  finish(): string {
    return '';
  }
}

/** A decoder for an encoding name (already resolved from a label). */
function decoderFor(encoding: string): StreamDecoder {
  if (isSingleByte(encoding)) return new SingleByteDecoder(encoding);
  switch (encoding) {
    case 'replacement':
      return new ReplacementDecoder();
    case 'euc-kr':
      return new EucKrDecoder();
    case 'shift_jis':
      return new ShiftJisDecoder();
    case 'gbk':
      // The standard's GBK decoder is the gb18030 decoder; ICU's GBK lacks four-byte sequences.
      return new NativeDecoder('gb18030');
    default:
      return new NativeDecoder(encoding);
  }
}

/** Which encoding a byte-order mark at the start selects; `pending` while it may still be one. */
function sniffBom(bytes: Uint8Array): { encoding: string; length: number } | 'pending' | undefined {
  const [a, b, c] = bytes;
  if (a === 0xef) {
    if (b === undefined || (b === 0xbb && c === undefined)) return 'pending';
    return b === 0xbb && c === 0xbf ? { encoding: 'utf-8', length: 3 } : undefined;
  }
  if (a === 0xfe || a === 0xff) {
    if (b === undefined) return 'pending';
    if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
    if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  }
  return undefined;
}

const EMPTY = new Uint8Array(0);

/** Holds the first bytes until it is known whether they are a byte-order mark. */
class BomSniffingDecoder implements StreamDecoder {
  private head = EMPTY;
  private inner: StreamDecoder | undefined;

  constructor(private readonly encoding: string) {}

  decode(bytes: Uint8Array): string {
    if (this.inner !== undefined) return this.inner.decode(bytes);
    const all = new Uint8Array(this.head.length + bytes.length);
    all.set(this.head);
    all.set(bytes, this.head.length);
    const bom = sniffBom(all);
    if (bom === 'pending') {
      this.head = all;
      return '';
    }
    this.head = EMPTY;
    this.inner = decoderFor(bom?.encoding ?? this.encoding);
    return this.inner.decode(bom === undefined ? all : all.subarray(bom.length));
  }

  finish(): string {
    if (this.inner === undefined) {
      // The stream ended inside what could have been a BOM: those bytes are content.
      this.inner = decoderFor(this.encoding);
      return this.inner.decode(this.head) + this.inner.finish();
    }
    return this.inner.finish();
  }
}

/**
 * A decoder for a WHATWG label (an unknown label means UTF-8).
 *
 * @example
 * ```ts
 * const d = createDecoder('latin1');
 * d.decode(Uint8Array.of(0x80)); // '€'
 * ```
 */
export function createDecoder(label: string): StreamDecoder {
  return new BomSniffingDecoder(resolveEncoding(label));
}
