#!/usr/bin/env node
// JSON benchmarks (issue #4): JSON values/s parsed by `json::toJson`, against `JSON.parse`
// in a loop over the same texts in the same run (JSON.parse keeps neither big integers nor
// the integer/float distinction, so it is the upper bound, not a competitor):
//  (a) the parser alone (parseJson) vs JSON.parse, on N varied record texts;
//  (b) a .mel program run in-process (generate → toJson → count → last), one record text
//      repeated N times, vs JSON.parse of that text N times.
// Environment: N (default 1 000 000), RUNS (3), ONLY=a,b. Build first: npx tsc -b packages/cli.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prepareProgram, printMachine, timeMedian } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.N ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const ONLY = (process.env.ONLY ?? 'a,b').split(',');
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d });

const { parseJson } = await import(pathToFileURL(join(ROOT, 'packages/libs/json/dist/parse.js')).href);

/** A record as an API would send it: strings, integers, floats, booleans, null, an array, a nested object. */
function record(k) {
  return JSON.stringify({
    id: 1_000_000 + k,
    name: `user-${k}`,
    email: `user${k}@example.com`,
    active: k % 3 !== 0,
    score: (k % 1000) / 7,
    tags: ['alpha', 'beta', `t${k % 17}`],
    address: { city: 'Lyon', zip: `${69000 + (k % 10)}`, geo: [45.76 + k / 1e6, 4.83] },
    manager: null,
  });
}

const DISTINCT = 10_000;
const texts = Array.from({ length: DISTINCT }, (_, k) => record(k));
const bytesPerText = texts.reduce((s, t) => s + t.length, 0) / DISTINCT;

/** ms for `fn` (median of RUNS, after one warm-up). */
const time = (fn) => timeMedian(fn, RUNS);

function jsonParseLoop(n, pick) {
  let sink = 0;
  for (let i = 0; i < n; i++) sink += JSON.parse(pick(i)) === null ? 0 : 1;
  if (sink !== n) throw new Error('JSON.parse miscounted');
}

function report(label, ours, base) {
  const vps = (N / ours) * 1000;
  const bvps = (N / base) * 1000;
  console.log(
    `${label}: ${fmt(vps)} values/s (${fmt((vps * bytesPerText) / 2 ** 20, 1)} MiB/s) vs JSON.parse ${fmt(bvps)} values/s — ratio ${fmt((100 * vps) / bvps, 1)} %`,
  );
}

printMachine();
console.log(`N = ${fmt(N)} texts of ~${fmt(bytesPerText)} chars, median of ${RUNS} runs`);
const base = await time(() => jsonParseLoop(N, (i) => texts[i % DISTINCT]));

if (ONLY.includes('a')) {
  const ours = await time(() => {
    for (let i = 0; i < N; i++) {
      const r = parseJson(texts[i % DISTINCT]);
      if (r === null || r.message !== undefined) throw new Error('parse failed');
    }
  });
  report('(a) parseJson alone', ours, base);
}

if (ONLY.includes('b')) {
  const work = mkdtempSync(join(tmpdir(), 'tutti-bench-json-'));
  const text = texts[DISTINCT - 1];
  const file = join(work, 'json.mel');
  writeFileSync(
    file,
    `#!/usr/bin/env melodium
#! name = bench_json
#! version = 0.1.0
#! require = std:0.10.2 json:0.10.2

use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/flow::count
use std/flow::trigger
use std/engine/log::logDataInfo
use json::toJson
use json::Json

treatment main()
{
    startup()
    emit<u128>(value = ${N})
    generate<string>(data = ${JSON.stringify(text)})
    toJson()
    count<Option<Json>>()
    trigger<u128>()
    logDataInfo<u128>(label = "count")
    startup.trigger -> emit.trigger,emit -> generate.length,stream -> toJson.text,json -> count.stream,count -> trigger.stream,last -> logDataInfo.data
}
`,
  );
  const runOnce = await prepareProgram(file);
  const run = async () => {
    const { logs } = await runOnce();
    if (logs[0] !== String(N - 1)) throw new Error(`run failed: ${logs.join('\n')}`);
  };
  const ours = await time(run);
  const one = await time(() => jsonParseLoop(N, () => text));
  report('(b) .mel program', ours, one);
  rmSync(work, { recursive: true, force: true });
}
