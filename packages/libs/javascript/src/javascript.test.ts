import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FunctionDescriptor, LogLevel, ModelContext, ModelDescriptor, TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { json } from '@tutti/lib-json';
import { JavaScriptEngine, realmOptions } from './engine.js';
import { javascriptElements } from './javascript.js';
import type { RealmOptions } from './realm.js';

const processDescriptor = javascriptElements.find((e) => e.kind === 'treatment' && e.name === 'process') as TreatmentDescriptor;
const engineDescriptor = javascriptElements.find((e) => e.kind === 'model' && e.name === 'JavaScriptEngine') as ModelDescriptor;
const toJsonImpl = (json.elements.find((e) => e.kind === 'function' && e.name === 'to_json') as FunctionDescriptor).impl;

/** A `Json` value of the json package, from its text. */
function j(text: string): Value {
  assert.ok(toJsonImpl);
  const v = toJsonImpl([text], {});
  assert.notEqual(v, null, text);
  return v;
}

/** Compact texts of Option<Json> values (none as null). */
function texts(values: readonly Value[] | undefined): (string | null)[] {
  return (values ?? []).map((v) => (v === null ? null : String(v)));
}

const OPTIONS: RealmOptions = { strict: false, recursionLimit: 400, loopIterationLimit: 4294967295, timeLimitMs: 300 };
const engines: JavaScriptEngine[] = [];

async function engine(code = '', options: Partial<RealmOptions> = {}, warnings: string[] = []): Promise<JavaScriptEngine> {
  const e = new JavaScriptEngine({ ...OPTIONS, ...options }, code, (m) => warnings.push(m));
  await e.initialize();
  engines.push(e);
  return e;
}

function run(e: JavaScriptEngine, code: string, values: Value[] | { batches: Value[][] }, outputs = {}, capacity?: number) {
  const o = { params: { code }, models: { engine: e }, inputs: { value: values }, outputs };
  return runTreatment(processDescriptor, capacity === undefined ? o : { ...o, capacity });
}

after(async () => {
  for (const e of engines) await e.shutdown();
});

