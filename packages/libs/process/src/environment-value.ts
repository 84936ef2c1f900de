/**
 * The value of `process/environment::Environment`: how a command's
 * process is set up (working directory, variables, inherited environment or not).
 */
import { type DataValue, quoteString } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';

/** `${NAME}` references, the only form `expand_variables` replaces. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * An `Environment` value.
 *
 * @example
 * ```ts
 * const env = new EnvironmentValue(StringMapValue.from({ HOME_COPY: '${HOME}' }), null, true, false);
 * env.variablesFor(process.env); // { HOME_COPY: '/home/me' }
 * ```
 */
export class EnvironmentValue implements DataValue {
  constructor(
    /** Variables added to the child's environment (they win over inherited ones). */
    readonly variables: StringMapValue,
    /** The child's current directory; none keeps the engine's. */
    readonly workingDirectory: string | null,
    /** Whether `${NAME}` inside variable values is replaced by the engine's own variable. */
    readonly expandVariables: boolean,
    /** Whether the child starts from an empty environment instead of the engine's. */
    readonly clearEnv: boolean,
  ) {}

  /**
   * The variables as the child receives them: values with `${NAME}` references replaced by
   * `host[NAME]` (empty when unset) when `expandVariables` is set. `$NAME` without braces is
   * left alone.
   */
  variablesFor(host: Readonly<Record<string, string | undefined>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.variables) {
      out[k] = this.expandVariables ? v.replace(REFERENCE, (_, name: string) => host[name] ?? '') : v;
    }
    return out;
  }

  /** Same fields (`PartialEquality`/`Equality`; variables compared as maps). */
  equals(other: unknown): boolean {
    return (
      other instanceof EnvironmentValue &&
      other.workingDirectory === this.workingDirectory &&
      other.expandVariables === this.expandVariables &&
      other.clearEnv === this.clearEnv &&
      other.variables.equals(this.variables)
    );
  }

  /** Debug dump on one line (`Environment` has no `Display` trait). */
  display(): string {
    const dir = this.workingDirectory === null ? '_' : quoteString(this.workingDirectory);
    return `Environment { working_directory: ${dir}, clear_env: ${this.clearEnv}, variables: ${this.variables.display()}, expand_variables: ${this.expandVariables} }`;
  }
}

/** An environment from the run-time values of `|environment`'s arguments. */
export function environmentOf(variables: unknown, workingDirectory: unknown, expand: unknown, clear: unknown): EnvironmentValue {
  return new EnvironmentValue(
    variables instanceof StringMapValue ? variables : StringMapValue.empty,
    typeof workingDirectory === 'string' ? workingDirectory : null,
    expand === true,
    clear === true,
  );
}
