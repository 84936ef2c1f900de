/**
 * Reading source files: one place decides what "unreadable" means (E_FILE): missing,
 * a directory, no permission, or not valid UTF-8.
 */
import { readFileSync } from 'node:fs';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes of a file, or a message saying why it cannot be read. */
export function readBytes(path: string, shown: string): { bytes: Buffer } | { error: string } {
  try {
    return { bytes: readFileSync(path) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (e as Error).message;
    return { error: `cannot read '${shown}': ${why}` };
  }
}

/** The text of UTF-8 bytes; undefined when they are not valid UTF-8. */
export function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The decoded text of a file, or a message saying why it cannot be read. */
export function readText(path: string, shown: string): { text: string } | { error: string } {
  const r = readBytes(path, shown);
  if ('error' in r) return r;
  const text = decodeText(r.bytes);
  return text === undefined ? { error: `'${shown}' is not a Mélodium source: it is not valid UTF-8 text` } : { text };
}
