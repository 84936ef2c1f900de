/**
 * `tutti doc` (docs/cli.md#tutti-doc) end to end: every element of every bundled package is
 * documented (counted against the descriptors and the `.mel` declarations), links
 * resolve, and the HTML rendering works in a real browser (headless Chromium driven by
 * playwright-core): search, then a click through to an element and on to a type.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DiagnosticSink, SourceFile } from '@tutti/core';
import { BUNDLED, BUNDLED_LEGACY } from '@tutti/driver';
import { parseFile } from '@tutti/lang';
import { cli, project } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Every element every bundled package declares, 0.9 surface included: native descriptors
 * and `.mel` treatments and models, as `identifier version`.
 */
function expectedIds(): Set<string> {
  const ids = new Set<string>();
  for (const d of [...BUNDLED, ...BUNDLED_LEGACY]) {
    for (const e of d.elements)
      ids.add(`${e.area}::${e.kind === 'function' ? '|' : e.kind === 'context' ? '@' : ''}${e.name} ${d.version}`);
    if (d.melRoot === undefined) continue;
    for (const file of walk(d.melRoot)) {
      const rel = relative(d.melRoot, file).split('\\').join('/');
      if (!rel.endsWith('.mel') || rel.split('/').some((s) => s.startsWith('.'))) continue;
      const area = rel === 'lib-root.mel' ? d.name : `${d.name}/${rel.slice(0, -4)}`;
      const syntax = parseFile(new SourceFile(file, readFileSync(file, 'utf8')), new DiagnosticSink());
      assert.ok(!syntax.broken, `${file} parses`);
      for (const t of [...syntax.treatments, ...syntax.models]) ids.add(`${area}::${t.name.text} ${d.version}`);
    }
  }
  return ids;
}

