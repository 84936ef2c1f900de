/**
 * The runtime conformance examples (R01–R12, programs in runtime/), run through the
 * CLI, plus the engine's observable contract: failures contained and reported with their
 * place, exit statuses (0 success, 1 a failure, 2 usage problems), deadlock detection, `--logs`, native packages
 * declared in Compo.toml.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cli, H, project, ROOT, TESTKIT } from '../helpers.js';

const dir = join(ROOT, 'test/conformance/runtime');

/** Log lines without their `[timestamp] ` prefix. */
function lines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] /, ''));
}

function run(file: string, ...args: string[]) {
  return cli([
    'run',
    '--path',
    TESTKIT,
    ...args.filter((a) => a.startsWith('--parse')),
    join(dir, file),
    ...args.filter((a) => !a.startsWith('--parse')),
  ]);
}

describe('runtime conformance examples', () => {
  test('R01 hello', () => {
    const r = run('r01.mel');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: r01: ready to go']);
    assert.match(r.stdout, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] info: r01: ready to go\n$/);
  });
  test('R02 stream length from a const parameter, raw arguments', () => {
    assert.deepEqual(lines(run('r02.mel').stdout), Array(3).fill('info: r02: ping'));
    assert.deepEqual(lines(run('r02.mel', '--times', '5').stdout), Array(5).fill('info: r02: ping'));
    const zero = run('r02.mel', '--times', '0');
    assert.equal(zero.status, 0);
    assert.equal(zero.stdout, '');
    const bad = run('r02.mel', '--times', 'many');
    assert.equal(bad.status, 2); // E_ARGUMENT is a usage error: exit status 2
    assert.match(bad.stderr, /E_ARGUMENT.*--times/);
    assert.equal(bad.stdout, '');
  });
  test('R03 composite, Self ports, var default, aliases', () => {
    assert.deepEqual(lines(run('r03.mel').stdout).sort(), ['info: custom: custom', 'info: plain: default']);
  });
  test('R04 constant function call', () => {
    assert.deepEqual(lines(run('r04.mel').stdout), ['info: sum: 42']);
  });
  test('R05 Display rendering', () => {
    assert.deepEqual(lines(run('r05.mel').stdout).sort(), ['info: b: 0x2a', "info: c: 'z'", 'info: s: "plain"', 'info: v: [4, _, 6]']);
  });
  test('R06 required entry argument', () => {
    const ok = run('r06.mel', '--who', 'Ada');
    assert.deepEqual(lines(ok.stdout), ['info: hello: Ada']);
    const missing = run('r06.mel');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /E_ARGUMENT.*--who/);
    assert.equal(missing.stdout, '');
  });
  test('R07 parsed arguments', () => {
    const r = run('r07.mel', '--parse-arguments', '--names', '["Ana", "Bo"]');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: name: Ana', 'info: name: Bo']);
    const raw = run('r07.mel', '--names', '["Ana", "Bo"]');
    assert.equal(raw.status, 2);
    assert.match(raw.stderr, /--parse-arguments/);
  });
  test('R08 declared model as track source', () => {
    const r = run('r08.mel');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: kick: go']);
  });
  test('R09 contexts and var parameters per track', () => {
    const r = run('r09.mel');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout).sort(), [
      'info: index: 0',
      'info: index: 1',
      'info: index: 2',
      'info: name: turn-0',
      'info: name: turn-1',
      'info: name: turn-2',
    ]);
  });
  test('R10 stream fan-out and end detection', () => {
    const got = lines(run('r10.mel').stdout);
    assert.deepEqual([...got].sort(), ['info: a: v', 'info: a: v', 'info: b: v', 'info: b: v', 'info: status: complete']);
  });
  test('R11 two startups, two tracks', () => {
    assert.deepEqual(lines(run('r11.mel').stdout).sort(), ['info: t: first track', 'info: t: second track']);
  });
  test('R12 nothing to do: no output, exit 0, no waiting', () => {
    const r = run('r12.mel');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '');
  });
});

