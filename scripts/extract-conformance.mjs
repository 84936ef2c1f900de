#!/usr/bin/env node
// Writes the static examples of language spec §9.2 (C01–C31) as files under
// test/conformance/static/, one per code block, with the header (H or HT) the spec says.
// Expectations stay in the source as the spec writes them: `// !E_CODE` on the line that
// must carry that error; a title ending in "pass" means no error at all.
// Usage: node scripts/extract-conformance.mjs SPEC.md (the language specification's Markdown)
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
