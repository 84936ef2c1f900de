import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileRegex } from './compile.js';
import { emitRegex } from './syntax/emit.js';
import { parseRegex } from './syntax/parser.js';

/** The leftmost-first match of `pattern` in `text`, or null. */
function find(pattern: string, text: string): string | null {
  const r = compileRegex(pattern);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.regex.exec(text)?.[0] ?? null;
}

/** The last line of the compile error (`error: …`), or undefined when the pattern compiles. */
function error(pattern: string): string | undefined {
  const r = compileRegex(pattern);
  return r.ok ? undefined : r.error.message.split('\n').pop();
}

describe('Unicode-aware Perl classes and assertions (Rust semantics, not JavaScript)', () => {
  test('\\d matches every decimal digit', () => {
    assert.equal(find('\\d+', 'x٣4'), '٣4');
    assert.equal(find('(?-u)\\d+', 'x٣4'), '4');
  });
  test('\\w matches letters, marks and connector punctuation of any script', () => {
    assert.equal(find('\\w+', ' éléphant_ß! '), 'éléphant_ß');
    assert.equal(find('(?-u)\\w+', 'éa_b'), 'a_b');
    assert.equal(find('\\W', 'abé-'), '-');
  });
  test('\\s is White_Space: with U+0085, without U+FEFF', () => {
    assert.equal(find('\\s', 'a\u0085b'), '\u0085');
    assert.equal(find('\\s', 'a\ufeffb'), null);
  });
  test('. excludes only \\n (also \\r in CRLF mode); (?s) includes it', () => {
    assert.equal(find('a.b', 'a\rb'), 'a\rb');
    assert.equal(find('a.b', 'a\u2028b'), 'a\u2028b');
    assert.equal(find('a.b', 'a\nb'), null);
    assert.equal(find('(?s)a.b', 'a\nb'), 'a\nb');
    assert.equal(find('(?R)a.b', 'a\rb'), null);
    assert.equal(find('.', '😀'), '😀');
  });
  test('^ and $ are text anchors unless (?m), which breaks lines at \\n only', () => {
    assert.equal(find('^b', 'a\nb'), null);
    assert.equal(find('a$', 'a\n'), null);
    assert.equal(find('(?m)^b$', 'a\nb\nc'), 'b');
    assert.equal(find('(?m)^b', 'a\rb'), null);
    assert.equal(find('(?mR)^b$', 'a\rb\r\nc'), 'b');
    assert.equal(find('(?mR)$', 'a\r\nb')?.length, 0);
    assert.equal(find('\\Aa', 'ba'), null);
    assert.equal(find('a\\z', 'ab'), null);
  });
  test('word boundaries are Unicode-aware', () => {
    assert.equal(find('\\bcafé\\b', 'le café.'), 'café');
    assert.equal(find('\\bé', 'café'), null);
    assert.equal(find('\\Bé', 'café'), 'é');
    assert.equal(find('\\<\\w+\\>', '  été  '), 'été');
    assert.equal(find('\\b{start}b', 'ab b'), 'b');
    const start = compileRegex('\\b{start}b');
    assert.ok(start.ok);
    assert.equal(start.value.regex.exec('ab b')?.index, 3);
    assert.equal(find('x\\b{end-half}', 'x!'), 'x');
    assert.equal(find('\\b{start-half}x', '!x'), 'x');
  });
});