describe('failures, termination and logs', () => {
  test('a treatment that throws is reported with its place; the rest goes on; exit 1', () => {
    const p = project({
      'fail.mel': `${H}
use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/ops::clamp
use std/engine/log::logInfo
use std/engine/log::logDataInfos

treatment main()
{
    startup()
    bad: emit<u8>(value = 5)
    good: emit<string>(value = "still here")
    stream<u8>()
    clamp<u8>(min = 9, max = 1)
    logDataInfos<u8>(label = "clamped")
    logInfo(label = "other")
    startup.trigger -> bad.trigger,emit -> stream.block,stream -> clamp.value,clamped -> logDataInfos.data
    startup.trigger -> good.trigger,emit -> logInfo.message
}
`,
    });
    const r = cli(['run', join(p, 'fail.mel')]);
    assert.equal(r.status, 1);
    const got = lines(r.stdout);
    assert.ok(got.includes('info: other: still here'), r.stdout);
    const err = got.find((l) => l.startsWith('error: main/clamp: std/ops::clamp failed:'));
    assert.ok(err, r.stdout);
    assert.match(err, /track \d+, instantiated at .*fail\.mel:19:5/);
    assert.ok(!got.some((l) => l.startsWith('info: clamped')));
  });

  test('a deadlock is reported and ends the run with status 1', () => {
    // chain reads all of `first` before `second`; the producer feeds both and blocks once
    // `second` is full, so `first` never ends.
    const p = project({
      'dead.mel': `${H}
use std/engine/util::startup
use std/flow::emit
use std/flow::generate
use std/flow::chain
use std/flow::consume

treatment main()
{
    startup()
    emit<u128>(value = 1000000)
    generate<u8>(data = 1)
    chain<u8>()
    consume<u8>()
    startup.trigger -> emit.trigger,emit -> generate.length,stream -> chain.first,chained -> consume.stream
    generate.stream -> chain.second
}
`,
    });
    const r = cli(['run', join(p, 'dead.mel')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /error: engine: deadlock: every live treatment waits on another/);
    assert.match(r.stdout, /main\/generate \(track 1\): sending on 'stream'/);
    assert.match(r.stdout, /main\/chain \(track 1\): receiving on 'first'/);
  });

  test('--logs appends the same lines to a file', () => {
    const p = project({});
    const logs = join(p, 'run.log');
    const r = cli(['run', '--logs', logs, join(dir, 'r02.mel'), '--times', '2']);
    assert.equal(r.status, 0, r.stderr);
    const again = cli(['run', '--logs', logs, join(dir, 'r01.mel')]);
    assert.equal(again.status, 0);
    const file = readFileSync(logs, 'utf8');
    assert.deepEqual(lines(file), ['info: r02: ping', 'info: r02: ping', 'info: r01: ready to go']);
    assert.equal(file, r.stdout + again.stdout);
  });

  test('--debug writes the execution events as JSON lines', () => {
    const p = project({});
    const file = join(p, 'events.jsonl');
    const r = cli(['run', '--debug', file, join(dir, 'r11.mel')]);
    assert.equal(r.status, 0, r.stderr);
    const events = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; track: number; path?: string });
    // Two startups; the loggers' own engines have no registered source, so no track.
    assert.equal(events.filter((e) => e.kind === 'track-created').length, 2);
    assert.equal(events.filter((e) => e.kind === 'track-ended').length, 2);
    const started = events.filter((e) => e.kind === 'treatment-started').map((e) => e.path);
    assert.ok(started.includes('main/e1') && started.includes('main/l1/logBlock'), JSON.stringify(started));
  });

  test('a function failing at genesis is a launch failure (exit 1, nothing runs)', () => {
    const p = project({
      'g.mel': `${H}
use std/engine/util::startup
use std/flow::emit
use std/ops::|clamp
use std/engine/log::logDataInfo

treatment main()
{
    startup()
    emit<u8>(value = |clamp<u8>(5, 9, 1))
    logDataInfo<u8>(label = "x")
    startup.trigger -> emit.trigger,emit -> logDataInfo.data
}
`,
    });
    const r = cli(['run', join(p, 'g.mel')]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /g\.mel:14:22: function 'std\/ops::\|clamp' failed/);
  });

  test('extra generic and function arguments are ignored with warnings, and the program runs (as the reference ignores them)', () => {
    const p = project({
      'e.mel': `${H}
use std/engine/util::startup
use std/flow::emit
use std/ops/num::|add
use std/engine/log::logDataInfo

treatment main(var k: u32 = 1)
{
    startup<string>()
    a: emit<u32, u8>(value = |add<u32, bool>(40, 2, 3))
    b: emit<u32>(value = |add<u32>(k, 2, "ignored"))
    la: logDataInfo<u32>(label = "a")
    lb: logDataInfo<u32>(label = "b")
    startup.trigger -> a.trigger,emit -> la.data
    startup.trigger -> b.trigger,emit -> lb.data
}
`,
    });
    const c = cli(['check', '--format', 'json', join(p, 'e.mel')]);
    assert.equal(c.status, 0, c.stdout + c.stderr);
    const found = (JSON.parse(c.stdout) as { code: string; line: number }[]).map((d) => `${d.code}@${d.line}`);
    assert.deepEqual(found, [
      'W_IGNORED_GENERIC@13',
      'W_IGNORED_GENERIC@14',
      'W_IGNORED_GENERIC@14',
      'W_IGNORED_ARGUMENT@14',
      'W_IGNORED_ARGUMENT@15',
    ]);
    const r = cli(['run', join(p, 'e.mel')]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout).sort(), ['info: a: 42', 'info: b: 3']);
  });
});

