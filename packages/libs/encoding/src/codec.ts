/** The two streaming interfaces behind `encoding::decode` and `encoding::encode`. */
import type { ByteWriter } from './byte-writer.js';

/** A stateful decoder: characters cut between chunks are completed by the next chunk. */
export interface StreamDecoder {
  /** Decodes a chunk; bytes of an unfinished character wait for the next call. */
  decode(bytes: Uint8Array): string;
  /** Ends the stream: an unfinished character becomes U+FFFD. */
  finish(): string;
}

/** A stateful encoder (ISO-2022-JP's mode carries over from one string to the next). */
export interface StreamEncoder {
  /** Appends the bytes of one string to `out`. */
  encode(text: string, out: ByteWriter): void;
  /** Ends the stream (ISO-2022-JP returns to ASCII); usually writes nothing. */
  finish(out: ByteWriter): void;
  /**
   * The bytes of one string on their own, for an encoder that keeps no state between
   * strings: what {@link encode} would append, in a buffer of their own.
   */
  encodeAlone?(text: string): Uint8Array;
}