describe('inline flags', () => {
  test('(?i) applies to the rest of the group, also to later alternatives', () => {
    assert.equal(find('a(?i)b|c', 'C'), 'C');
    assert.equal(find('(?:a(?i)b)c', 'aBC'), null);
    assert.equal(find('(?:a(?i)b)c', 'aBc'), 'aBc');
  });
  test('scoped case-insensitivity is expanded (Node 20 has no (?i:…))', () => {
    assert.equal(find('a(?i:b)c', 'aBc'), 'aBc');
    assert.equal(find('a(?i:b)c', 'ABC'), null);
    assert.equal(find('(?i)a(?-i)b', 'Ab'), 'Ab');
    assert.equal(find('(?i)a(?-i)b', 'AB'), null);
    assert.equal(find('(?i:[a-c]+)x', 'AbCx'), 'AbCx');
    assert.equal(find('(?i:\\p{Lu})x', 'ax'), 'ax');
    assert.equal(find('(?i:[^k])x', 'Kx'), null);
    assert.equal(find('(?i:[^k])x', '\u212ax'), null);
  });
  test('case folding is simple Unicode folding (Kelvin sign, long s, sharp s)', () => {
    assert.equal(find('(?i)k', '\u212a'), '\u212a');
    assert.equal(find('(?i)s', 'ſ'), 'ſ');
    assert.equal(find('(?i)ß', 'ẞ'), 'ẞ');
    assert.equal(find('(?i)ß', 'SS'), null);
    assert.equal(find('(?i)σ', 'ς'), 'ς');
  });
  test('(?-u) folds ASCII only', () => {
    assert.equal(find('(?i-u)k', 'K'), 'K');
    assert.equal(find('(?i-u)k', '\u212a'), null);
    assert.equal(find('(?i-u)[a-c]', 'B'), 'B');
  });
  test('(?x) ignores whitespace and comments, \\  is a literal space', () => {
    assert.equal(find('(?x) a b # comment\n c', 'abc'), 'abc');
    assert.equal(find('(?x)a\\ b', 'a b'), 'a b');
    assert.equal(find('(?x)[a b]+', 'ab ba'), 'ab');
    assert.equal(find('(?x) a {2}', 'aaa'), 'aa');
  });
  test('(?U) swaps greedy and lazy', () => {
    assert.equal(find('(?U)a+', 'aaa'), 'a');
    assert.equal(find('(?U)a+?', 'aaa'), 'aaa');
    assert.equal(find('a{2,3}?', 'aaa'), 'aa');
  });
});

describe('classes', () => {
  test('set operations', () => {
    assert.equal(find('[\\w--\\d]+', '12ab3'), 'ab');
    assert.equal(find('[a-z&&[^aeiou]]+', 'aebcdi'), 'bcd');
    assert.equal(find('[a-c~~b-d]+', 'bcad'), 'ad');
    assert.equal(find('[a-z&&b-y&&c-x]+', 'abcx'), 'cx');
  });
  test('ASCII classes, inside brackets only', () => {
    assert.equal(find('[[:alpha:]]+', '12ab3'), 'ab');
    assert.equal(find('[[:^digit:]]+', '12ab3'), 'ab');
    assert.equal(find('[[:alpha:][:digit:]]+', '-a1-'), 'a1');
    assert.equal(find('[:alpha:]+', 'alpha'), 'alpha');
    assert.equal(find('[[:alpha:]]', 'é'), null);
  });
  test('literal ] and - where the reference allows them', () => {
    assert.equal(find('[]a]+', 'x]a]'), ']a]');
    assert.equal(find('[^]a]', ']ab'), 'b');
    assert.equal(find('[a-]+', 'x-a'), '-a');
    assert.equal(find('[-a]+', 'x-a'), '-a');
    assert.equal(find('[\\]\\[]+', 'x[]'), '[]');
  });
  test('Unicode properties with loose names', () => {
    assert.equal(find('\\p{Greek}+', 'abc αβγ'), 'αβγ');
    assert.equal(find('\\p{sc=Grek}+', 'abc αβγ'), 'αβγ');
    assert.equal(find('\\p{script:greek}+', 'abc αβγ'), 'αβγ');
    assert.equal(find('\\p{scx=Greek}+', 'abc αβγ'), 'αβγ');
    assert.equal(find('\\pL+', '12ab3'), 'ab');
    assert.equal(find('\\PL+', 'ab12c'), '12');
    assert.equal(find('\\p{Uppercase Letter}', 'aB'), 'B');
    assert.equal(find('\\p{isLu}', 'aB'), 'B');
    assert.equal(find('\\p{gc!=Lu}', 'Ab'), 'b');
    assert.equal(find('\\p{White_Space}', 'a b'), ' ');
    assert.equal(find('\\p{Any}', 'x'), 'x');
    assert.equal(find('[\\p{Lu}\\d]+', 'aB1c'), 'B1');
  });
  test('escapes', () => {
    assert.equal(find('\\x41\\x{1F600}\\u00e9\\U0001F600\\u{e9}', 'A😀é😀é'), 'A😀é😀é');
    assert.equal(find('\\.\\#\\&\\-\\~\\ \\/', '.#&-~ /'), '.#&-~ /');
    assert.equal(find('\\a\\f\\t\\n\\r\\v', '\x07\f\t\n\r\v'), '\x07\f\t\n\r\v');
    assert.equal(find('#&~-]}', '#&~-]}'), '#&~-]}');
  });
});