describe('process', () => {
  test('a function defined by the model code applied to value, keys sorted', async () => {
    const e = await engine(`function annotate(input) {
        var word = input.word;
        return { upper: word.toUpperCase(), reversed: word.split('').reverse().join(''), original: word };
    }`);
    const r = await run(e, 'annotate(value)', [j('{"word": "stressed"}')]);
    assert.equal(r.error, undefined);
    assert.deepEqual(texts(r.outputs.result), ['{"original":"stressed","reversed":"desserts","upper":"STRESSED"}']);
  });

  test('one output per input, in order, across batches; none for undefined, exceptions and non-JSON', async () => {
    const e = await engine();
    const code = 'if (value === 3) throw new Error("three"); value === 2 ? undefined : value === 4 ? 10n : value * 10';
    const r = await run(e, code, {
      batches: [
        [j('1'), j('2')],
        [j('3'), j('4'), j('5')],
      ],
    });
    assert.deepEqual(texts(r.outputs.result), ['10', null, null, null, '50']);
  });

  test('an empty stream gives nothing', async () => {
    const e = await engine();
    const r = await run(e, 'value', []);
    assert.deepEqual(r.outputs.result, []);
    assert.deepEqual(r.closeOrder, ['result']);
  });

  test('JSON in: sorted keys, integers and floats as JS numbers, wide integers approximated', async () => {
    const e = await engine();
    const r = await run(e, '[Object.keys(value), value.i + 1, value.f, value.big]', [
      j('{"z": 1, "a": 2, "i": 41, "f": 1.5, "big": 18446744073709551615}'),
    ]);
    assert.deepEqual(texts(r.outputs.result), ['[["a","big","f","i","z"],42,1.5,1.8446744073709552e19]']);
  });

  test('nested undefined and functions are omitted, null in arrays (the reference kills its worker: fixed); the engine lives on', async () => {
    const e = await engine();
    const r = await run(e, '({a: undefined, b: [undefined, function () {}, 1], c: () => 1, d: value})', [j('1'), j('2')]);
    assert.deepEqual(texts(r.outputs.result), ['{"b":[null,null,1],"d":1}', '{"b":[null,null,1],"d":2}']);
  });

  test('integral numbers below 2^53 become integers, others floats (approximating the 32-bit rule of the reference)', async () => {
    const e = await engine();
    const r = await run(e, '[Math.floor(2.5), value, 2 ** 31, 2 ** 53, 0.5, 1e300, NaN]', [j('3000000000')]);
    assert.deepEqual(texts(r.outputs.result), ['[2,3000000000,2147483648,9007199254740992.0,0.5,1e300,null]']);
  });

  test('results the Json type refuses give none: lone surrogates, nesting past its limit', async () => {
    const e = await engine();
    const r = await run(e, 'value === 1 ? "\\ud800" : (() => { let a = 0; for (let i = 0; i < 130; i++) a = [a]; return a })()', [
      j('1'),
      j('2'),
    ]);
    assert.deepEqual(r.outputs.result, [null, null]);
  });

  test('an infinite loop gives none within the time limit and the next values are processed', async () => {
    const e = await engine('var kept = 1;', { timeLimitMs: 100 });
    const t0 = Date.now();
    const r = await run(e, 'if (value === 1) while (true) {} kept + value', [j('1'), j('2')]);
    assert.deepEqual(texts(r.outputs.result), [null, '3']);
    assert.ok(Date.now() - t0 < 3000);
  });

  test('rule C: stops when the result consumer is gone', async () => {
    const e = await engine('var seen = 0;');
    const many = Array.from({ length: 20 }, (_, i) => j(String(i)));
    const r = await run(e, 'seen++; value', { batches: many.map((v) => [v]) }, { result: { take: 1 } }, 1);
    assert.deepEqual(texts(r.outputs.result), ['0']);
    const after = await run(e, 'seen', [j('0')]);
    assert.ok(Number(texts(after.outputs.result)[0]) < 5, `evaluated ${texts(after.outputs.result)[0]}`);
    const unconnected = await run(e, 'seen++; value', [j('1')], { result: { unconnected: true } });
    assert.equal(unconnected.error, undefined);
  });

  test('escape attempts see only the realm', async () => {
    const e = await engine();
    const code = `[typeof require, typeof process, typeof globalThis.process, typeof module,
      globalThis.constructor.constructor('return typeof process')(),
      value.constructor.constructor('return typeof require')()]`;
    const r = await run(e, code, [j('{}')]);
    assert.deepEqual(texts(r.outputs.result), ['["undefined","undefined","undefined","undefined","undefined","undefined"]']);
    const i = await run(e, "import('node:fs').catch((err) => { globalThis.failure = err.name }); 0", [j('0')]);
    assert.deepEqual(texts(i.outputs.result), ['0']);
    const seen = await run(e, 'failure', [j('0')]);
    assert.deepEqual(texts(seen.outputs.result), ['"ReferenceError"']);
  });
});