describe('launch failures are collected (genesis)', () => {
  test('every element without behaviour, functions included, and every failing constant call are reported at once', () => {
    const p = project({
      'Compo.toml':
        'name = "app"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\ntestkit = "1.0.0"\nnone = { version = "1", module = "none.js" }\n\n[entrypoints]\nmain = "app/main::main"\n',
      'none.js': `export default ({ treatment, fn, model }) => ({
  name: 'none', version: '1.0.0', doc: 'Elements without behaviour', elements: [
    treatment('none', 'idle', { inputs: { go: 'Block<void>' } }),
    model('none', 'Pool', { params: { size: 'u8 = 1' } }),
    fn('none', 'now', { params: 'n: u8', returns: 'u8' }),
    fn('none', 'later', { params: 'n: u64', returns: 'string' }),
  ] });
`,
      'main.mel': `use std/engine/util::startup
use std/flow::emit
use std/ops::|clamp
use std/engine/log::logInfo
use testkit::Counter
use testkit::turns
use testkit::@Turn
use none::idle
use none::Pool
use none::|now
use none::|later

treatment perTurn()
  require @Turn
  input go: Block<void>
{
    emit<string>(value = |later(@Turn[index]))
    logInfo(label = "x")
    Self.go -> emit.trigger,emit -> logInfo.message
}

treatment main()
  model counter: Counter(count = 1)
  model pool: Pool(size = 2)
{
    turns[counter = counter]()
    perTurn()
    turns.started -> perTurn.go
    startup()
    a: idle()
    b: idle()
    c: emit<u8>(value = |clamp<u8>(5, 9, 1))
    d: emit<u8>(value = |now(3))
    startup.trigger -> a.go
    startup.trigger -> b.go
    startup.trigger -> c.trigger
    startup.trigger -> d.trigger
}
`,
    });
    const r = cli(['run', '--path', TESTKIT, join(p, 'Compo.toml'), 'main']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    const heads = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('error['))
      .map((l) => l.replace(/: \S*main\.mel:/, ': main.mel:'))
      .sort();
    assert.deepEqual(heads, [
      "error[E_LAUNCH]: main.mel:32:25: function 'std/ops::|clamp' failed: Cannot clamp: 'min' (9) is greater than 'max' (1)",
      "error[E_NOT_IMPLEMENTED]: main.mel:17:26: function 'none::|later' has no behaviour in this version of tutti",
      "error[E_NOT_IMPLEMENTED]: main.mel:24:3: model 'none::Pool' has no behaviour in this version of tutti",
      "error[E_NOT_IMPLEMENTED]: main.mel:30:5: treatment 'none::idle' has no behaviour in this version of tutti",
      "error[E_NOT_IMPLEMENTED]: main.mel:33:25: function 'none::|now' has no behaviour in this version of tutti",
    ]);
    assert.match(r.stderr, /'none::idle' is also used here at .*main\.mel:31:5/);
    assert.match(r.stderr, /; nothing was run\n$/);
  });
});

