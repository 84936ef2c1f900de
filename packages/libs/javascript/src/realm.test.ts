import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Realm, type RealmOptions, stackBytesFor } from './realm.js';

const DEFAULTS: RealmOptions = { strict: false, recursionLimit: 400, loopIterationLimit: 4294967295, timeLimitMs: 300 };
const realms: Realm[] = [];

async function realm(options: Partial<RealmOptions> = {}, code = ''): Promise<Realm> {
  const r = await Realm.create({ ...DEFAULTS, ...options });
  if (code !== '') r.run(code);
  realms.push(r);
  return r;
}

after(() => {
  for (const r of realms) r.dispose();
});

describe('evaluation', () => {
  test('completion value of the script, with the global value set from JSON', async () => {
    const r = await realm({}, 'function greet(x) { return "hello " + x.name; }');
    assert.equal(r.evaluate('{"name":"Ada"}', 'greet(value)'), '"hello Ada"');
    assert.equal(r.evaluate('{"x":3,"y":[1,2]}', '({a: value.x, b: value.y.length})'), '{"a":3,"b":2}');
    assert.equal(r.evaluate('[1,2,3]', 'value.map(v => v * 2)'), '[2,4,6]');
    assert.equal(r.evaluate('"s"', 'value'), '"s"');
    assert.equal(r.evaluate('null', 'value'), 'null');
    assert.equal(r.evaluate('true', '!value'), 'false');
    assert.equal(r.evaluate('1', 'var n = value + 1; n'), '2');
  });

  test('undefined, an exception or a syntax error give none', async () => {
    const r = await realm();
    assert.equal(r.evaluate('1', 'undefined'), undefined);
    assert.equal(r.evaluate('1', 'void value'), undefined);
    assert.equal(r.evaluate('1', 'var unused = 1;'), undefined);
    assert.equal(r.evaluate('1', 'throw new Error("no")'), undefined);
    assert.equal(r.evaluate('1', 'value.missing.deeper'), undefined);
    assert.equal(r.evaluate('1', 'this is not javascript'), undefined);
    assert.equal(r.evaluate('1', 'value'), '1');
  });

  test('values that JSON cannot hold give none', async () => {
    const r = await realm();
    assert.equal(r.evaluate('0', '10n'), undefined);
    assert.equal(r.evaluate('0', 'Symbol("s")'), undefined);
    assert.equal(r.evaluate('0', '(function f() {})'), undefined);
    assert.equal(r.evaluate('0', '({a: [1n]})'), undefined);
    assert.equal(r.evaluate('0', 'var o = {}; o.self = o; o'), undefined);
    assert.equal(r.evaluate('0', 'var a = []; for (var i = 0; i < 128; i++) a = [a]; a'), undefined);
    assert.equal(r.evaluate('0', 'var b = []; for (var i = 0; i < 127; i++) b = [b]; b')?.length, 127 * 2 + 2);
    // The same object twice is not a cycle.
    assert.equal(r.evaluate('0', 'var s = {k: 1}; [s, s]'), '[{"k":1},{"k":1}]');
  });

  test('nested undefined and functions follow JSON.stringify (the reference kills its worker: fixed)', async () => {
    const r = await realm();
    assert.equal(r.evaluate('0', '({a: undefined, b: 1, f() {}, g: function () {}})'), '{"b":1}');
    assert.equal(r.evaluate('0', '[undefined, function () {}, 2, , 4]'), '[null,null,2,null,4]');
    assert.equal(r.evaluate('0', '({x: {y: undefined, z: [undefined]}})'), '{"x":{"z":[null]}}');
    // The engine keeps working after such results (the reference's worker dies).
    assert.equal(r.evaluate('5', 'value * 2'), '10');
  });

  test('integral numbers below 2^53 are integers, others floats (approximating the 32-bit rule of the reference)', async () => {
    const r = await realm();
    assert.equal(r.evaluate('0', 'Math.floor(2.5)'), '2');
    assert.equal(r.evaluate('3000000000', 'value'), '3000000000');
    assert.equal(r.evaluate('0', '2 ** 53 - 1'), '9007199254740991');
    assert.equal(r.evaluate('0', '-(2 ** 53 - 1)'), '-9007199254740991');
    assert.equal(r.evaluate('0', '2 ** 53'), '9007199254740992.0');
    assert.equal(r.evaluate('0', '-(2 ** 60)'), '-1152921504606847000.0');
    assert.equal(r.evaluate('0', '1e21'), '1e+21');
    assert.equal(r.evaluate('0', '0.1 + 0.2'), '0.30000000000000004');
    assert.equal(r.evaluate('0', '1.5e-7'), '1.5e-7');
    assert.equal(r.evaluate('0', '-0'), '0');
    assert.equal(r.evaluate('0', '[NaN, Infinity, -Infinity]'), '[null,null,null]');
    // A float received in `value` is a JS number like any other.
    assert.equal(r.evaluate('2.0', 'value'), '2');
    assert.equal(r.evaluate('18446744073709551615', 'value'), '18446744073709552000.0');
  });

  test('objects: own string keys, enumerable or not; accessors give null without running', async () => {
    const r = await realm();
    assert.equal(
      r.evaluate(
        '0',
        'var o = Object.create({inherited: 1}); Object.defineProperty(o, "hidden", {value: 2, enumerable: false}); o.shown = 3; o',
      ),
      '{"hidden":2,"shown":3}',
    );
    assert.equal(r.evaluate('0', '({get g() { while (true) {} }, [Symbol("s")]: 1, k: 2})'), '{"g":null,"k":2}');
    assert.equal(r.evaluate('0', '({toJSON() { return 1 }, v: 2})'), '{"v":2}');
    assert.equal(r.evaluate('0', 'new Map([[1, 2]])'), '{}');
  });

  test('the global value is replaced per evaluation, is deletable, and keys arrive in the given order', async () => {
    const r = await realm();
    assert.equal(r.evaluate('{"a":1,"b":2}', 'Object.keys(value).join()'), '"a,b"');
    assert.equal(r.evaluate('7', 'delete value; typeof value'), '"undefined"');
    assert.equal(r.evaluate('8', 'value'), '8');
    assert.equal(r.evaluate('{"__proto__":1}', 'Object.keys(value)'), '["__proto__"]');
    // A script's own `var value` makes it non-configurable: later values are assigned to it.
    assert.equal(r.evaluate('9', 'var value; value'), '9');
    assert.equal(r.evaluate('10', 'value'), '10');
  });

  test('globals persist across evaluations: top-level let, functions, var', async () => {
    const r = await realm({}, 'let counter = 0; function next() { return ++counter; }');
    assert.equal(r.evaluate('0', 'next()'), '1');
    assert.equal(r.evaluate('0', 'next()'), '2');
    assert.equal(r.evaluate('0', 'let later = 5; later'), '5');
    assert.equal(r.evaluate('0', 'later + counter'), '7');
    assert.equal(r.evaluate('0', '({...{a: 1}, b: null ?? "d"})'), '{"a":1,"b":"d"}');
  });

  test('strict mode applies to the code and every script', async () => {
    const sloppy = await realm({}, 'implicitGlobal = 1;');
    assert.equal(sloppy.evaluate('0', 'typeof implicitGlobal'), '"number"');
    assert.equal(sloppy.evaluate('0', '(function () { return this === undefined })()'), 'false');
    const strict = await realm({ strict: true }, 'implicitGlobal = 1;');
    assert.equal(strict.evaluate('0', 'typeof implicitGlobal'), '"undefined"');
    assert.equal(strict.evaluate('0', '(function () { return this === undefined })()'), 'true');
    assert.equal(strict.evaluate('0', 'undeclared = 2'), undefined);
  });

  test('errors in the model code are ignored; what ran before the error stays defined', async () => {
    const r = await realm({}, 'var before = 1; throw new Error("x"); var afterwards = 2;');
    assert.equal(r.evaluate('0', '[typeof before, typeof afterwards]'), '["number","undefined"]');
  });

  test('user code cannot disturb the conversion by replacing built-ins', async () => {
    const r = await realm();
    r.run(
      'JSON.stringify = () => "hacked"; JSON.parse = () => 42; Object.getOwnPropertyNames = () => []; String.prototype.indexOf = () => 0;' +
        'Object.defineProperty(Object.prototype, "0", {set() { throw new Error("setter") }, configurable: true});' +
        'Object.defineProperty(Array.prototype, "0", {set() { throw new Error("setter") }, configurable: true});',
    );
    assert.equal(r.evaluate('{"a":[1,{"b":2}]}', 'value'), '{"a":[1,{"b":2}]}');
    assert.equal(r.evaluate('0', '2 ** 53'), '9007199254740992.0');
  });

  test('promise jobs run after the evaluation, within its limits', async () => {
    const r = await realm();
    assert.equal(r.evaluate('0', 'var seen = []; Promise.resolve(1).then(v => seen.push(v)); seen.length'), '0');
    assert.equal(r.evaluate('0', 'seen'), '[1]');
    assert.equal(r.evaluate('0', '(async () => { await null; while (true) {} })(); "started"'), '"started"');
    assert.equal(r.evaluate('3', 'value'), '3');
  });
});

