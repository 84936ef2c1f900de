/**
 * Version requirements with Cargo's semantics (docs/language.md#version-requirements), checked with the
 * `semver` package. Cargo and npm differ on one point: a bare `1.2.3` means `^1.2.3` in
 * Cargo and `=1.2.3` in npm, so comparators are rewritten before npm parses them; the
 * comma-separated syntax and the rules on whitespace are Cargo's and are checked here.
 */
import semver from 'semver';

const PART = '(?:0|[1-9][0-9]*|\\*|x|X)';
const COMPARATOR = new RegExp(
  `^\\s*(=|>=|>|<=|<|~|\\^)?\\s*(${PART})(?:\\.(${PART})(?:\\.(${PART})(-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?)?)?\\s*$`,
);

/** A parsed requirement. */
export interface Requirement {
  readonly text: string;
  readonly range: semver.Range;
}

/** Parses a Cargo-style requirement, or returns an explanation of what is wrong. */
export function parseRequirement(text: string): Requirement | { error: string } {
  if (text.trim() === '') return { error: 'empty version requirement' };
  const parts = text.split(',');
  const npm: string[] = [];
  for (const part of parts) {
    const m = COMPARATOR.exec(part);
    if (!m) return { error: `'${part.trim()}' is not a version comparator (e.g. 0.10.2, ^1.2, ~1.2.3, >=1.0, <2, 1.*)` };
    const [, op, major, minor, patch, pre] = m as unknown as [
      string,
      string | undefined,
      string,
      string | undefined,
      string | undefined,
      string | undefined,
    ];
    const isWild = (s: string | undefined) => s === '*' || s === 'x' || s === 'X';
    const version = [major, minor, patch].filter((s) => s !== undefined).join('.') + (pre ?? '');
    if (isWild(major) || isWild(minor) || isWild(patch)) {
      if (op !== undefined && op !== '=') return { error: `wildcard '${version}' cannot follow an operator` };
      npm.push(version.replace(/[xX]/g, '*'));
      continue;
    }
    npm.push(`${op ?? '^'}${version}`);
  }
  try {
    return { text, range: new semver.Range(npm.join(' ')) };
  } catch {
    return { error: `'${text}' is not a valid version requirement` };
  }
}

/** Whether `version` satisfies `req`. */
export function satisfies(version: string, req: Requirement): boolean {
  return semver.satisfies(version, req.range);
}

/**
 * Bundled packages report 0.10.2 but also answer requirements written for the 0.9
 * generation (`^0.9.1`, as the programs written for it require; docs/legacy.md).
 */
export function satisfiesBundled(version: string, req: Requirement): boolean {
  return satisfies(version, req) || req.range.intersects(new semver.Range('>=0.9.0 <0.10.0')) || namesPrerelease09(req);
}

/**
 * Whether the lowest version `req` accepts is a 0.9 pre-release (`=0.9.0-pre.3`,
 * `=0.9.2-pre.0`: the reference's own test programs pin them), which no 0.9 range
 * intersects by semver's rules.
 */
export function namesPrerelease09(req: Requirement): boolean {
  const min = semver.minVersion(req.range);
  return min !== null && min.major === 0 && min.minor === 9 && min.prerelease.length > 0;
}

/** Whether `text` is a SemVer version `MAJOR.MINOR.PATCH[-pre][+build]`. */
export function isVersion(text: string): boolean {
  return semver.valid(text) !== null && /^\d+\.\d+\.\d+/.test(text);
}