describe('JavaScriptEngine', () => {
  function context(params: Record<string, Value>, logs: { level: LogLevel; message: string }[] = []): ModelContext {
    return {
      params,
      path: 'main/engine',
      log: (level, _label, message) => logs.push({ level, message }),
      signal: new AbortController().signal,
      registrations: () => [],
      createTrack: async () => ({ id: 0, ok: true, created: false }),
    };
  }

  /** The model's declared defaults, as the engine passes them. */
  const defaults: Record<string, Value> = {
    stack_size_limit: 1024,
    recursion_limit: 400,
    loop_iteration_limit: 4294967295,
    strict: false,
    code: '',
  };

  test('the descriptor creates engines', () => {
    assert.equal(engineDescriptor.create, JavaScriptEngine.create);
    assert.equal(processDescriptor.run !== undefined, true);
  });

  test('parameters: code evaluated once at initialisation, shared by every process and track', async () => {
    const e = JavaScriptEngine.create(
      context({ ...defaults, code: 'var calls = 0; let prefix = "n"; function next() { return prefix + ++calls; }' }),
    );
    engines.push(e);
    await e.initialize();
    const a = await run(e, 'next()', [j('0'), j('0')]);
    const b = await run(e, 'next()', [j('0')]);
    assert.deepEqual([...texts(a.outputs.result), ...texts(b.outputs.result)], ['"n1"', '"n2"', '"n3"']);
  });

  test('parameters: strict', async () => {
    const sloppy = JavaScriptEngine.create(context({ ...defaults, code: 'x = 1' }));
    const strict = JavaScriptEngine.create(context({ ...defaults, strict: true, code: 'x = 1' }));
    engines.push(sloppy, strict);
    await sloppy.initialize();
    await strict.initialize();
    assert.deepEqual(texts((await run(sloppy, 'typeof x', [j('0')])).outputs.result), ['"number"']);
    assert.deepEqual(texts((await run(strict, 'typeof x', [j('0')])).outputs.result), ['"undefined"']);
  });

  test('parameters: loop_iteration_limit and recursion_limit, u64 as number or bigint', () => {
    assert.deepEqual(realmOptions(defaults), { strict: false, recursionLimit: 400, loopIterationLimit: 4294967295 });
    assert.deepEqual(realmOptions({ ...defaults, loop_iteration_limit: 2n ** 64n - 1n, recursion_limit: 10, strict: true }), {
      strict: true,
      recursionLimit: 10,
      loopIterationLimit: 18446744073709552000,
    });
  });

  test('a low loop_iteration_limit stops long loops', async () => {
    const e = JavaScriptEngine.create(context({ ...defaults, loop_iteration_limit: 100000 }));
    engines.push(e);
    await e.initialize();
    const r = await run(e, 'let n = 0; for (let i = 0; i < value; i++) n++; n', [j('10'), j('100000000')]);
    assert.deepEqual(texts(r.outputs.result), ['10', null]);
  });

  test('processes bound to one engine are serialised and share globals', async () => {
    const e = await engine('var log = [];');
    const values = Array.from({ length: 200 }, (_, i) => j(String(i)));
    const [a, b] = await Promise.all([
      run(e, 'log.push("a" + value); value', { batches: values.map((v) => [v]) }),
      run(e, 'log.push("b" + value); value', { batches: values.map((v) => [v]) }),
    ]);
    assert.equal(a.outputs.result?.length, 200);
    assert.equal(b.outputs.result?.length, 200);
    const log = JSON.parse(texts((await run(e, 'log', [j('0')])).outputs.result)[0] as string) as string[];
    assert.equal(log.length, 400);
    assert.deepEqual(
      log.filter((x) => x.startsWith('a')),
      values.map((_, i) => `a${i}`),
    );
  });

  test('after shutdown the engine is gone: process ends without output', async () => {
    const e = await engine();
    await e.shutdown();
    const r = await run(e, 'value', [j('1'), j('2')]);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.outputs.result, []);
  });

  test('a realm broken at host level is replaced: code evaluated again, other state lost, warning', async () => {
    const warnings: string[] = [];
    const e = await engine('var fromCode = "c";', { memoryLimitBytes: 32 * 1024 * 1024, timeLimitMs: 20_000 }, warnings);
    const code =
      'if (value === 1) { globalThis.extra = 1; var hog = []; while (true) hog.push({a: hog.length}) } [fromCode, typeof extra, typeof hog]';
    const r = await run(e, code, [j('1'), j('2')]);
    assert.deepEqual(texts(r.outputs.result), [null, '["c","undefined","undefined"]']);
    assert.equal(warnings.length, 1);
    const logs: { level: LogLevel; message: string }[] = [];
    const m = JavaScriptEngine.create(
      context({ ...defaults, code: 'var a = []; for (var i = 0; i < 100000; i++) a = [a]; String(a)' }, logs),
    );
    engines.push(m);
    await m.initialize();
    assert.deepEqual(texts((await run(m, 'typeof a', [j('0')])).outputs.result), ['"undefined"']);
    assert.equal(logs.length, 1);
    assert.equal(logs[0]?.level, 'warning');
  });
});