let fullOut: string | undefined;
/** `tutti doc --full --html` once for the tests that read it. */
function full(): string {
  if (fullOut === undefined) {
    const out = mkdtempSync(join(tmpdir(), 'tutti-doc-'));
    const r = cli(['doc', '--full', '--html', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /doc: \d+ elements of std, fs, .* in \d+ pages/);
    fullOut = out;
  }
  return fullOut;
}

test('doc --full documents every element of every bundled package (0.9 surface under 0.9/), one page each', () => {
  const out = full();
  const expected = expectedIds();
  assert.ok(expected.size > 300, `${expected.size} elements expected`);
  const pages = walk(out).filter((p) => p.endsWith('.md') && /\/(treatment|source|model|fn|data|context)\.[^/]+\.md$/.test(p));
  const found = new Set<string>();
  for (const p of pages) {
    const m = /^`([^`]+)` · .* · package `[^ `]+ ([^`]+)`/m.exec(readFileSync(p, 'utf8'));
    assert.ok(m !== null, `${p} names its element and package`);
    const id = `${m[1]} ${m[2]}`;
    // 0.9 pages live under 0.9/, 0.10 ones at the top
    assert.equal(relative(out, p).startsWith('0.9/'), m[2]?.startsWith('0.9.'), p);
    assert.ok(!found.has(id), `${id} documented once`);
    found.add(id);
  }
  assert.equal(pages.length, expected.size);
  assert.deepEqual([...found].sort(), [...expected].sort());
  // every page is in SUMMARY.md, and every area has an index
  const summary = readFileSync(join(out, 'SUMMARY.md'), 'utf8');
  for (const p of pages) assert.ok(summary.includes(`](${relative(out, p)})`), `${relative(out, p)} in SUMMARY.md`);
  // mdBook nesting: a package, its elements and sub-areas one level in, theirs one more
  assert.match(summary, /\n- \[std\]\(std\/index\.md\)\n/);
  assert.match(summary, /\n {2}- \[flow\]\(std\/flow\/index\.md\)\n {4}- \[/);
  assert.match(summary, /\n {4}- \[emit\]\(std\/flow\/treatment\.emit\.md\)\n/);
  for (const d of BUNDLED) for (const e of d.elements) assert.ok(existsSync(join(out, e.area, 'index.md')), `${e.area}/index.md`);
  assert.ok(existsSync(join(out, 'book.toml')));
});

test('doc pages carry signatures, defaults, flows, generics, models, contexts and doc text', () => {
  const out = full();
  const emit = readFileSync(join(out, 'std/flow/treatment.emit.md'), 'utf8');
  assert.match(emit, /treatment emit<T>\(var value: T\)\n {2}input trigger: Block<void>\n {2}output emit: Block<T>/);
  assert.match(emit, /On trigger, emits/);
  const incoming = readFileSync(join(out, 'http/server/source.incoming.md'), 'utf8');
  assert.match(incoming, /\| `http_server` \| \[`HttpServer`\]\(model\.HttpServer\.md\) \|/);
  assert.match(incoming, /\[`@HttpRequest`\]\(context\.HttpRequest\.md\)/);
  assert.match(incoming, /\| `method` \| const \| \[`HttpMethod`\]\(\.\.\/method\/data\.HttpMethod\.md\) \| \*required\* \|/);
  // a .mel treatment of a bundled package: declared in Mélodium, default as written, types linked across areas
  const spawn = readFileSync(join(out, 'process/exec/treatment.spawnOnce.md'), 'utf8');
  assert.match(spawn, /declared in Mélodium/);
  assert.match(spawn, /`Option<`\[`Environment`\]\(\.\.\/environment\/data\.Environment\.md\)`>` \| `_` \|/);
});

test('every relative link of the Markdown and HTML trees leads to a file', () => {
  const out = full();
  let links = 0;
  for (const f of walk(out)) {
    const text = f.endsWith('.md') ? readFileSync(f, 'utf8') : f.endsWith('.html') ? readFileSync(f, 'utf8') : undefined;
    if (text === undefined) continue;
    const re = f.endsWith('.md') ? /\]\(([^)\s]+)\)/g : /(?:href|src)="([^"]+)"/g;
    for (const m of text.matchAll(re)) {
      const href = (m[1] as string).split('#')[0] as string;
      if (href === '' || /^[a-z]+:/.test(href)) continue;
      links++;
      assert.ok(existsSync(resolve(dirname(f), href)), `${relative(out, f)}: ${href}`);
    }
  }
  assert.ok(links > 5000, `${links} links checked`);
  // nothing is fetched from elsewhere
  for (const f of walk(join(out, 'html'))) assert.doesNotMatch(readFileSync(f, 'utf8'), /(?:src|href)="(?:https?:)?\/\//);
});

test('the 0.9 surface: its own index, its pages link to its Logger and to the 0.10 elements they use', () => {
  const out = full();
  const index = readFileSync(join(out, '0.9/index.md'), 'utf8');
  assert.match(index, /\| \[`log`\]\(log\/index\.md\) \| 0\.9\.1 \|/);
  assert.match(index, /\| \[`cicd`\]\(cicd\/index\.md\) \| 0\.9\.1 \|/);
  assert.match(readFileSync(join(out, 'index.md'), 'utf8'), /\[the 0\.9 packages\]\(0\.9\/index\.md\)/);
  const spawn = readFileSync(join(out, '0.9/cicd/steps/treatment.spawnCommands.md'), 'utf8');
  assert.match(spawn, /package `cicd 0\.9\.1`/);
  assert.match(spawn, /\| `logger` \| \[`Logger`\]\(\.\.\/\.\.\/log\/logger\/model\.Logger\.md\) \|/);
  // `Command` is documented by the 0.9 `process` too (the same native type): the 0.9 page links there.
  assert.match(spawn, /\[`Command`\]\(\.\.\/\.\.\/process\/command\/data\.Command\.md\)/);
  assert.match(
    readFileSync(join(out, 'SUMMARY.md'), 'utf8'),
    /\n# The 0\.9 surface\n\n- \[0\.9 packages\]\(0\.9\/index\.md\)\n- \[log 0\.9\.1\]\(0\.9\/log\/index\.md\)\n/,
  );
});

test('doc -p and -f choose packages; .mel doc comments are the documentation', () => {
  const out = mkdtempSync(join(tmpdir(), 'tutti-doc-'));
  const old = cli(['doc', '-p', 'cicd@0.9', '-p', 'log', join(out, 'old')]);
  assert.equal(old.status, 0, old.stderr);
  assert.match(old.stderr, /doc: \d+ elements of cicd 0\.9\.1, log 0\.9\.1 in \d+ pages/);
  assert.deepEqual(readdirSync(join(out, 'old')).sort(), ['.tutti-doc', '0.9', 'SUMMARY.md', 'book.toml', 'index.md']);
  const none = cli(['doc', '-p', 'json@0.9', join(out, 'none')]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no 0\.9 version of 'json' is bundled \(0\.9 surface: log, cicd, work, distrib, process\)/);
  const r = cli(['doc', '-p', 'json', '-p', 'regex', join(out, 'p')]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(join(out, 'p')).sort(), ['.tutti-doc', 'SUMMARY.md', 'book.toml', 'index.md', 'json', 'regex']);
  const dir = project({
    'Compo.toml': 'name = "shop"\nversion = "2.0.0"\n[dependencies]\nstd = "0.10.2"\n',
    'lib-root.mel':
      '/// Sells things.\n/// Two lines of doc.\ntreatment sell<N: Display>(const price: u32 = 3, var label: string)\n  input items: Stream<N>\n{\n}\n',
    'stock/store.mel': 'use std/flow/concentrate::Concentrator\n\n/** A store of goods. */\nmodel Store() : Concentrator\n{\n}\n',
  });
  const f = cli(['doc', '-f', join(dir, 'Compo.toml'), '--html', join(out, 'f')]);
  assert.equal(f.status, 0, f.stderr);
  assert.match(f.stderr, /doc: 2 elements of shop in/);
  const sell = readFileSync(join(out, 'f/shop/treatment.sell.md'), 'utf8');
  assert.match(sell, /treatment sell<N: Display>\(const price: u32 = 3, var label: string\)/);
  assert.match(sell, /Sells things\.\nTwo lines of doc\./);
  assert.match(sell, /\| `items` \| Stream \| `N` \|/);
  const store = readFileSync(join(out, 'f/shop/stock/store/model.Store.md'), 'utf8');
  assert.match(store, /A store of goods\./);
  assert.match(store, /## Base model\n\n`std\/flow\/concentrate::Concentrator`/);
  assert.deepEqual(readdirSync(join(out, 'f')).sort(), ['.tutti-doc', 'SUMMARY.md', 'book.toml', 'html', 'index.md', 'shop']);
});

test('doc again into its own output replaces the tree: pages of elements gone are removed; a foreign folder is refused', () => {
  const out = mkdtempSync(join(tmpdir(), 'tutti-doc-'));
  const target = join(out, 'ref');
  assert.equal(cli(['doc', '-p', 'json', '-p', 'regex', target]).status, 0);
  assert.ok(existsSync(join(target, 'regex')));
  // Something of the user's own beside the tree stays.
  writeFileSync(join(target, 'notes.txt'), 'mine');
  const again = cli(['doc', '-p', 'json', target]);
  assert.equal(again.status, 0, again.stderr);
  assert.ok(existsSync(join(target, 'json')));
  assert.ok(!existsSync(join(target, 'regex/fn.matches.md')), 'the pages of a package no longer documented are gone');
  assert.equal(readFileSync(join(target, 'notes.txt'), 'utf8'), 'mine');
  // A non-empty folder that tutti doc did not write is left alone.
  const foreign = join(out, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'report.txt'), 'keep me');
  const refused = cli(['doc', '-p', 'json', foreign]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /not empty and was not written by tutti doc/);
  assert.deepEqual(readdirSync(foreign), ['report.txt']);
});

test('doc usage errors exit 2 with a message, never a stack', () => {
  const out = mkdtempSync(join(tmpdir(), 'tutti-doc-'));
  const cases: [string[], RegExp][] = [
    [['doc'], /doc needs an output folder/],
    [['doc', '-p', 'nosuch', out], /no package 'nosuch' is available/],
    [['doc', '--full', '-p', 'std', out], /--full documents every package/],
    [['doc', '--bogus', out], /Unknown option '--bogus'/],
    [['doc', out, 'extra'], /unexpected argument 'extra'/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const badPath = cli(['doc', '-p', 'json', '--path', join(out, 'nowhere'), join(out, 'x')]);
  assert.equal(badPath.status, 2);
  assert.match(badPath.stderr, /E_FILE.*--path '.*nowhere' does not exist/s);
  assert.equal((badPath.stderr.match(/does not exist/g) ?? []).length, 1, 'reported once');
  const missing = cli(['doc', '-f', join(out, 'missing.mel'), out]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /E_FILE.*missing\.mel/s);
  assert.match(cli(['doc', '--help']).stdout, /tutti doc --full --html docs\/reference/);
});

test('the HTML opens in headless Chromium: search finds an element, links lead to it and to its types', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing: CI installs it (.ci/run)`);
    t.skip(`${CHROMIUM} is not installed (apt-get install -y chromium); the browser test runs in CI`);
    return;
  }
  const out = full();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const remote: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) remote.push(r.url());
    });
    await page.goto(pathToFileURL(join(out, 'html/index.html')).href);
    assert.match(await page.locator('h1').innerText(), /Packages/);
    // search by name: the exact name comes first
    await page.fill('#search', 'spawnOnce');
    const first = page.locator('#results li a').first();
    await first.waitFor();
    assert.match(await first.innerText(), /process\/exec::spawnOnce/);
    await first.click();
    await page.waitForURL(/process\/exec\/treatment\.spawnOnce\.html$/);
    assert.match(await page.locator('h1').innerText(), /treatment spawnOnce/);
    // a type in the signature tables links to its data type page
    await page.locator('main a', { hasText: 'Environment' }).first().click();
    await page.waitForURL(/process\/environment\/data\.Environment\.html$/);
    assert.match(await page.locator('h1').innerText(), /data type Environment/);
    // search over documentation text, from a page deep in the tree (links relative to the root)
    await page.fill('#search', 'emits value');
    await page.locator('#results li a', { hasText: 'std/flow::emit' }).first().click();
    await page.waitForURL(/std\/flow\/treatment\.emit\.html$/);
    // no match says so
    await page.fill('#search', 'zzzznothing');
    assert.match(await page.locator('#results').innerText(), /No element matches/);
    // Escape clears the search; breadcrumbs lead back up
    await page.press('#search', 'Escape');
    assert.equal(await page.locator('#results').isHidden(), true);
    await page.locator('nav.crumbs a', { hasText: 'std' }).click();
    await page.waitForURL(/html\/std\/index\.html$/);
    assert.match(await page.locator('h1').innerText(), /Package std/);
    assert.deepEqual(errors, []);
    assert.deepEqual(remote, []);
  } finally {
    await browser.close();
  }
});