describe('limits', () => {
  test('an infinite loop gives none within the time limit and the realm stays usable with its state', async () => {
    const r = await realm({ timeLimitMs: 100 }, 'var kept = 41;');
    const t0 = Date.now();
    assert.equal(r.evaluate('0', 'while (true) {}'), undefined);
    const spent = Date.now() - t0;
    assert.ok(spent >= 90 && spent < 2000, `stopped after ${spent} ms`);
    assert.equal(r.evaluate('0', 'try { for (;;) {} } catch (e) { "caught" }'), undefined);
    assert.equal(r.broken, false);
    assert.equal(r.evaluate('1', 'kept + value'), '42');
  });

  test('an infinite loop in the model code is stopped too', async () => {
    const r = await realm({ timeLimitMs: 100 }, 'var early = 1; while (true) {}');
    assert.equal(r.evaluate('0', 'early'), '1');
  });

  test('loop_iteration_limit stops long loops (counted per evaluation, about 5 000 iterations per poll)', async () => {
    const r = await realm({ loopIterationLimit: 1_000_000, timeLimitMs: 60_000 });
    assert.equal(r.evaluate('0', 'var i = 0; while (i < 100000) i++; i'), '100000');
    const t0 = Date.now();
    assert.equal(r.evaluate('0', 'var j = 0; while (j < 1e9) j++; j'), undefined);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.evaluate('0', 'j > 500000 && j < 2000000'), 'true');
  });

  test('deep recursion gives none and the realm stays usable', async () => {
    const r = await realm();
    assert.equal(r.evaluate('0', '(function f(n) { return f(n + 1) + 1 })(0)'), undefined);
    assert.equal(r.evaluate('0', 'var depth = 0; try { (function f() { depth++; f() })() } catch (e) {} depth > 300'), 'true');
    assert.equal(r.broken, false);
    assert.equal(r.evaluate('2', 'value'), '2');
  });

  test('recursion_limit scales the stack limit, within 64–256 KiB', () => {
    assert.equal(stackBytesFor(400), 256000);
    assert.equal(stackBytesFor(10), 64 * 1024);
    assert.equal(stackBytesFor(1_000_000), 256 * 1024);
  });

  test('the memory limit bounds the realm: past it allocations fail inside, quickly', async () => {
    const r = await realm({ memoryLimitBytes: 32 * 1024 * 1024, timeLimitMs: 20_000 }, 'var kept = "k";');
    const t0 = Date.now();
    assert.equal(r.evaluate('0', '(() => { const hog = []; while (true) hog.push("x".repeat(65536) + hog.length) })()'), undefined);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.evaluate('0', '(() => { const hog = []; while (true) hog.push(new ArrayBuffer(1 << 20)) })()'), undefined);
    // What the script allocated was released with it: the realm goes on, state intact.
    assert.equal(r.broken, false);
    assert.equal(r.evaluate('0', 'kept'), '"k"');
  });

  test('a realm left full by data a script keeps is broken', async () => {
    const r = await realm({ memoryLimitBytes: 32 * 1024 * 1024, timeLimitMs: 20_000 });
    assert.equal(r.evaluate('0', 'var hog = []; while (true) hog.push({a: hog.length})'), undefined);
    assert.equal(r.broken, true);
  });

  test('a native path exhausting the host stack breaks the realm, which then refuses work', async () => {
    const r = await realm();
    assert.equal(r.evaluate('0', 'var a = []; for (var i = 0; i < 100000; i++) a = [a]; JSON.stringify(a).length'), undefined);
    assert.equal(r.broken, true);
    assert.equal(r.evaluate('1', 'value'), undefined);
    r.dispose();
  });
});

