/**
 * The worker thread that holds the process's realms (see remote-realm.ts for why they do
 * not live on the main thread). It answers requests in order; an evaluation request runs
 * its values until they are done, the realm broke, or a slice of about 20 ms passed, and
 * answers with the results it has.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useCompiledModule, type WasmModule } from './quickjs.js';
import { Realm } from './realm.js';
import type { RealmReply, RealmRequest } from './remote-realm.js';

const SLICE_MS = 20;
const port = parentPort;
if (port === null) throw new Error('realm-worker.js runs as a worker thread');

// The main thread compiled QuickJS's WebAssembly once; compiling it again here would cost
// most of a realm's start.
const shared = (workerData as { wasmModule?: WasmModule } | null)?.wasmModule;
if (shared !== undefined) useCompiledModule(shared);

const realms = new Map<number, Realm>();

const reply = (m: RealmRequest, results: readonly (string | null)[] = [], error?: string) => {
  const r: RealmReply = { id: m.id, broken: realms.get(m.realm)?.broken ?? true, results, ...(error !== undefined ? { error } : {}) };
  port.postMessage(r);
};

port.on('message', (m: RealmRequest) => {
  switch (m.op) {
    case 'create':
      Realm.create(m.options, m.cancel).then(
        (r) => {
          realms.set(m.realm, r);
          reply(m);
        },
        (e: unknown) => reply(m, [], e instanceof Error ? e.message : String(e)),
      );
      return;
    case 'run':
      realms.get(m.realm)?.run(m.code);
      reply(m);
      return;
    case 'evaluate': {
      const out: (string | null)[] = [];
      const realm = realms.get(m.realm);
      if (realm !== undefined) {
        const until = performance.now() + SLICE_MS;
        let i = 0;
        do out.push(realm.evaluate(m.values[i++] as string, m.code) ?? null);
        while (i < m.values.length && !realm.broken && performance.now() < until);
      }
      reply(m, out);
      return;
    }
    case 'dispose':
      realms.get(m.realm)?.dispose();
      realms.delete(m.realm);
      return;
  }
});