describe('native packages in TypeScript/JavaScript', () => {
  const tools = `// A native package: no import needed, the API is handed to the default export.
export default ({ treatment, fn, END }) => ({
  name: 'tools',
  version: '1.2.0',
  doc: 'Example tools',
  elements: [
    fn('tools', 'twice', { params: 'text: string', returns: 'string', impl: ([t]) => t + t }),
    treatment('tools', 'shout', {
      inputs: { text: 'Stream<string>' },
      outputs: { loud: 'Stream<string>' },
      async run({ inputs, outputs }) {
        for (;;) {
          const b = await inputs.text.recvMany();
          if (b === END) return;
          const out = [];
          for (let i = 0; i < b.length; i++) out.push(String(b[i]).toUpperCase() + '!');
          if (!(await outputs.loud.sendMany(out))) return;
        }
      },
    }),
  ],
});
`;
  const main = `use std/engine/util::startup
use std/flow::emit
use std/flow::stream
use std/engine/log::logInfos
use tools::shout
use tools::|twice

treatment main()
{
    startup()
    emit<string>(value = |twice("ab"))
    stream<string>()
    shout()
    logInfos(label = "tools")
    startup.trigger -> emit.trigger,emit -> stream.block,stream -> shout.text,loud -> logInfos.messages
}
`;
  test('a Compo.toml dependency on a local module', () => {
    const p = project({
      'Compo.toml':
        'name = "app"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\ntools = { version = "^1.1", module = "native/tools.js" }\n\n[entrypoints]\nmain = "app/main::main"\n',
      'main.mel': main,
      'native/tools.js': tools,
    });
    const r = cli(['run', p]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: tools: ABAB!']);
  });
  test('a Compo.toml dependency on an npm package, and its version is checked', () => {
    const p = project({
      'Compo.toml':
        'name = "app"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\ntools = { version = "1.2", npm = "tutti-tools" }\n\n[entrypoints]\nmain = "app/main::main"\n',
      'main.mel': main,
      'node_modules/tutti-tools/package.json':
        '{"name":"tutti-tools","version":"1.2.0","type":"module","tutti":{"package":"lib/tools.js"}}',
      'node_modules/tutti-tools/lib/tools.js': tools,
    });
    const r = cli(['run', p]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['info: tools: ABAB!']);
    const old = project({
      'Compo.toml':
        'name = "app"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\ntools = { version = "2", module = "tools.js" }\n\n[entrypoints]\nmain = "app/main::main"\n',
      'main.mel': main,
      'tools.js': tools,
    });
    const bad = cli(['check', old]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /E_PACKAGE_NOT_FOUND.*'tools' 1\.2\.0 does not satisfy/);
    const missing = project({
      'Compo.toml': 'name = "app"\nversion = "0.1.0"\n\n[dependencies]\ntools = { version = "1", npm = "not-installed-here" }\n',
    });
    const m = cli(['check', missing]);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /npm package 'not-installed-here'.*not installed/);
  });
});
