/**
 * One case per diagnostic code of the catalogue (core/src/diagnostics.ts), each checking
 * code, line and message; the last test walks the catalogue so that a new code cannot be
 * added without a case (as esbuild's TestMsgIDs does). Lines are marked in the sources
 * with `// !E_CODE`, as in the static examples (static/*.mel).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalogue } from '@tutti/core';
import { check, cli, H, project } from '../helpers.js';

const HT = `${H}#! require = testkit:1.0.0\n`;

interface Case {
  readonly code: string;
  /** Script source (header included); the line carrying `// !CODE` is the expected line. */
  readonly source?: string;
  /** Or: files of a project, checked through its Compo.toml. */
  readonly files?: Record<string, string>;
  /** Expected words of the message. */
  readonly message: string;
}

const cases: Case[] = [
  { code: 'E_LEX', source: `${H}treatment main() {\n  ; // !E_LEX\n}\n`, message: "unexpected character ';'" },
  {
    code: 'E_SYNTAX',
    source: `${H}use std/flow::emit\ntreatment main() {\n  emit<string>(value = "x",) // !E_SYNTAX\n}\n`,
    message: "expected a parameter name, found ')'",
  },
  {
    code: 'E_NESTING_TOO_DEEP',
    source: `${H}treatment main(const v: Vec<u8> = ${'['.repeat(300)}${']'.repeat(300)}) // !E_NESTING_TOO_DEEP\n{\n}\n`,
    message: 'nested deeper than 256 levels',
  },
  {
    code: 'E_INVALID_LITERAL',
    source: `${H}treatment main(const s: string = "tab\\q") // !E_INVALID_LITERAL\n{\n}\n`,
    message: "unknown escape '\\q'",
  },
  {
    code: 'E_DUPLICATE_NAME',
    source: `${H}treatment main() {}\ntreatment main() {} // !E_DUPLICATE_NAME\n`,
    message: "'main' is already declared",
  },
  {
    code: 'E_DUPLICATE_DECLARATION',
    source: `${H}treatment x(a: u8, a: u8) {} // !E_DUPLICATE_DECLARATION\ntreatment main() {}\n`,
    message: "parameter 'a' is declared twice",
  },
  {
    code: 'E_DUPLICATE_INSTANCE',
    source: `${H}use std/flow::emit\ntreatment main() {\n  emit<u8>(value = 1)\n  emit<u8>(value = 2) // !E_DUPLICATE_INSTANCE\n}\n`,
    message: "instance 'emit' is declared twice",
  },
  {
    code: 'E_DUPLICATE_ASSIGNMENT',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = 1, value = 2) // !E_DUPLICATE_ASSIGNMENT\n  startup.trigger -> emit.trigger\n}\n`,
    message: "parameter 'value' is assigned twice",
  },
  {
    code: 'E_RESERVED_NAME',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  Self: emit<u8>(value = 1) // !E_RESERVED_NAME\n  startup.trigger -> Self.trigger\n}\n`,
    message: "cannot be named 'Self'",
  },
  {
    code: 'E_UNKNOWN_DEPENDENCY',
    source: `${H}use fs/local::writeTextLocal // !E_UNKNOWN_DEPENDENCY\ntreatment main() {}\n`,
    message: "'fs' is not a dependency",
  },
  {
    code: 'E_PACKAGE_NOT_FOUND',
    source:
      '#!/usr/bin/env melodium\n#! name = conformance\n#! require = std:0.10.2 nosuch:1.0.0 // !E_PACKAGE_NOT_FOUND\ntreatment main() {}\n',
    message: "no package 'nosuch' is available",
  },
  {
    code: 'E_UNKNOWN_ELEMENT',
    source: `${H}use std/flow::emitt // !E_UNKNOWN_ELEMENT\ntreatment main() {}\n`,
    message: "area 'std/flow' has no element 'emitt'",
  },
  {
    code: 'E_ELEMENT_KIND_MISMATCH',
    source: `${H}use std/engine::Engine\ntreatment main() {\n  Engine() // !E_ELEMENT_KIND_MISMATCH\n}\n`,
    message: "'Engine' is a model, not a treatment",
  },
  {
    code: 'E_UNKNOWN_TYPE',
    source: `${H}treatment main(const s: Strng = "x") // !E_UNKNOWN_TYPE\n{\n}\n`,
    message: "unknown type 'Strng'",
  },
  {
    code: 'E_INVALID_TYPE_STRUCTURE',
    source: `${H}treatment main(const s: Vec = []) // !E_INVALID_TYPE_STRUCTURE\n{\n}\n`,
    message: "'Vec' needs exactly one type argument",
  },
  {
    code: 'E_FLOW_NOT_ALLOWED',
    source: `${H}treatment main(var xs: Stream<u8>) // !E_FLOW_NOT_ALLOWED\n{\n}\n`,
    message: 'only allowed for inputs and outputs',
  },
  {
    code: 'E_INVALID_GENERIC_NAME',
    source: `${H}treatment keep<u8>() // !E_INVALID_GENERIC_NAME\n{\n}\ntreatment main() {}\n`,
    message: "'u8' is a type name",
  },
  {
    code: 'E_UNKNOWN_TRAIT',
    source: `${H}treatment keep<T: Shiny>() // !E_UNKNOWN_TRAIT\n{\n}\ntreatment main() {}\n`,
    message: "unknown trait 'Shiny'",
  },
  {
    code: 'E_TRAITS_IN_ASSIGNMENT',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8: Display>(value = 1) // !E_TRAITS_IN_ASSIGNMENT\n  startup.trigger -> emit.trigger\n}\n`,
    message: 'trait bounds cannot be written in a generic argument',
  },
  {
    code: 'E_GENERIC_COUNT',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit(value = 1) // !E_GENERIC_COUNT\n  startup.trigger -> emit.trigger\n}\n`,
    message: 'needs 1 generic argument <T>, 0 given',
  },
  {
    code: 'W_IGNORED_GENERIC',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8, string>(value = 1) // !W_IGNORED_GENERIC\n  startup.trigger -> emit.trigger\n}\n`,
    message: "treatment 'emit' takes 1 generic argument; the 1 extra is ignored",
  },
  {
    code: 'E_GENERIC_CONSTRAINT',
    source: `${H}use std/engine/log::logDataInfos\ntreatment show<T>()\n  input values: Stream<T>\n{\n  logDataInfos<T>() // !E_GENERIC_CONSTRAINT\n  Self.values -> logDataInfos.data\n}\ntreatment main() {}\n`,
    message: "'T' does not implement 'Display'",
  },
  {
    code: 'E_DEFAULT_NOT_ALLOWED',
    source: `${H}treatment pick<T>(var v: T = 1) // !E_DEFAULT_NOT_ALLOWED\n{\n}\ntreatment main() {}\n`,
    message: 'generic type and cannot have a default',
  },
  {
    code: 'E_DEFAULT_NOT_LITERAL',
    source: `${H}use std/ops/num::|add\ntreatment main(const total: u32 = |add<u32>(1, 2)) // !E_DEFAULT_NOT_LITERAL\n{\n}\n`,
    message: 'a default value must be a literal',
  },
  {
    code: 'E_MODEL_PARAM_NOT_CONST',
    source: `${HT}use testkit::Counter\nmodel Quick(var n: u64) : Counter // !E_MODEL_PARAM_NOT_CONST\n{\n  count = n\n}\ntreatment main() {}\n`,
    message: 'cannot be var',
  },
  {
    code: 'E_UNKNOWN_PARAMETER',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = 1, colour = "red") // !E_UNKNOWN_PARAMETER\n  startup.trigger -> emit.trigger\n}\n`,
    message: "has no parameter 'colour'",
  },
  {
    code: 'E_MISSING_PARAMETER',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>() // !E_MISSING_PARAMETER\n  startup.trigger -> emit.trigger\n}\n`,
    message: "needs parameter 'value'",
  },
  {
    code: 'E_UNDECLARED_PARAMETER',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<string>(value = nme) // !E_UNDECLARED_PARAMETER\n  startup.trigger -> emit.trigger\n}\n`,
    message: "'nme' is not a parameter here",
  },
  {
    code: 'E_TYPE_MISMATCH',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = "seven") // !E_TYPE_MISMATCH\n  startup.trigger -> emit.trigger\n}\n`,
    message: "expected a value of type 'u8', found a string",
  },
  {
    code: 'E_LITERAL_OUT_OF_RANGE',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = 256) // !E_LITERAL_OUT_OF_RANGE\n  startup.trigger -> emit.trigger\n}\n`,
    message: '256 is out of the range of u8',
  },
  {
    code: 'E_CONST_FROM_VAR',
    source: `${H}use std/flow::emit\ntreatment shout(const text: string)\n  input go: Block<void>\n  output said: Block<string>\n{\n  emit<string>(value = text)\n  Self.go -> emit.trigger,emit -> Self.said\n}\ntreatment main(word: string = "quiet")\n{\n  shout(text = word) // !E_CONST_FROM_VAR\n}\n`,
    message: "parameter 'text' of treatment 'shout' is const, but this value is var",
  },
  {
    code: 'E_CONST_FROM_CONTEXT',
    source: `${HT}use std/flow::emit\nuse testkit::@Turn\ntreatment label()\n  require @Turn\n  input go: Block<void>\n  output text: Block<string>\n{\n  shout(text = @Turn[name]) // !E_CONST_FROM_CONTEXT\n  Self.go -> shout.go,said -> Self.text\n}\ntreatment shout(const text: string)\n  input go: Block<void>\n  output said: Block<string>\n{\n  emit<string>(value = text)\n  Self.go -> emit.trigger,emit -> Self.said\n}\ntreatment main() {}\n`,
    message: 'cannot take a context value',
  },
  {
    code: 'E_CONTEXT_IN_MODEL',
    source: `${HT}use testkit::Counter\nuse testkit::@Turn\ntreatment inner()\n  require @Turn\n  model c: Counter(count = @Turn[index]) // !E_CONTEXT_IN_MODEL\n{\n}\ntreatment main() {}\n`,
    message: 'a model parameter cannot read a context',
  },
  {
    code: 'E_FUNCTION_ARITY',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\nuse std/ops/num::|add\ntreatment main() {\n  startup()\n  emit<u32>(value = |add<u32>(1)) // !E_FUNCTION_ARITY\n  startup.trigger -> emit.trigger\n}\n`,
    message: "function '|add' takes 2 arguments (a, b), 1 given",
  },
  {
    code: 'W_IGNORED_ARGUMENT',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\nuse std/ops/num::|add\ntreatment main() {\n  startup()\n  emit<u32>(value = |add<u32>(40, 2, 7, 8)) // !W_IGNORED_ARGUMENT\n  startup.trigger -> emit.trigger\n}\n`,
    message: "function '|add' takes 2 arguments; the 2 extra are ignored",
  },
  {
    code: 'E_UNDECLARED_CONTEXT',
    source: `${HT}use std/flow::emit\nuse testkit::@Turn\ntreatment label()\n  input go: Block<void>\n  output text: Block<string>\n{\n  emit<string>(value = @Turn[name]) // !E_UNDECLARED_CONTEXT\n  Self.go -> emit.trigger,emit -> Self.text\n}\ntreatment main() {}\n`,
    message: "without 'require @Turn'",
  },
  {
    code: 'E_UNKNOWN_CONTEXT_FIELD',
    source: `${HT}use std/flow::emit\nuse testkit::@Turn\ntreatment label()\n  require @Turn\n  input go: Block<void>\n  output text: Block<string>\n{\n  emit<string>(value = @Turn[colour]) // !E_UNKNOWN_CONTEXT_FIELD\n  Self.go -> emit.trigger,emit -> Self.text\n}\ntreatment main() {}\n`,
    message: "context '@Turn' has no field 'colour'",
  },
  {
    code: 'E_UNDECLARED_MODEL',
    source: `${H}use std/engine::ready\ntreatment main() {\n  ready[engine = nothing]() // !E_UNDECLARED_MODEL\n}\n`,
    message: "'nothing' is not a model of this treatment",
  },
  {
    code: 'E_MODEL_NAME_REQUIRED',
    source: `${H}use std/engine::ready\ntreatment main() {\n  ready[engine = "x"]() // !E_MODEL_NAME_REQUIRED\n}\n`,
    message: 'takes the name of a model',
  },
  {
    code: 'E_UNKNOWN_MODEL_PARAMETER',
    source: `${H}use std/engine::ready\nuse std/engine::Engine\ntreatment main()\n  model e: Engine()\n{\n  ready[motor = e, engine = e]() // !E_UNKNOWN_MODEL_PARAMETER\n}\n`,
    message: "has no model parameter 'motor'",
  },
  {
    code: 'E_MISSING_MODEL',
    source: `${H}use std/engine::ready\ntreatment main() {\n  ready() // !E_MISSING_MODEL\n}\n`,
    message: "needs model 'engine'",
  },
  {
    code: 'E_MODEL_TYPE_MISMATCH',
    source: `${H}use std/engine::ready\nuse std/flow/concentrate::Concentrator\ntreatment main()\n  model pool: Concentrator()\n{\n  ready[engine = pool]() // !E_MODEL_TYPE_MISMATCH\n}\n`,
    message: "is a 'Concentrator', but 'engine' expects a 'Engine'",
  },
  {
    code: 'E_RECURSIVE_MODEL',
    source: `${H}model A() : B // !E_RECURSIVE_MODEL\n{\n}\nmodel B() : A {}\ntreatment main() {}\n`,
    message: 'derives from itself',
  },
  {
    code: 'E_UNKNOWN_INSTANCE',
    source: `${H}treatment relay()\n  input i: Stream<u8>\n  output o: Stream<u8>\n{\n  ghost.out -> Self.o // !E_UNKNOWN_INSTANCE\n}\ntreatment main() {}\n`,
    message: "no instance 'ghost'",
  },
  {
    code: 'E_UNKNOWN_INPUT',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = 1)\n  startup.trigger -> emit.trigger\n  startup.trigger -> emit.go // !E_UNKNOWN_INPUT\n}\n`,
    message: "has no input 'go'",
  },
  {
    code: 'E_UNKNOWN_OUTPUT',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = 1)\n  startup.trig -> emit.trigger // !E_UNKNOWN_OUTPUT\n}\n`,
    message: "has no output 'trig'",
  },
  {
    code: 'E_CONNECTION_WITHOUT_DATA',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = 1)\n  startup -> emit // !E_CONNECTION_WITHOUT_DATA\n}\n`,
    message: 'a connection must name its ports',
  },
  {
    code: 'E_CONNECTION_KIND_MISMATCH',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\nuse std/engine/log::logInfos\ntreatment main() {\n  startup()\n  emit<string>(value = "x")\n  logInfos()\n  startup.trigger -> emit.trigger\n  emit.emit -> logInfos.messages // !E_CONNECTION_KIND_MISMATCH\n}\n`,
    message: "(Block<string>) to 'logInfos.messages' (Stream<string>) changes flow kind",
  },
  {
    code: 'E_CONNECTION_TYPE_MISMATCH',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\nuse std/engine/log::logInfo\ntreatment main() {\n  startup()\n  emit<u32>(value = 7)\n  logInfo()\n  startup.trigger -> emit.trigger,emit -> logInfo.message // !E_CONNECTION_TYPE_MISMATCH\n}\n`,
    message: 'joins different data types',
  },
  {
    code: 'E_INPUT_ALREADY_CONNECTED',
    source: `${H}use std/engine/util::startup\nuse std/flow::emit\ntreatment main() {\n  startup()\n  emit<u8>(value = 1)\n  startup.trigger -> emit.trigger\n  startup.trigger -> emit.trigger // !E_INPUT_ALREADY_CONNECTED\n}\n`,
    message: "input 'emit.trigger' already has an incoming connection",
  },
  {
    code: 'E_UNSATISFIED_INPUT',
    source: `${H}use std/flow::emit\ntreatment main() {\n  emit<u8>(value = 1) // !E_UNSATISFIED_INPUT\n}\n`,
    message: "input 'trigger' of 'emit' has no incoming connection",
  },
  {
    code: 'E_SELF_OUTPUT_UNSATISFIED',
    source: `${H}treatment keep()\n  input i: Block<u8>\n  output o: Block<u8> // !E_SELF_OUTPUT_UNSATISFIED\n{\n}\ntreatment main() {}\n`,
    message: "output 'o' of 'keep' is never driven",
  },
  {
    code: 'E_SELF_OUTPUT_OVERLOADED',
    source: `${H}treatment keep()\n  input i: Block<u8>\n  output o: Block<u8>\n{\n  Self.i -> Self.o\n  Self.i -> Self.o // !E_SELF_OUTPUT_OVERLOADED\n}\ntreatment main() {}\n`,
    message: "output 'o' of 'keep' is driven more than once",
  },
  {
    code: 'E_RECURSIVE_TREATMENT',
    source: `${H}treatment again()\n  input go: Block<void>\n{\n  inner: again() // !E_RECURSIVE_TREATMENT\n  Self.go -> inner.go\n}\ntreatment main() {}\n`,
    message: "treatment 'again' contains itself",
  },
  {
    code: 'E_CONTEXT_NOT_AVAILABLE',
    source: `${HT}use std/engine/util::startup\nuse std/flow::emit\nuse std/engine/log::logInfo\nuse testkit::@Turn\ntreatment label()\n  require @Turn\n  input go: Block<void>\n  output text: Block<string>\n{\n  emit<string>(value = @Turn[name])\n  Self.go -> emit.trigger,emit -> Self.text\n}\ntreatment main() {\n  startup()\n  label() // !E_CONTEXT_NOT_AVAILABLE\n  logInfo()\n  startup.trigger -> label.go,text -> logInfo.message\n}\n`,
    message: "'label' needs context '@Turn'",
  },
  {
    code: 'E_ENTRYPOINT_NOT_LAUNCHABLE',
    source: `${H}treatment main<T>() // !E_ENTRYPOINT_NOT_LAUNCHABLE\n{\n}\n`,
    message: "entrypoint 'main' cannot be launched: it has generics",
  },
  { code: 'E_HEADER', source: '#!/usr/bin/env melodium\n#! version = 0.1.0\ntreatment main() {}\n', message: "no '#! name = …' header" },
  {
    code: 'E_IMPORT_CYCLE',
    source: `${H}use root::helper // !E_IMPORT_CYCLE\ntreatment helper() {}\ntreatment main() {}\n`,
    message: "imports its own element 'helper'",
  },
  { code: 'E_ENTRYPOINT_NOT_FOUND', source: `${H}treatment other() {}\n`, message: "declares no treatment 'main'" },
  { code: 'E_MANIFEST', files: { 'Compo.toml': 'version = "0.1.0"\n' }, message: "missing 'name'" },
  { code: 'E_FILE', files: {}, message: 'no such file' },
];

for (const c of cases) {
  test(`${c.code} is reported where the problem is`, async () => {
    let found: Awaited<ReturnType<typeof check>>;
    let line: number | null = null;
    if (c.source !== undefined) {
      const dir = project({ 'main.mel': c.source });
      found = await check(join(dir, 'main.mel'));
      const idx = c.source.split('\n').findIndex((l) => l.includes(`// !${c.code}`));
      // The header line of E_HEADER is the first one (the file has no name line).
      line = c.code === 'E_HEADER' ? 1 : idx === -1 ? null : idx + 1;
    } else {
      const dir = project(c.files ?? {});
      found = await check(join(dir, 'Compo.toml'));
    }
    const hit = found.find((d) => d.code === c.code);
    assert.ok(hit, `${c.code} not reported; got ${found.map((d) => `${d.code}@${d.line} ${d.message}`).join(' | ')}`);
    assert.equal(hit.line, line, `${c.code} on line ${hit.line}, expected ${line}: ${hit.message}`);
    assert.ok(hit.message.includes(c.message), `message '${hit.message}' lacks '${c.message}'`);
  });
}

test('E_ARGUMENT: a missing entrypoint argument is refused with status 2, naming it', () => {
  const dir = project({ 'main.mel': `${H}treatment main(who: string) {}\n` });
  const r = cli(['run', join(dir, 'main.mel')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /E_ARGUMENT.*--who <string>/);
});

test('E_NOT_IMPLEMENTED: run refuses a valid program before starting, naming the elements', () => {
  // Every bundled package has behaviour now: a user package declares an element without it.
  const dir = project({
    'Compo.toml':
      'name = "app"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\nbare = { version = "1", module = "bare.js" }\n\n[entrypoints]\nmain = "app/main::main"\n',
    'bare.js': `export default ({ treatment }) => ({
  name: 'bare', version: '1.0.0', doc: '', elements: [
    treatment('bare', 'nothing', { inputs: { trigger: 'Block<void>' }, doc: 'Declared, no behaviour.' }),
  ],
});
`,
    'main.mel': `use std/engine/util::startup\nuse bare::nothing\ntreatment main()\n{\n  startup()\n  nothing()\n  startup.trigger -> nothing.trigger\n}\n`,
  });
  const r = cli(['run', join(dir, 'Compo.toml')]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /E_NOT_IMPLEMENTED.*bare::nothing/);
  assert.equal(r.stdout, '');
});

test('E_LAUNCH: a constant function call that fails aborts the launch', () => {
  const dir = project({
    'main.mel': `${H}use std/engine/util::startup\nuse std/flow::emit\nuse std/ops::|clamp\nuse std/flow::check\ntreatment main() {\n  startup()\n  emit<u8>(value = |clamp<u8>(5, 9, 1))\n  check<u8>()\n  startup.trigger -> emit.trigger,emit -> check.value\n}\n`,
  });
  const r = cli(['run', join(dir, 'main.mel')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error\[E_LAUNCH\]: .*main\.mel:11:20: function 'std\/ops::\|clamp' failed/);
});

test('E_INVALID_VALUE: a native element rejects a constant value at check time', () => {
  const dir = project({
    'Compo.toml':
      'name = "app"\nversion = "0.1.0"\n\n[dependencies]\nstd = "0.10.2"\nodd = { version = "1", module = "odd.js" }\n\n[entrypoints]\nmain = "app/main::main"\n',
    'odd.js': `export default ({ treatment, fn }) => ({
  name: 'odd', version: '1.0.0', doc: '', elements: [
    treatment('odd', 'only', { params: { n: 'u8' },
      validate: (p) => (p.n !== undefined && p.n % 2 === 0 ? { param: 'n', message: 'n must be odd, got ' + p.n } : undefined),
      async run() {} }),
    fn('odd', 'half', { params: 'n: u8', returns: 'u8', impl: ([n]) => n / 2,
      validate: ([n]) => (n !== undefined && n % 2 === 1 ? { arg: 0, message: 'cannot halve ' + n } : undefined) }),
  ] });
`,
    'main.mel':
      'use odd::only\nuse odd::|half\n\ntreatment main(var k: u8 = 3)\n{\n    a: only(n = 4)\n    b: only(n = 5)\n    c: only(n = k)\n    d: only(n = |half(7))\n}\n',
  });
  const r = cli(['check', '--format', 'json', join(dir, 'Compo.toml')]);
  const found = (JSON.parse(r.stdout) as { code: string; line: number; column: number; message: string }[]).map(
    (d) => `${d.code}@${d.line}:${d.column} ${d.message}`,
  );
  assert.deepEqual(found, ['E_INVALID_VALUE@6:17 n must be odd, got 4', 'E_INVALID_VALUE@9:23 cannot halve 7']);
});

test('every error code of the catalogue has a case of its own', () => {
  const covered = new Set([...cases.map((c) => c.code), 'E_ARGUMENT', 'E_NOT_IMPLEMENTED', 'E_LAUNCH', 'E_INVALID_VALUE']);
  const missing = Object.keys(Catalogue).filter((c) => c.startsWith('E_') && !covered.has(c));
  assert.deepEqual(missing, []);
});
