/** A growable byte buffer for encoders (amortised doubling, no per-byte allocation). */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends one byte. */
  push(b: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }

  /** Appends two bytes. */
  push2(a: number, b: number): void {
    if (this.len + 2 > this.buf.length) this.grow(2);
    this.buf[this.len++] = a;
    this.buf[this.len++] = b;
  }

  /** Appends ASCII text (used for `&#NNNN;` references and escape sequences). */
  pushAscii(s: string): void {
    if (this.len + s.length > this.buf.length) this.grow(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  /** Appends bytes. */
  pushBytes(bytes: Uint8Array): void {
    if (this.len + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Number of bytes written since the last `take`. */
  get length(): number {
    return this.len;
  }

  /** The bytes written so far (a copy, so the writer can be reused). */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + need));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