describe('isolation from the host', () => {
  test('no require, process, module system, timers or host globals', async () => {
    const r = await realm();
    const names = [
      'require',
      'process',
      'module',
      'exports',
      '__dirname',
      'Buffer',
      'global',
      'setTimeout',
      'setImmediate',
      'queueMicrotask',
      'fetch',
      'console',
      'std',
      'os',
      'WebAssembly',
      'Deno',
      'Bun',
    ];
    assert.equal(r.evaluate('0', `[${names.map((n) => `typeof ${n}`).join(',')}]`), JSON.stringify(names.map(() => 'undefined')));
    const globals = JSON.parse(r.evaluate('0', 'Object.getOwnPropertyNames(globalThis)') as string) as string[];
    const standard =
      /^(?:[A-Z][A-Za-z0-9]*|globalThis|parseInt|parseFloat|isNaN|isFinite|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent|escape|unescape|eval|undefined|value)$/;
    assert.deepEqual(
      globals.filter((n) => !standard.test(n)),
      [],
    );
  });

  test('constructor chains stay inside the realm', async () => {
    const r = await realm();
    const probes = [
      "this.constructor.constructor('return typeof process')()",
      "globalThis.constructor.constructor('return typeof process')()",
      "Function('return typeof process + typeof require')()",
      "value.constructor.constructor('return typeof process')()",
      "Object.getPrototypeOf(value).constructor.constructor('return typeof process')()",
      "(() => {}).constructor('return typeof process')()",
      "(function* () {}).constructor('return typeof process')().next().value",
      "try { null.x } catch (e) { e.constructor.constructor('return typeof process')() }",
      "eval('typeof process')",
    ];
    for (const p of probes) {
      const out = r.evaluate('{"k":1}', p);
      assert.ok(out === undefined || /^"undefined(undefined)?"$/.test(out), `${p} gave ${out}`);
    }
    r.run("var asyncSeen; (async () => {}).constructor('return typeof process')().then((t) => { asyncSeen = t; });");
    assert.equal(r.evaluate('0', 'asyncSeen'), '"undefined"');
  });

  test('import() and import declarations fail inside the realm', async () => {
    const r = await realm();
    assert.equal(r.evaluate('0', "import fs from 'fs'"), undefined);
    assert.equal(
      r.evaluate(
        '0',
        "var imported = []; for (const p of [import('fs'), eval(\"import('node:child_process')\"), Function(\"return import('os')\")()]) p.then(() => imported.push('loaded'), (e) => imported.push(e.name + ':' + e.constructor.constructor('return typeof process')())); 1",
      ),
      '1',
    );
    assert.equal(r.evaluate('0', 'imported'), '["ReferenceError:undefined","ReferenceError:undefined","ReferenceError:undefined"]');
  });

  test('stack traces expose no host frames', async () => {
    const r = await realm();
    const out = r.evaluate(
      '0',
      'Error.prepareStackTrace = (e, frames) => frames; var st = new Error("x").stack; [typeof st, String(st).includes("node:")]',
    );
    assert.equal(out, '["string",false]');
  });

  test('realms of different engines share nothing', async () => {
    const a = await realm({}, 'var shared = "a"; Object.prototype.polluted = 1;');
    const b = await realm();
    assert.equal(b.evaluate('0', '[typeof shared, ({}).polluted]'), '["undefined",null]');
    assert.equal(a.evaluate('0', '({}).polluted'), '1');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
