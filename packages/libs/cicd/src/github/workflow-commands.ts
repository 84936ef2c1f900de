/**
 * Workflow commands (`::name k=v::message`) on a GitHub Actions step's output, read as GitHub's
 * runner reads them, and the masker every line goes through. `tutti github run` and the steps of
 * imported programs (`runAction(github_environment = true)` → `spawnLabelled(github_commands = true)`)
 * share them.
 */
import { appendFileSync } from 'node:fs';

export interface WorkflowCommand {
  readonly name: string;
  readonly props: Readonly<Record<string, string>>;
  readonly message: string;
}

const unescapeData = (s: string) => s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
const unescapeProp = (s: string) => unescapeData(s.replaceAll('%3A', ':').replaceAll('%2C', ','));

/** Parses `::name k=v,k2=v2::message`; undefined when the line is not a command. */
export function parseCommand(line: string): WorkflowCommand | undefined {
  const l = line.trimStart();
  if (!l.startsWith('::')) return undefined;
  const end = l.indexOf('::', 2);
  if (end < 0) return undefined;
  const head = l.slice(2, end);
  const sp = head.indexOf(' ');
  const name = (sp < 0 ? head : head.slice(0, sp)).toLowerCase();
  if (!/^[a-z-]+$/.test(name) && !/^[^\s:]+$/.test(name)) return undefined;
  const props: Record<string, string> = {};
  if (sp >= 0)
    for (const kv of head.slice(sp + 1).split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) props[kv.slice(0, eq).trim()] = unescapeProp(kv.slice(eq + 1));
    }
  return { name, props, message: unescapeData(l.slice(end + 2)) };
}

/** Replaces every secret (and each line of a multi-line one) by `***`. */
export class Masker {
  private secrets: string[] = [];

  add(value: string): void {
    for (const v of [value, ...value.split(/\r?\n/)]) {
      const t = v.trim();
      if (t.length === 0 || this.secrets.includes(t)) continue;
      this.secrets.push(t);
      // longest first, so a secret containing another is masked whole
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  mask(line: string): string {
    for (const s of this.secrets) if (line.includes(s)) line = line.replaceAll(s, '***');
    return line;
  }
}

/** Masks of the job instances of this process, by the job's GITHUB_ENV file (each job instance has its own). */
const jobMaskers = new Map<string, Masker>();

/** The masker of the job instance whose GITHUB_ENV file is `envFile`. */
export function jobMasker(envFile: string): Masker {
  let masker = jobMaskers.get(envFile);
  if (masker === undefined) jobMaskers.set(envFile, (masker = new Masker()));
  return masker;
}

/** Where a step's workflow commands act: its job's masker, its GITHUB_OUTPUT file, whether debug lines show. */
export interface StepCommandTarget {
  readonly masker: Masker;
  readonly outputFile: string | undefined;
  readonly debug: boolean;
}

/** The target of a step run with `variables` (its environment): the masker of its job instance (GITHUB_ENV). */
export function stepCommandTarget(variables: { get(name: string): string | undefined }): StepCommandTarget {
  return {
    masker: jobMasker(variables.get('GITHUB_ENV') ?? ''),
    outputFile: variables.get('GITHUB_OUTPUT'),
    debug: variables.get('ACTIONS_STEP_DEBUG') === 'true',
  };
}

/**
 * A line filter for one step's output, as GitHub's runner shows it: `::add-mask::` masks from
 * then on (in the whole job), `::group::` shows `▸ name`, `::warning`/`::error`/`::notice`
 * show `warning: message (file:line)`, `::debug::` only with ACTIONS_STEP_DEBUG, the deprecated
 * `::set-output` writes the output (GITHUB_OUTPUT) with GitHub's warning, `::stop-commands::`
 * until its token; every other line masked. Returns the line to show, or undefined.
 */
export function workflowCommandFilter(target: StepCommandTarget): (line: string) => string | undefined {
  let stopToken: string | undefined;
  const { masker } = target;
  return (line) => {
    if (stopToken !== undefined) {
      if (line.trim() === `::${stopToken}::`) {
        stopToken = undefined;
        return undefined;
      }
      return masker.mask(line);
    }
    const c = line.includes('::') ? parseCommand(line) : undefined;
    if (!c) return masker.mask(line);
    switch (c.name) {
      case 'add-mask':
        masker.add(c.message);
        return undefined;
      case 'group':
        return `▸ ${masker.mask(c.message)}`;
      case 'endgroup':
      case 'echo':
        return undefined;
      case 'stop-commands':
        stopToken = c.message;
        return undefined;
      case 'set-output':
        // (the helpers read GITHUB_OUTPUT as dotenv: a quote the value does not hold keeps it literal)
        if (c.props.name && target.outputFile !== undefined) {
          const q = ["'", '`', '"'].find((x) => !c.message.includes(x)) ?? "'";
          appendFileSync(target.outputFile, `${c.props.name}=${q}${c.message}${q}\n`);
        }
        return 'warning: The `set-output` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.';
      case 'save-state':
        return 'warning: The `save-state` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.';
      case 'set-env':
      case 'add-path':
        return `error: The \`${c.name}\` command is disabled. Please upgrade to using Environment Files.`;
      case 'debug':
        return target.debug ? `debug: ${masker.mask(c.message)}` : undefined;
      case 'error':
      case 'warning':
      case 'notice': {
        const where = c.props.file
          ? ` (${c.props.file}${c.props.line ? `:${c.props.line}` : ''}${c.props.col ? `:${c.props.col}` : ''})`
          : '';
        return `${c.name}: ${c.props.title ? `${masker.mask(c.props.title)}: ` : ''}${masker.mask(c.message)}${where}`;
      }
      default:
        return masker.mask(line);
    }
  };
}
