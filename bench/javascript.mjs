#!/usr/bin/env node
// JavaScript benchmarks (issue #4): `javascript::process` evaluations/s through the
// treatment (the one-treatment harness, N Json values in batches of BATCH), against the
// sandbox called directly in the same run (Realm.evaluate on the same JSON texts: value
// injection, evaluation and conversion inside QuickJS, without the Json values, channels
// and batching around it), and the bare QuickJS evalCode of the script as the floor of
// the sandbox itself.
//  (a) annotate(value), a function reshaping {"word": …} into three fields;
//  (b) a record reshaped by an object literal (8 fields in, 4 out).
// Environment: N (default 200 000), BATCH (4 096), RUNS (3), ONLY=a,b.
// Build first: npx tsc -b packages/engine packages/libs/json packages/libs/javascript.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printMachine, timeMedian } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.N ?? 200_000);
const BATCH = Number(process.env.BATCH ?? 4096);
const RUNS = Number(process.env.RUNS ?? 3);
const ONLY = (process.env.ONLY ?? 'a,b').split(',');
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d });
const load = (path) => import(pathToFileURL(join(ROOT, path)).href);

const { runTreatment } = await load('packages/engine/dist/testing.js');
const { json } = await load('packages/libs/json/dist/index.js');
const { javascriptElements } = await load('packages/libs/javascript/dist/javascript.js');
const { JavaScriptEngine } = await load('packages/libs/javascript/dist/engine.js');
const { Realm } = await load('packages/libs/javascript/dist/realm.js');
const { newQuickJS } = await load('packages/libs/javascript/dist/quickjs.js');

const toJson = json.elements.find((e) => e.kind === 'function' && e.name === 'to_json').impl;
const processDescriptor = javascriptElements.find((e) => e.kind === 'treatment' && e.name === 'process');
const OPTIONS = { strict: false, recursionLimit: 400, loopIterationLimit: 4294967295 };
const DISTINCT = 1000;

/** ms for `fn` (median of RUNS, after one warm-up). */
const time = (fn) => timeMedian(fn, RUNS);

async function bench(label, engineCode, code, makeText, check) {
  const texts = Array.from({ length: DISTINCT }, (_, k) => makeText(k));
  const values = texts.map((t) => toJson([t], {}));
  const batches = [];
  for (let i = 0; i < N; i += BATCH) {
    const b = [];
    for (let k = i; k < Math.min(N, i + BATCH); k++) b.push(values[k % DISTINCT]);
    batches.push(b);
  }

  const engine = new JavaScriptEngine(OPTIONS, engineCode);
  await engine.initialize();
  const treatment = await time(async () => {
    const r = await runTreatment(processDescriptor, {
      params: { code },
      models: { engine },
      inputs: { value: { batches } },
      capacity: 1 << 16,
    });
    if (r.error !== undefined || r.outputs.result.length !== N) throw new Error(`treatment failed: ${r.error}`);
    check(String(r.outputs.result[0]));
  });
  await engine.shutdown();

  const realm = await Realm.create(OPTIONS);
  realm.run(engineCode);
  const direct = await time(() => {
    for (let i = 0; i < N; i++) if (realm.evaluate(texts[i % DISTINCT], code) === undefined) throw new Error('evaluation failed');
  });
  check(String(toJson([realm.evaluate(texts[0], code)], {})));
  realm.dispose();

  // The floor: the same script with `value` set once, no injection and no conversion.
  const { quickjs } = await newQuickJS(512 * 1024 * 1024);
  const context = quickjs.newContext();
  context.evalCode(`${engineCode}\nvar value = ${texts[0]};`).dispose();
  const bare = await time(() => {
    for (let i = 0; i < N; i++) context.evalCode(code).dispose();
  });
  context.dispose();

  const perSecond = (ms) => (N / ms) * 1000;
  console.log(
    `${label}: treatment ${fmt(perSecond(treatment))} evaluations/s; sandbox direct ${fmt(perSecond(direct))}/s; ` +
      `ratio ${fmt((100 * direct) / treatment, 1)} %; bare QuickJS evalCode ${fmt(perSecond(bare))}/s`,
  );
}

printMachine();
console.log(`N = ${fmt(N)} values in batches of ${fmt(BATCH)}, median of ${RUNS} runs`);

if (ONLY.includes('a')) {
  await bench(
    '(a) annotate(value)',
    `function annotate(input) {
        var word = input.word;
        return { upper: word.toUpperCase(), reversed: word.split('').reverse().join(''), original: word };
    }`,
    'annotate(value)',
    (k) => JSON.stringify({ word: `stressed${k}` }),
    (out) => {
      if (out !== '{"original":"stressed0","reversed":"0desserts","upper":"STRESSED0"}') throw new Error(`unexpected ${out}`);
    },
  );
}

if (ONLY.includes('b')) {
  await bench(
    '(b) record reshape',
    '',
    '({ id: value.id, name: value.name.toUpperCase(), tags: value.tags.length, city: value.address.city })',
    (k) =>
      JSON.stringify({
        id: 1_000_000 + k,
        name: `user-${k}`,
        email: `user${k}@example.com`,
        active: k % 3 !== 0,
        score: (k % 1000) / 7,
        tags: ['alpha', 'beta', `t${k % 17}`],
        address: { city: 'Lyon', zip: `${69000 + (k % 10)}`, geo: [45.76 + k / 1e6, 4.83] },
        manager: null,
      }),
    (out) => {
      if (out !== '{"city":"Lyon","id":1000000,"name":"USER-0","tags":3}') throw new Error(`unexpected ${out}`);
    },
  );
}
