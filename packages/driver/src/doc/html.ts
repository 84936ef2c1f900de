/**
 * The HTML rendering (`tutti doc --html`): every Markdown page of `markdown.ts` turned into
 * a static page beside it (`x.md` → `x.html`, links rewritten), with a search box over the
 * names, identifiers and documentation of every element. Self-contained: styles are inline,
 * the index is a script file (`search-index.js`, loaded with `<script src>` so that it works
 * from `file://` where `fetch` does not), nothing is fetched from the network.
 *
 * Markdown is rendered by marked (maintained, GFM tables); raw HTML in doc comments is
 * shown as text, never interpreted.
 */
import { posix } from 'node:path';
import type { Marked } from 'marked';
import type { DocPage } from './markdown.js';
import { displayName } from './markdown.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `a/b.md#x` → `a/b.html#x`; other links unchanged. */
function rewriteHref(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return href;
  return href.replace(/\.md(#|$)/, '.html$1');
}

/** The Markdown renderer, made on first use: `marked` is loaded only by `tutti doc --html`, not at every start. */
let renderer: Marked | undefined;
async function markdownRenderer(): Promise<Marked> {
  renderer ??= new (await import('marked')).Marked({
    gfm: true,
    walkTokens(token) {
      if (token.type === 'link') token.href = rewriteHref(token.href);
    },
    renderer: {
      html(token) {
        return escapeHtml(token.text);
      },
    },
  });
  return renderer;
}

const STYLE = `
:root { --fg: #1d1f21; --muted: #5f6368; --bg: #fff; --accent: #1a5fb4; --code: #f4f5f7; --line: #dde1e6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; display: flex; gap: 1rem; align-items: center; padding: .6rem 1.5rem; background: #f8f9fb; border-bottom: 1px solid var(--line); z-index: 1; }
header .home { font-weight: 600; color: var(--fg); text-decoration: none; white-space: nowrap; }
.search { position: relative; flex: 1; max-width: 36rem; }
#search { width: 100%; padding: .4rem .6rem; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
#results { position: absolute; left: 0; right: 0; margin: .2rem 0 0; padding: 0; list-style: none; background: #fff; border: 1px solid var(--line); border-radius: 6px; max-height: 70vh; overflow: auto; box-shadow: 0 4px 16px rgba(0,0,0,.12); }
#results li a { display: block; padding: .35rem .6rem; color: var(--fg); text-decoration: none; border-bottom: 1px solid #f0f1f3; }
#results li a:hover, #results li a:focus { background: #eef3fb; outline: none; }
#results .kind { color: var(--muted); font-size: .8em; margin-right: .4em; }
#results .doc { display: block; color: var(--muted); font-size: .85em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#results .none { padding: .4rem .6rem; color: var(--muted); }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
nav.crumbs { max-width: 60rem; margin: 0 auto; padding: .8rem 1.5rem 0; color: var(--muted); font-size: .9em; }
a { color: var(--accent); }
code { font: .9em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code); padding: .1em .3em; border-radius: 4px; }
pre { background: var(--code); padding: .8rem 1rem; border-radius: 6px; overflow: auto; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f8f9fb; }
`;

/** The search box: filters the index by every word typed (name, identifier, doc). */
const SEARCH_JS = `(function () {
  var root = document.body.getAttribute('data-root') || '';
  var index = window.TUTTI_SEARCH || [];
  var input = document.getElementById('search');
  var list = document.getElementById('results');
  function esc(s) { return s.replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function search(q) {
    var words = q.toLowerCase().split(/\\s+/).filter(Boolean);
    if (words.length === 0) return [];
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var e = index[i];
      var name = e.n.toLowerCase(), id = e.id.toLowerCase(), doc = e.d.toLowerCase();
      var score = 0, ok = true;
      for (var j = 0; j < words.length && ok; j++) {
        var w = words[j];
        if (name === w || name === '|' + w || name === '@' + w) score += 100;
        else if (name.indexOf(w) === 0) score += 50;
        else if (name.indexOf(w) >= 0) score += 30;
        else if (id.indexOf(w) >= 0) score += 10;
        else if (doc.indexOf(w) >= 0) score += 1;
        else ok = false;
      }
      if (ok) hits.push([score, e]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].id < b[1].id ? -1 : 1); });
    return hits.slice(0, 60).map(function (h) { return h[1]; });
  }
  function show() {
    var q = input.value.trim();
    if (q === '') { list.hidden = true; list.innerHTML = ''; return; }
    var hits = search(q);
    list.innerHTML = hits.length === 0 ? '<li class="none">No element matches \\u201c' + esc(q) + '\\u201d</li>' :
      hits.map(function (e) {
        return '<li><a href="' + esc(root + e.u) + '"><span class="kind">' + esc(e.k) + '</span><code>' + esc(e.n) + '</code> ' +
          esc(e.id) + '<span class="doc">' + esc(e.d) + '</span></a></li>';
      }).join('');
    list.hidden = false;
  }
  input.addEventListener('input', show);
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { var a = list.querySelector('a'); if (a) { ev.preventDefault(); a.click(); } }
    if (ev.key === 'Escape') { input.value = ''; show(); }
  });
  document.addEventListener('click', function (ev) {
    if (!input.parentNode.contains(ev.target)) list.hidden = true;
  });
  input.addEventListener('focus', function () { if (input.value.trim() !== '') show(); });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== input) { ev.preventDefault(); input.focus(); }
  });
})();
`;

/** One entry of the search index. */
export interface SearchEntry {
  /** Name as written (`emit`, `|add`, `@HttpRequest`). */
  readonly n: string;
  readonly id: string;
  /** Kind. */
  readonly k: string;
  /** Page, relative to the root. */
  readonly u: string;
  /** The start of the documentation. */
  readonly d: string;
}

/** The HTML files of the tree: one page per Markdown page, the index and the search script. */
export async function htmlFiles(pages: readonly DocPage[], title: string): Promise<{ path: string; content: string }[]> {
  const marked = await markdownRenderer();
  const entries: SearchEntry[] = [];
  const files: { path: string; content: string }[] = [];
  for (const page of pages) {
    if (page.path === 'SUMMARY.md') continue;
    const path = page.path.replace(/\.md$/, '.html');
    const e = page.element;
    if (e !== undefined)
      entries.push({
        n: displayName(e),
        id: e.root === undefined ? e.id : `${e.id} (${e.root.replace(/\/$/, '')})`,
        k: e.kind,
        u: path,
        d: e.doc.replace(/\s+/g, ' ').trim().slice(0, 200),
      });
    const depth = path.split('/').length - 1;
    const root = '../'.repeat(depth);
    const crumbs: string[] = [`<a href="${root}index.html">packages</a>`];
    const dirs = posix.dirname(path) === '.' ? [] : posix.dirname(path).split('/');
    for (let i = 0; i < dirs.length; i++) {
      const target = `${'../'.repeat(depth - i - 1)}index.html`;
      const isSelf = i === dirs.length - 1 && posix.basename(path) === 'index.html';
      crumbs.push(isSelf ? escapeHtml(dirs[i] as string) : `<a href="${target}">${escapeHtml(dirs[i] as string)}</a>`);
    }
    const body = marked.parse(page.markdown, { async: false });
    files.push({
      path,
      content: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} — ${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-root="${root}">
<header><a class="home" href="${root}index.html">${escapeHtml(title)}</a>
<div class="search"><input id="search" type="search" placeholder="Search treatments, models, functions, types… (press /)" autocomplete="off" aria-label="Search"><ol id="results" hidden></ol></div></header>
<nav class="crumbs">${crumbs.join(' / ')}</nav>
<main>
${body}
</main>
<script src="${root}search-index.js"></script>
<script src="${root}search.js"></script>
</body>
</html>
`,
    });
  }
  files.push({ path: 'search-index.js', content: `window.TUTTI_SEARCH = ${JSON.stringify(entries)};\n` });
  files.push({ path: 'search.js', content: SEARCH_JS });
  return files;
}
