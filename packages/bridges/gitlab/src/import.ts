import { GitlabUsageError } from './usage.js';

/** `tutti gitlab import` (written below). */
export async function commandImport(_argv: readonly string[], _io: unknown): Promise<number> {
  throw new GitlabUsageError('import is not available yet');
}
