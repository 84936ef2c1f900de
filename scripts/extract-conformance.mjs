#!/usr/bin/env node
// A maintenance tool, not part of the build or the tests: it wrote the static conformance
// examples C01–C31 under test/conformance/static/ (tracked; the tests read those files)
// from the Markdown document that lists them, one file per code block, with the header
// (H or HT) each example names. Expectations stay in the source as written there:
// `// !E_CODE` on the line that must carry that error; a title ending in "pass" means no
// error at all.
// Usage: node scripts/extract-conformance.mjs SPEC.md (a Markdown file holding the examples)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

if (process.argv[2] === undefined) {
  process.stderr.write('usage: node scripts/extract-conformance.mjs SPEC.md\n');
  process.exit(2);
}
const spec = readFileSync(process.argv[2], 'utf8');
const start = spec.indexOf('### 9.2 Static checks');
const end = spec.indexOf('### 9.3 Runtime examples');
const section = spec.slice(start, end);
const H = '#!/usr/bin/env melodium\n#! name = conformance\n#! version = 0.1.0\n#! require = std:0.10.2\n';
const HT = `${H}#! require = testkit:1.0.0\n`;
const out = 'test/conformance/static';
mkdirSync(out, { recursive: true });
let count = 0;
for (const part of section.split(/\n(?=\*\*C\d\d)/)) {
  const m = /^\*\*(C\d\d) — ([^*]+)\*\*(.*)/.exec(part);
  if (!m) continue;
  const [, id, title, rest] = m;
  if (id === 'C32') continue; // header variants: test/conformance/headers.test.ts
  const blocks = [...part.matchAll(/```mel\n([\s\S]*?)```/g)].map((b) => b[1]);
  const header = /header HT/.test(title + rest) ? HT : H;
  const pass = /^\s*—\s*pass/.test(rest);
  blocks.forEach((code, i) => {
    const name = `${id.toLowerCase()}${blocks.length > 1 ? `-${i + 1}` : ''}.mel`;
    const expect = pass ? '// @expect: pass\n' : '';
    writeFileSync(`${out}/${name}`, `${header}${expect}// ${id} — ${title.trim()}\n${code}`);
    count++;
  });
}
console.log(`wrote ${count} cases to ${out}`);