describe('groups and repetitions', () => {
  test('named groups in both spellings, with names JavaScript would refuse', () => {
    const r = compileRegex('(?P<a.b>x)(?<c[1]>y)(z)');
    assert.ok(r.ok);
    assert.deepEqual(
      [...r.value.names],
      [
        [1, 'a.b'],
        [2, 'c[1]'],
      ],
    );
    assert.equal(r.value.groups, 3);
  });
  test('repetitions of assertions and of repetitions are allowed', () => {
    assert.equal(find('^*a', 'a'), 'a');
    assert.equal(find('a**', 'aaa'), 'aaa');
    assert.equal(find('(?:ab)+', 'ababa'), 'abab');
    assert.equal(find('x{ 2 , 3 }', 'xxxx'), 'xxx');
  });
});

describe('patterns the reference refuses', () => {
  const cases: [string, string][] = [
    ['(?=a)', 'look-around, including look-ahead and look-behind, is not supported'],
    ['(?!a)', 'look-around, including look-ahead and look-behind, is not supported'],
    ['(?<=a)', 'look-around, including look-ahead and look-behind, is not supported'],
    ['(?<!a)', 'look-around, including look-ahead and look-behind, is not supported'],
    ['(a)\\1', 'backreferences are not supported'],
    ['\\0', 'backreferences are not supported'],
    ['(a', 'unclosed group'],
    ['a)', 'unopened group'],
    ['[a', 'unclosed character class'],
    ['[z-a]', 'invalid character class range, the start must be <= the end'],
    ['[\\d-z]', 'invalid range boundary, must be a literal'],
    ['[\\b]', 'invalid escape sequence found in character class'],
    ['a{3,2}', 'invalid repetition count range, the start must be <= the end'],
    ['a{,3}', 'repetition quantifier expects a valid decimal'],
    ['a{2', 'unclosed counted repetition'],
    ['a{99999999999}', 'decimal literal invalid'],
    ['*a', 'repetition operator missing expression'],
    ['(?i)*', 'repetition operator missing expression'],
    ['(?)', 'repetition operator missing expression'],
    ['(?ii)', 'duplicate flag'],
    ['(?q)', 'unrecognized flag'],
    ['(?i-)', 'dangling flag negation operator'],
    ['(?-i-m)', 'flag negation operator repeated'],
    ['(?i', 'expected flag but got end of regex'],
    ['\\e', 'unrecognized escape sequence'],
    ['\\', 'incomplete escape sequence, reached end of pattern prematurely'],
    ['\\xZZ', 'invalid hexadecimal digit'],
    ['\\x{}', 'hexadecimal literal empty'],
    ['\\x{D800}', 'hexadecimal literal is not a Unicode scalar value'],
    ['\\p{Foo}', 'Unicode property not found'],
    ['\\p{sc=Foo}', 'Unicode property value not found'],
    ['\\p{Age=6.0}', 'Unicode property Age is not supported here (JavaScript regular expressions lack it)'],
    ['\\p{Other_Alphabetic}', 'Unicode property Other_Alphabetic is not supported here (JavaScript regular expressions lack it)'],
    ['(?P<1a>x)', 'invalid capture group character'],
    ['(?P<>x)', 'empty capture group name'],
    ['(?P<a', 'unclosed capture group name'],
    ['(?P<a>x)(?P<a>y)', 'duplicate capture group name'],
    ['(?-u).', 'pattern can match invalid UTF-8'],
    ['(?-u)\\xFF', 'pattern can match invalid UTF-8'],
    ['(?-u)[^a]', 'pattern can match invalid UTF-8'],
    ['(?-u)\\W', 'pattern can match invalid UTF-8'],
    ['(?-u)[é]', 'Unicode not allowed here'],
    ['(?-u)\\pL', 'Unicode not allowed here'],
    ['\\b{foo}', 'unrecognized special word boundary assertion, valid choices are: start, end, start-half or end-half'],
  ];
  for (const [pattern, reason] of cases) {
    test(JSON.stringify(pattern), () => assert.equal(error(pattern), `error: ${reason}`));
  }
  test('the message has the reference shape, with carets under the culprit', () => {
    const r = compileRegex('ab(?=c)');
    assert.ok(!r.ok);
    assert.equal(
      r.error.message,
      'regex parse error:\n    ab(?=c)\n      ^^^\nerror: look-around, including look-ahead and look-behind, is not supported',
    );
    assert.equal(
      r.error.summary,
      'invalid regex: look-around, including look-ahead and look-behind, is not supported (at character 3 of the pattern)',
    );
  });
  test('a parse error wins over an earlier translation error, as in the reference', () => {
    assert.equal(error('\\p{Foo}(?=x)'), 'error: look-around, including look-ahead and look-behind, is not supported');
  });
});

