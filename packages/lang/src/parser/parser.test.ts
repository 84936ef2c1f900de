import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticSink, SourceFile } from '@tutti/core';
import { parseFile } from './parser.js';

function parse(text: string) {
  const sink = new DiagnosticSink();
  const file = new SourceFile('t.mel', text);
  const tree = parseFile(file, sink);
  return { tree, diags: sink.items.map((d) => `${d.code}@${file.position(d.span?.start ?? 0).line}`) };
}

test('connection chains desugar into links', () => {
  const { tree, diags } = parse('treatment m() {\n  src.out -> mid.in,result -> sink.data\n}');
  assert.deepEqual(diags, []);
  const links = tree.treatments[0]?.connections.map(
    (c) => `${c.from.instance.text}.${c.from.port.text}->${c.to.instance.text}.${c.to.port.text}`,
  );
  assert.deepEqual(links, ['src.out->mid.in', 'mid.result->sink.data']);
});

test('instances, aliases, generics, models and values', () => {
  const { tree, diags } = parse('treatment m() {\n  tick: emit<Vec<u8>>[e = x](value = [1, _, 0x1F], f = |g<u8>(a, @C[k]))\n}');
  assert.deepEqual(diags, []);
  const i = tree.treatments[0]?.instances[0];
  assert.equal(i?.name.text, 'tick');
  assert.equal(i?.type.text, 'emit');
  assert.equal(i?.generics?.[0]?.arg?.name.text, 'u8');
  assert.equal(i?.models[0]?.name.text, 'e');
  assert.equal(i?.params[1]?.value.kind, 'call');
});

test('every syntax error of a file is reported, not only the first', () => {
  const { diags } = parse('treatment a() {\n  x: emit<u8>(value = 1,)\n  y.o -> z.i -> w.j\n}\ntreatement b() {}\ntreatment c() {}\n');
  assert.deepEqual(diags, ['E_SYNTAX@2', 'E_SYNTAX@3', 'E_SYNTAX@5']);
});

test('a missing closing brace is reported at the next declaration, which still parses', () => {
  const { tree, diags } = parse('treatment a() {\n  x()\n\ntreatment b() {}\n');
  assert.deepEqual(diags, ['E_SYNTAX@4']);
  assert.equal(tree.treatments.length, 2);
});

test('no trailing commas; no commas between model assignments; one type argument', () => {
  assert.deepEqual(parse('treatment a(x: u8,) {}').diags, ['E_SYNTAX@1']);
  assert.deepEqual(parse('model M() : B { a = 1, b = 2 }').diags, ['E_SYNTAX@1']);
  assert.deepEqual(parse('treatment a(x: Map<K, V>) {}').diags, ['E_SYNTAX@1']);
});

test('`const: u8` names a parameter const; `const var: u8` names one var', () => {
  const { tree } = parse('treatment a(const: u8, const var: u8) {}');
  const ps = tree.treatments[0]?.params.map((p) => `${p.variability?.text ?? '-'} ${p.name.text}`);
  assert.deepEqual(ps, ['- const', 'const var']);
});

test('deep nesting is refused quickly without recursion (E_NESTING_TOO_DEEP beyond 256 levels)', () => {
  const depth = 200_000;
  const t0 = Date.now();
  const { diags } = parse(`treatment a(const v: Vec<u8> = ${'['.repeat(depth)}${']'.repeat(depth)}) {}`);
  assert.deepEqual(diags, ['E_NESTING_TOO_DEEP@1']);
  assert.ok(Date.now() - t0 < 5000);
});
