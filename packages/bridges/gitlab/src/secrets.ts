/**
 * Variables a GitLab project keeps in its settings (Settings → CI/CD → Variables), given
 * locally: a variables file and `--variable NAME=VALUE`, with `--masked NAME` or
 * `masked: true` marking those whose values GitLab hides in job logs. The file is
 * gitlab-ci-local's `.gitlab-ci-local-variables.yml` format (`NAME: value`), where an entry may
 * also be a mapping with the fields of GitLab's variables API (`value`, `masked`, and
 * `protected`/`description`, accepted). Masked values must be as GitLab accepts them: one line,
 * no spaces, at least 8 characters.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { SecretMasker } from '@tutti/pipeline';
import { GitlabConfigError, isMapping, keyLoc, type Loc, parseYaml } from './yaml.js';

/** GitLab's mask text. */
export const GITLAB_MASK = '[MASKED]';

export interface ProjectVariables {
  readonly values: Record<string, string>;
  /** Names whose values are masked. */
  readonly masked: Set<string>;
  /** Where each file entry was defined (for errors about it). */
  readonly where: Map<string, Loc>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads a variables file; throws {@link GitlabConfigError} with `file:line:col`. */
export function readVariablesFile(path: string, cwd: string): ProjectVariables {
  const shown = relative(cwd, path) || path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GitlabConfigError(
      `variables file ${shown}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message}`,
    );
  }
  const doc = parseYaml(text, shown);
  const out: ProjectVariables = { values: {}, masked: new Set(), where: new Map() };
  if (doc === null) return out;
  if (!isMapping(doc))
    throw new GitlabConfigError('a variables file is a mapping of NAME: value (or NAME: {value, masked})', {
      file: shown,
      line: 1,
      col: 1,
    });
  for (const [name, v] of Object.entries(doc)) {
    const loc = keyLoc(doc, name) ?? { file: shown, line: 1, col: 1 };
    if (!NAME.test(name)) throw new GitlabConfigError(`'${name}' is not a valid variable name`, loc);
    out.where.set(name, loc);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out.values[name] = String(v);
      continue;
    }
    if (!isMapping(v)) throw new GitlabConfigError(`${name}: a value is text, or a mapping {value, masked}`, loc);
    for (const k of Object.keys(v))
      if (!['value', 'masked', 'protected', 'description'].includes(k))
        throw new GitlabConfigError(`${name}: unknown key '${k}' (value, masked, protected, description)`, keyLoc(v, k) ?? loc);
    const value = v.value;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      throw new GitlabConfigError(`${name}: value must be text`, keyLoc(v, 'value') ?? loc);
    out.values[name] = String(value);
    if (v.masked !== undefined && typeof v.masked !== 'boolean')
      throw new GitlabConfigError(`${name}: masked must be true or false`, keyLoc(v, 'masked') ?? loc);
    if (v.masked === true) out.masked.add(name);
  }
  return out;
}

/** Why GitLab would refuse to mask `value` (undefined: it can be masked). */
export function unmaskable(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'a masked value must be a single line';
  if (/\s/.test(value)) return 'a masked value cannot contain spaces';
  if (value.length < 8) return 'a masked value must be at least 8 characters long';
  return undefined;
}

/**
 * The mask of a project's masked values for `RunnerOptions.mask`, as `--masked` builds it
 * (each value and its usual printed forms become `[MASKED]`); undefined when there are none.
 */
export function projectMask(values: readonly string[]): ((text: string) => string) | undefined {
  const masker = new SecretMasker(GITLAB_MASK);
  for (const v of values) masker.add(v);
  return masker.size === 0 ? undefined : (text) => masker.mask(text);
}
