/**
 * The package users install: `npm pack` of the repository (its current build), `npm install
 * -g` of the tarball into a temporary prefix, then the installed `tutti` run from an
 * unrelated temporary folder — `--version`, `check` and `run` of a program whose areas come
 * from bundled `.mel` files (std/engine/util, std/engine/log, fs/local) and whose JavaScript
 * runs on the QuickJS WebAssembly the package ships. Nothing may point back into the
 * checkout. Needs the build (`npm test` builds first). Installs from npm's cache where it can
 * (`--prefer-offline`: the database drivers `pg` and `mysql2` are ordinary dependencies), without
 * the optional native SQLite driver, whose build from source would take minutes: npm 11.19
 * runs its install script (node-gyp) despite `--omit=optional`, so install scripts are skipped
 * (`--ignore-scripts`; msgpackr's optional native accelerator goes too, it has a JavaScript path).
 */
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'packages/cli/dist/tutti.bundle.cjs');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

// The child processes must not see the test runner's or an enclosing `npm run`'s settings.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'NODE_TEST_CONTEXT' && k !== 'NODE_OPTIONS'),
);
env.npm_config_update_notifier = 'false';

const work = mkdtempSync(join(tmpdir(), 'tutti-package-'));
const prefix = join(work, 'prefix');
const elsewhere = mkdtempSync(join(tmpdir(), 'tutti-elsewhere-'));
let tarball = '';
let packed: string[] = [];
let seconds = 0;

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}
const tutti = (...args: string[]) => run(join(prefix, 'bin', 'tutti'), args, elsewhere);

before(() => {
  assert.ok(existsSync(BUNDLE), `no ${relative(ROOT, BUNDLE)}: run npm run build first`);
  const start = performance.now();
  // --ignore-scripts: pack the current build; `prepare` would rebuild under other tests' feet.
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(info);
  tarball = join(work, info.filename);
  packed = info.files.map((f) => f.path).sort();
  const install = run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--omit=optional',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      tarball,
    ],
    work,
  );
  assert.equal(install.status, 0, install.stderr);
  seconds = (performance.now() - start) / 1000;
});

after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

test('the tarball holds the launcher, the bundle, the .mel sources and QuickJS, nothing else', (t) => {
  t.diagnostic(`npm pack + npm install -g: ${seconds.toFixed(1)} s`);
  const own = packed.filter((p) => !p.startsWith('node_modules/'));
  assert.deepEqual(
    own.filter((p) => !/^packages\/libs\/[a-z]+\/mel\/.+\.mel$/.test(p)),
    [
      'LICENSE',
      'README.md',
      'package.json',
      'packages/bridges/github/dist/actions.bundle.mjs',
      'packages/bridges/github/dist/github.bundle.mjs',
      'packages/bridges/gitlab/dist/gitlab.bundle.mjs',
      'packages/cli/bin/tutti.js',
      'packages/cli/dist/serve.bundle.mjs',
      'packages/cli/dist/tutti.bundle.cjs',
      'packages/libs/javascript/dist/realm-worker.bundle.mjs',
      'packages/serve/studio/index.html',
      'packages/serve/studio/studio.css',
      'packages/serve/studio/studio.js',
    ],
  );
  assert.ok(own.includes('packages/libs/std/mel/engine/util.mel'));
  assert.ok(own.includes('packages/libs/fs/mel/local.mel'));
  const deps = new Set(packed.filter((p) => p.startsWith('node_modules/')).map((p) => p.split('/').slice(1, 3).join('/')));
  assert.deepEqual([...deps].sort(), ['@jitl/quickjs-ffi-types', '@jitl/quickjs-wasmfile-release-sync']);
  assert.ok(packed.includes('node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm'));
});

test('the installed copy names no file of the checkout', () => {
  const installed = join(prefix, 'lib', 'node_modules', 'tutti');
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const files = walk(installed).filter((f) => /\.(m?js|cjs|json)$/.test(f));
  assert.ok(files.includes(join(installed, 'packages/cli/dist/tutti.bundle.cjs')));
  for (const f of files) assert.ok(!readFileSync(f, 'utf8').includes(ROOT), `${relative(installed, f)} names ${ROOT}`);
});

test('tutti --version prints the package version', () => {
  const r = tutti('--version');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split(' ').slice(0, 2).join(' '), `tutti ${version}`, r.stdout);
});

test('the installed copy has the CI front ends: github, gitlab and serve answer, and the studio page is there', () => {
  for (const c of ['github', 'gitlab', 'serve']) {
    const r = tutti(c, '--help');
    assert.equal(r.status, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`tutti ${c}`));
  }
  assert.ok(existsSync(join(prefix, 'lib', 'node_modules', 'tutti', 'packages/serve/studio/index.html')));
});

const PROGRAM = `#!/usr/bin/env melodium
#! name = greet
#! version = 0.1.0
#! require = std:0.10.2 fs:0.10.2 json:0.10.2 javascript:0.10.2

use std/engine/util::startup
use std/engine/log::logInfoMessage
use std/flow::emit
use std/flow::stream
use std/ops/option::unwrap
use std/conv::toString
use json::Json
use json::toJson
use javascript::JavaScriptEngine
use javascript::process
use fs/local::writeTextLocal

model Shout() : JavaScriptEngine
{
    code = "function shout(v) { return { text: v.name.toUpperCase() + '!' }; }"
}

// Writes {"text": "<NAME>!"} for the payload {"name": …} to \`out\`, and logs once started.
treatment main(var payload: string = "{\\"name\\": \\"tutti\\"}", out: string = "greeting.json")
  model js: Shout()
{
    startup()
    hello: logInfoMessage(label = "greet", message = "started")
    payload: emit<string>(value = payload)
    stream<string>()
    toJson()
    parsed: unwrap<Json>()
    process[engine = js](code = "shout(value)")
    result: unwrap<Json>()
    toString<Json>()
    writeTextLocal(path = out)

    startup.trigger -> hello.trigger
    startup.trigger -> payload.trigger,emit -> stream.block,stream -> toJson.text,json -> parsed.option,value -> process.value,result -> result.option,value -> toString.value,into -> writeTextLocal.text
}
`;

test('tutti check and tutti run of a program on std, fs, json and javascript, from an unrelated folder', () => {
  writeFileSync(join(elsewhere, 'greet.mel'), PROGRAM);
  const checked = tutti('check', 'greet.mel');
  assert.equal(checked.status, 0, checked.stderr);
  assert.equal(checked.stderr, 'check greet.mel: no errors\n');

  const ran = tutti('run', 'greet.mel', '--payload', '{"name": "world"}');
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(ran.stdout, /^\[[^\]]+\] info: greet: started\n$/);
  assert.equal(readFileSync(join(elsewhere, 'greeting.json'), 'utf8'), '{"text":"WORLD!"}');
});

test('the installed tutti checks against the signatures of bundled .mel areas: error, hint, exit 1', () => {
  // fs/local.mel declares writeTextLocal with the single input `text`.
  writeFileSync(join(elsewhere, 'wrong.mel'), PROGRAM.replace('-> writeTextLocal.text', '-> writeTextLocal.data'));
  const r = tutti('check', 'wrong.mel');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error\[E_UNKNOWN_INPUT\]: wrong\.mel:39:\d+: 'writeTextLocal' \(writeTextLocal\) has no input 'data'$/m);
  assert.match(r.stderr, /hint: inputs: text: Stream<string>$/m);
  assert.match(r.stderr, /check wrong\.mel: 1 error\n$/);
});
