/**
 * Reading source files: one place decides what "unreadable" means (E_FILE, §1.1): missing,
 * a directory, no permission, or not valid UTF-8.
 */
import { readFileSync } from 'node:fs';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The decoded text of a file, or a message saying why it cannot be read. */
export function readText(path: string, shown: string): { text: string } | { error: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
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
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const jeu = bytes.subarray(0, 40).toString('latin1').startsWith('#!/usr/bin/env melodium\n#! version 0\n');
    return {
      error: jeu
        ? `'${shown}' is a .jeu archive, which this version of tutti does not read yet; extract it and run its Compo.toml`
        : `'${shown}' is not a Mélodium source: it is not valid UTF-8 text`,
    };
  }
}
