/**
 * POSIX path syntax as Rust's `std::path` reads it on Unix, which `fs/path` exposes.
 * Node's `path.posix` differs on exactly these cases
 * (`basename('/usr/bin/..')` is `..`, `dirname('foo')` is `.`), so the rules are ported:
 *
 * - a path is a leading root `/` (any number of slashes), then components separated by
 *   slashes; empty components and `.` are skipped, except a leading `.` (`./a`) which is
 *   kept as the current directory; `..` is a parent component; anything else is a name;
 * - `file_name` is the last component when it is a name;
 * - `parent` is the path before the last component (name, `.` or `..`), its trailing
 *   slashes and `.` removed; a root or an empty path has none;
 * - the final extension of a name is after its last `.`, unless that dot starts the name
 *   (`.bashrc`) or the name is `..`.
 *
 * Paths are strings: Rust works on bytes and renders them lossily, which changes nothing
 * for valid Unicode.
 */

/** The last component of a path, and what precedes it. */
interface Last {
  readonly kind: 'root' | 'current' | 'parent' | 'name';
  /** The component's text for a name. */
  readonly name: string;
  /** The path before the component (Rust's `Components::as_path` afterwards). */
  readonly rest: string;
}

/** Length of what precedes the body: the root slash, or a leading `.` component. */
function headLength(p: string): number {
  if (p.startsWith('/')) return 1;
  return p.startsWith('.') && (p.length === 1 || p[1] === '/') ? 1 : 0;
}

/** Rust's `Components::next_back` on a fresh iterator, plus the remaining path. */
function lastComponent(path: string): Last | null {
  let p = path;
  for (let head = headLength(p); p.length > head; head = headLength(p)) {
    const slash = p.lastIndexOf('/');
    const start = slash < head ? head : slash + 1;
    const comp = p.slice(start);
    p = p.slice(0, slash < head ? head : slash);
    if (comp === '' || comp === '.') continue;
    if (comp === '..') return { kind: 'parent', name: comp, rest: trimBack(p) };
    return { kind: 'name', name: comp, rest: trimBack(p) };
  }
  if (p.startsWith('/')) return { kind: 'root', name: '', rest: '' };
  if (headLength(p) === 1) return { kind: 'current', name: '', rest: '' };
  return null;
}

/** Drops trailing separators and `.` components from the body (Rust's `trim_right`). */
function trimBack(path: string): string {
  let p = path;
  for (let head = headLength(p); p.length > head; head = headLength(p)) {
    const slash = p.lastIndexOf('/');
    const comp = p.slice(slash < head ? head : slash + 1);
    if (comp !== '' && comp !== '.') break;
    p = p.slice(0, slash < head ? head : slash);
  }
  return p;
}

/**
 * The last component when it is a name: `bin` for `/usr/bin/`, `etc` for `etc/./`; null for
 * `/`, `""`, `.` or a path ending with `..`.
 *
 * @example
 * ```ts
 * fileName('/usr/bin/'); // 'bin'
 * ```
 */
export function fileName(path: string): string | null {
  const last = lastComponent(path);
  return last !== null && last.kind === 'name' ? last.name : null;
}

/**
 * The path without its last component: `/usr` for `/usr/bin`, `""` for `foo`, `/` for
 * `/usr`; null for `/` and `""`.
 *
 * @example
 * ```ts
 * parent('foo/bar/'); // 'foo'
 * ```
 */
export function parent(path: string): string | null {
  const last = lastComponent(path);
  return last === null || last.kind === 'root' ? null : last.rest;
}

/** A file name cut at its final extension (Rust's `rsplit_file_at_dot`). */
function splitAtDot(name: string): [stem: string, extension: string | null] {
  if (name === '..') return [name, null];
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return [name, null];
  return [name.slice(0, dot), name.slice(dot + 1)];
}

/**
 * What follows the last `.` of the file name; null without file name or dot, or for a
 * name whose only dot is the first character (`.bashrc`).
 *
 * @example
 * ```ts
 * extension('a/b.tar.gz'); // 'gz'
 * ```
 */
export function extension(path: string): string | null {
  const name = fileName(path);
  return name === null ? null : splitAtDot(name)[1];
}

/**
 * The file name without its final extension: `a.tar` for `a.tar.gz`, `.bashrc` for
 * `.bashrc`; null without file name.
 *
 * @example
 * ```ts
 * fileStem('/home/me/.bashrc'); // '.bashrc'
 * ```
 */
export function fileStem(path: string): string | null {
  const name = fileName(path);
  return name === null ? null : splitAtDot(name)[0];
}
