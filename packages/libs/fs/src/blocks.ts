/**
 * Receiving the two Block inputs (`path`, `filesystem`) every `fs` treatment starts with,
 * under rule B (one of them closing empty ends the treatment without emitting).
 */
import { END, type InputPort } from '@tutti/core';

/**
 * The values of `path` and `filesystem`, or null as soon as either closes empty (rule B):
 * the treatment then ends at once, without waiting for the other one.
 */
export async function receivePathAndSystem(path: InputPort, filesystem: InputPort): Promise<[path: string, system: unknown] | null> {
  const p = path.recvOne();
  const f = filesystem.recvOne();
  if ((await Promise.race([p, f])) === END) return null;
  const [pathValue, system] = await Promise.all([p, f]);
  return pathValue === END || system === END ? null : [pathValue as string, system];
}
