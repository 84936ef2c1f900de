/**
 * Glob patterns as GitLab matches them (`rules:changes`, `rules:exists`, `artifacts:paths`,
 * `cache:paths`, wildcard includes): `*` within one path segment, `**` across segments,
 * `?` one character, `[abc]` classes, `{a,b}` alternatives; dot files match (FNM_DOTMATCH).
 */
const cache = new Map<string, RegExp>();

/** The regular expression of a glob, matched against `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit !== undefined) return hit;
  let src = '';
  let depth = 0;
  const g = glob.replace(/^\.\//, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*') {
      if (g[i + 1] === '*') {
        const slashAfter = g[i + 2] === '/';
        const atStart = i === 0 || g[i - 1] === '/';
        if (atStart && slashAfter) {
          src += '(?:.*/)?';
          i += 2;
        } else {
          src += '.*';
          i += 1;
        }
      } else src += '[^/]*';
    } else if (c === '?') src += '[^/]';
    else if (c === '[') {
      const end = g.indexOf(']', i + 2);
      if (end < 0) src += '\\[';
      else {
        let cls = g.slice(i + 1, end);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        src += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      depth++;
      src += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      src += ')';
    } else if (c === ',' && depth > 0) src += '|';
    else src += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  // A pattern naming a folder covers everything under it.
  const re = new RegExp(`^${src}(?:/.*)?$`);
  cache.set(glob, re);
  return re;
}

/** Whether `path` matches `glob` exactly (no folder prefix rule): for rules:changes/exists. */
export function globMatches(glob: string, path: string): boolean {
  return globToRegExp(glob).test(path);
}