describe('translation table', () => {
  const re2: [string, string][] = [
    ['(?P<k>[a-z_]+)=', '([a-z\\x{5f}]+)\\x{3d}'],
    ['\\d\\s\\W', '[\\p{Nd}][\\p{White_Space}][^\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200c}\\x{200d}]'],
    ['\\p{Greek}\\PL', '[\\p{Greek}][\\P{L}]'],
    ['(?i)a1', '(?i:a)1'],
    ['a(?i:b)', 'a(?:(?i:b))'],
    ['(?i-u)k', '[Kk]'],
    ['(?i)[^k]', '(?i:[^k])'],
    ['(?m)^a$', '(?m:^)a(?m:$)'],
    ['^a$', '\\Aa\\z'],
    ['[[:alpha:]&&[^aeiou]]', '[A-Zb-df-hj-np-tv-z]'],
    ['[a-c~~b-d]', '[ad]'],
    ['a**', '(?:a*)*'],
    ['(?U)a+', 'a+?'],
    ['(?s).', '(?s:.)'],
    ['.', '[^\\n]'],
    ['\\b{start}x\\b{end}', '\\b(?<![0-9A-Za-z_])x\\b(?<=[0-9A-Za-z_])'],
  ];
  for (const [pattern, source] of re2) {
    test(`re2js: ${JSON.stringify(pattern)}`, () => {
      const r = compileRegex(pattern);
      assert.ok(r.ok);
      assert.equal(r.value.re2Source, source);
    });
  }
  test('re2js: set operations and folded properties are evaluated to ranges, surrogates left out', () => {
    const d = compileRegex('[\\d--[0-8]]');
    const n = compileRegex('[^a&&a]');
    assert.ok(d.ok && n.ok);
    assert.match(d.value.re2Source ?? '', /^\[9\\x\{660\}-\\x\{669\}/);
    assert.match(n.value.re2Source ?? '', /^\[\\x\{0\}-\\x\{60\}b-/);
    assert.ok(!(n.value.re2Source ?? '').includes('{d800}'));
    assert.equal(find('[\\p{Greek}&&\\p{Ll}]+', 'ΑΒγδ'), 'γδ');
  });

  // The JavaScript translation still serves the texts RE2 cannot match exactly.
  const js: [string, string][] = [
    ['(?P<k>[a-z_]+)\\s*=', '/([a-z\\u{5f}]+)\\p{White_Space}*\\u{3d}/v'],
    ['\\d\\D', '/\\p{Nd}\\P{Nd}/v'],
    ['(?i)abc', '/abc/iv'],
    ['a(?i:b)', '/a(?:[Bb])/v'],
    ['(?m)^a$', '/(?<![^\\n])a(?![^\\n])/v'],
    ['\\A\\z', '/^$/v'],
    ['[[:alpha:]&&[^aeiou]]', '/[[A-Za-z]&&[^aeiou]]/v'],
    ['\\p{Greek}', '/\\p{Script=Greek}/v'],
    ['a**', '/(?:a*)*/v'],
    ['(?U)a+', '/a+?/v'],
    ['(?s).', '/[\\s\\S]/v'],
  ];
  for (const [pattern, expected] of js) {
    test(`JavaScript: ${JSON.stringify(pattern)}`, () => {
      const { source, flags } = emitRegex(parseRegex(pattern).root);
      assert.equal(`/${source}/${flags}`, expected);
    });
  }
});

describe('linear time (re2js)', () => {
  test('nested repetitions do not backtrack: ^(a+)+$ against 35 a and a b', () => {
    const r = compileRegex('^(a+)+$');
    assert.ok(r.ok && r.value.re2Source !== undefined);
    assert.equal(r.value.regex.test(`${'a'.repeat(35)}b`), false);
    assert.equal(r.value.regex.test('a'.repeat(35)), true);
    assert.equal(find('(x+x+)+y', `${'x'.repeat(5000)}`), null);
  });
  test('a Unicode word boundary stays linear on ASCII and on non-ASCII text (marked text)', () => {
    const r = compileRegex('\\b(a+)+\\b$');
    assert.ok(r.ok && r.value.re2Source !== undefined);
    assert.equal(r.value.regex.test(`${'a'.repeat(35)}!b`), false);
    assert.equal(r.value.regex.test(`é ${'a'.repeat(5000)}!é`), false);
    assert.equal(r.value.regex.test(`é ${'a'.repeat(40)}`), true);
    assert.equal(find('\\bé\\w*', 'café été'), 'été');
  });
  test('marked text agrees with the JavaScript translation on word-boundary patterns (differential)', () => {
    const patterns = [
      '\\b\\w+\\b',
      '\\B.',
      '(\\w)\\b(.)',
      '\\<(\\w+)\\>',
      '\\b{end}.?',
      '\\b{start-half}é|a\\b',
      '(?m)^\\w*\\b$',
      '(?i)\\bss?\\b',
    ];
    const alphabet = ['a', 'é', '1', '_', ' ', '\n', '😀', '-', 'ß', 'K', 'S'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (const p of patterns) {
      const r = compileRegex(p);
      assert.ok(r.ok);
      const { source, flags } = emitRegex(parseRegex(p).root);
      const js = new RegExp(source, flags);
      for (let k = 0; k < 150; k++) {
        let text = '';
        for (let n = next() % 9; n > 0; n--) text += alphabet[next() % alphabet.length];
        const a: RegExpExecArray | null = r.value.regex.exec(text);
        const b = js.exec(text);
        assert.deepEqual(a === null ? null : [a.index, ...a], b === null ? null : [b.index, ...b], `${p} on ${JSON.stringify(text)}`);
      }
    }
  });
  test('on marked text, matches, captures and positions are those of the original text', () => {
    const r = compileRegex('(?m)^(?<w>\\w+)\\b.(\\d)?$');
    assert.ok(r.ok);
    const m = r.value.regex.exec('x\nça😀\nübel!');
    assert.equal(m?.index, 2);
    assert.deepEqual([m?.[0], m?.[1], m?.[2]], ['ça😀', 'ça', undefined]);
    const n = r.value.regex.exec('x\nça\nübel!7');
    assert.equal(n?.index, 5);
    assert.deepEqual([n?.[0], n?.[1], n?.[2]], ['übel!7', 'übel', '7']);
    assert.equal(find('\\B.\\b', 'é😀ab'), 'b');
    assert.equal(find('\\b{end-half}.', 'é😀'), '😀');
    assert.equal(find('\\<\\w\\>', 'é ü a'), 'é');
    assert.equal(find('(?-u:\\b)x|\\bé', 'xé'), 'x');
  });
  test('captures of repeated groups keep the last iteration, as in Rust', () => {
    const r = compileRegex('(?:(a)|b)+');
    assert.ok(r.ok);
    assert.equal(r.value.regex.exec('ab')?.[1], 'a');
  });
  test("counted repetitions beyond RE2's 1000 are split into consecutive ones", () => {
    const r = compileRegex('a{1001}');
    assert.ok(r.ok);
    assert.equal(r.value.re2Source, '(?:a{1000}a{1})');
    assert.equal(find('a{1001}', 'a'.repeat(1001)), 'a'.repeat(1001));
    assert.equal(find('a{1001}', 'a'.repeat(1000)), null);
    assert.equal(find('a{2,2500}', 'a'.repeat(2600))?.length, 2500);
    assert.equal(find('a{2,2500}?', 'a'.repeat(2600))?.length, 2);
    assert.equal(find('(?:ab){1200,}c', `${'ab'.repeat(1300)}c`)?.length, 2601);
  });
  test('a long repetition of a capturing group keeps the JavaScript translation', () => {
    const r = compileRegex('(a){1001}');
    assert.ok(r.ok);
    assert.equal(r.value.re2Source, undefined);
    assert.equal(r.value.regex.exec('a'.repeat(1001))?.[1], 'a');
  });
});
