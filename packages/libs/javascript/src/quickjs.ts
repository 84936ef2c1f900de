/**
 * Loads the QuickJS WebAssembly build (`@jitl/quickjs-wasmfile-release-sync`, driven by
 * `quickjs-emscripten-core`): the `.wasm` file is compiled once per process, and every
 * sandbox gets its own instance of it, hence its own linear memory, so that a realm that
 * had to be abandoned (see realm.ts) cannot affect another.
 *
 * The memory is created here with a maximum size: that maximum is the realm's real memory
 * limit. QuickJS's own `setMemoryLimit` does not hold in this build, which cannot measure
 * the size of its allocations (it counts 8 bytes for each): a script filling memory grew
 * the instance to the WebAssembly maximum of 2 GiB of host memory before failing, whereas
 * with a bounded memory it fails at the bound, in milliseconds.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  type CustomizeVariantOptions,
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';

let variant: Promise<QuickJSSyncVariant> | undefined;

/**
 * The QuickJS build, imported on first use: a static import would load it at every start
 * of tutti (about 6 ms), also for the programs that never run JavaScript.
 */
function quickjsVariant(): Promise<QuickJSSyncVariant> {
  // The package's types describe its CommonJS entry; as an ES module its default export is the variant.
  variant ??= import('@jitl/quickjs-wasmfile-release-sync').then((m) => (m as unknown as { default: QuickJSSyncVariant }).default);
  return variant;
}

// The lib settings of this repository (ES2023 + Node types) do not declare WebAssembly.
export type WasmModule = NonNullable<CustomizeVariantOptions['wasmModule']>;
/** The part of `WebAssembly.Memory` used here. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<WasmModule>;
      Memory: new (d: { initial: number; maximum: number }) => WasmMemory;
    };
  }
).WebAssembly;

const PAGE = 65536;
// The build's initial memory (Emscripten's INITIAL_MEMORY, 16 MiB).
const INITIAL_PAGES = 256;

let compiled: Promise<WasmModule> | undefined;

// Resolved from this file rather than left to the variant, which looks for the `.wasm`
// next to its own module: in the CLI bundle that module is inlined and the file would be
// looked for next to the bundle (the bundler keeps our `import.meta.url`, not theirs).
async function compile(): Promise<WasmModule> {
  const path = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
  return wasm.compile(await readFile(path));
}

/** The compiled QuickJS WebAssembly module (compiled on first use, then shared). */
export function compiledModule(): Promise<WasmModule> {
  compiled ??= compile();
  return compiled;
}

/** Uses a module compiled elsewhere (a realm worker gets the main thread's). */
export function useCompiledModule(m: WasmModule): void {
  compiled ??= Promise.resolve(m);
}

/** A QuickJS instance and its memory. */
export interface QuickJSInstance {
  readonly quickjs: QuickJSWASMModule;
  readonly memory: WasmMemory;
  /** The most bytes the memory may grow to. */
  readonly maxBytes: number;
}

/**
 * A new, independent QuickJS instance whose memory cannot grow past `maxBytes` (rounded up
 * to whole 64 KiB pages, at least 32 MiB); the WebAssembly code is compiled on first use.
 */
export async function newQuickJS(maxBytes: number): Promise<QuickJSInstance> {
  const wasmModule = await compiledModule();
  const maximum = Math.max(2 * INITIAL_PAGES, Math.ceil(maxBytes / PAGE));
  const memory = new wasm.Memory({ initial: INITIAL_PAGES, maximum });
  const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(await quickjsVariant(), { wasmModule, wasmMemory: memory as never }));
  return { quickjs, memory, maxBytes: maximum * PAGE };
}
