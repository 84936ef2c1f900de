/**
 * The worker thread that holds one {@link Realm} (see remote-realm.ts for why the realm
 * does not live on the main thread). It answers requests in order; an evaluation request
 * runs its values until they are done, the realm broke, or a slice of about 20 ms passed,
 * and answers with the results it has.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useCompiledModule, type WasmModule } from './quickjs.js';
import { Realm } from './realm.js';
import type { RealmReply, RealmRequest } from './remote-realm.js';

const SLICE_MS = 20;
const port = parentPort;
if (port === null) throw new Error('realm-worker.js runs as a worker thread');

// The main thread compiled QuickJS's WebAssembly once; compiling it again per worker
// would cost most of a realm's start.
const shared = (workerData as { wasmModule?: WasmModule } | null)?.wasmModule;
if (shared !== undefined) useCompiledModule(shared);

let realm: Realm | undefined;

const reply = (id: number, results: readonly (string | null)[] = [], error?: string) => {
  const r: RealmReply = { id, broken: realm?.broken ?? true, results, ...(error !== undefined ? { error } : {}) };
  port.postMessage(r);
};

port.on('message', (m: RealmRequest) => {
  switch (m.op) {
    case 'create':
      Realm.create(m.options).then(
        (r) => {
          realm = r;
          reply(m.id);
        },
        (e: unknown) => reply(m.id, [], e instanceof Error ? e.message : String(e)),
      );
      return;
    case 'run':
      realm?.run(m.code);
      reply(m.id);
      return;
    case 'evaluate': {
      const out: (string | null)[] = [];
      if (realm !== undefined) {
        const until = performance.now() + SLICE_MS;
        let i = 0;
        do out.push(realm.evaluate(m.values[i++] as string, m.code) ?? null);
        while (i < m.values.length && !realm.broken && performance.now() < until);
      }
      reply(m.id, out);
      return;
    }
  }
});
