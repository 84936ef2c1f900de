/**
 * bzip2 for `.jeu` archives: libbzip2 1.0.8 compiled to WebAssembly,
 * the `bzip2.wasm` that the npm package `bzip2-wasm` ships. npm has no maintained pure
 * JavaScript bzip2 *compressor* under a licence this project can ship (compressjs is GPL),
 * and the reference C library reads every archive the reference writes.
 *
 * The module is instantiated here with its six tiny imports instead of through the
 * package's Emscripten glue, which sets `globalThis.require` and `globalThis.__dirname`
 * when it loads. Each call gets a fresh instance (the module is compiled once), so the
 * memory one archive needed is given back afterwards; decompression writes into a buffer
 * of at most `limit` bytes and stops there, so a bzip2 bomb costs that much and no more.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const ERRORS: Record<number, string> = {
  [-2]: 'invalid parameters',
  [-3]: 'not enough memory',
  [-4]: 'corrupt compressed data',
  [-5]: 'not bzip2 data',
  [-7]: 'compressed data ends too early',
  [-8]: 'the output is larger than allowed',
};

/** A bzip2 failure; `code` is libbzip2's (BZ_OUTBUFF_FULL = -8: over the limit). */
export class Bzip2Error extends Error {
  constructor(readonly code: number) {
    super(ERRORS[code] ?? `bzip2 error ${code}`);
  }
}

// The lib settings of this repository (ES2023 + Node types) do not declare WebAssembly:
// the part used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly kind?: 'module';
}
const WebAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (
        m: WasmModule,
        imports: Record<string, Record<string, (...a: number[]) => number | undefined>>,
      ) => { exports: unknown };
    };
  }
).WebAssembly;

interface Exports {
  readonly memory: WasmMemory;
  malloc(n: number): number;
  free(p: number): void;
  BZ2_bzBuffToBuffCompress(
    dest: number,
    destLen: number,
    src: number,
    srcLen: number,
    block: number,
    verbosity: number,
    work: number,
  ): number;
  BZ2_bzBuffToBuffDecompress(dest: number, destLen: number, src: number, srcLen: number, small: number, verbosity: number): number;
  __wasm_call_ctors(): void;
  emscripten_stack_init(): void;
}

let compiled: WasmModule | undefined;

function instantiate(): Exports {
  if (compiled === undefined) {
    const path = createRequire(import.meta.url).resolve('bzip2-wasm/bzip2-1.0.8/bzip2.wasm');
    compiled = new WebAssembly.Module(readFileSync(path));
  }
  let memory: WasmMemory | undefined;
  const heap = () => new Uint8Array((memory as WasmMemory).buffer);
  const instance = new WebAssembly.Instance(compiled, {
    env: {
      exit: (code: number): undefined => {
        throw new Error(`bzip2 exited with status ${code}`);
      },
      emscripten_memcpy_big: (dest: number, src: number, n: number): undefined => {
        heap().copyWithin(dest, src, src + n);
      },
      emscripten_resize_heap: (requested: number) => {
        const m = memory as WasmMemory;
        const pages = Math.ceil(((requested >>> 0) - m.buffer.byteLength) / 65536);
        try {
          m.grow(pages);
          return 1;
        } catch {
          return 0;
        }
      },
    },
    // libbzip2 prints nothing in the buffer-to-buffer calls; these only satisfy the linker.
    wasi_snapshot_preview1: { fd_close: () => 52, fd_write: () => 52, fd_seek: () => 52 },
  });
  const x = instance.exports as unknown as Exports;
  memory = x.memory;
  x.emscripten_stack_init();
  x.__wasm_call_ctors();
  return x;
}

function call(input: Uint8Array, outCapacity: number, run: (x: Exports, dest: number, destLen: number, src: number) => number): Uint8Array {
  const x = instantiate();
  const src = x.malloc(Math.max(1, input.length));
  const dest = x.malloc(Math.max(1, outCapacity));
  const destLen = x.malloc(4);
  if (src === 0 || dest === 0 || destLen === 0) throw new Bzip2Error(-3);
  new Uint8Array(x.memory.buffer).set(input, src);
  new DataView(x.memory.buffer).setUint32(destLen, outCapacity, true);
  const status = run(x, dest, destLen, src);
  if (status !== 0) throw new Bzip2Error(status);
  const n = new DataView(x.memory.buffer).getUint32(destLen, true);
  return new Uint8Array(x.memory.buffer, dest, n).slice();
}

/** bzip2-compresses `data` (blocks of 900 kB, as `bzip2 -9` and the reference). */
export function compress(data: Uint8Array): Uint8Array {
  // libbzip2's documented worst case: 1% larger plus 600 bytes.
  const capacity = Math.ceil(data.length * 1.01) + 600;
  return call(data, capacity, (x, dest, destLen, src) => x.BZ2_bzBuffToBuffCompress(dest, destLen, src, data.length, 9, 0, 0));
}

/** Decompresses one bzip2 stream; more than `limit` bytes of output is a Bzip2Error (-8). */
export function decompress(data: Uint8Array, limit: number): Uint8Array {
  // One byte of room over the limit: libbzip2 reports a full buffer (not a truncated
  // stream) when the output fills it exactly, so a full buffer must mean "over the limit".
  const out = call(data, limit + 1, (x, dest, destLen, src) => x.BZ2_bzBuffToBuffDecompress(dest, destLen, src, data.length, 0, 0));
  if (out.length > limit) throw new Bzip2Error(-8);
  return out;
}
