/**
 * The value of `process/command::Command`: a program and its
 * arguments, run without any shell. Immutable, like every value that can be shared by the
 * receivers of one output.
 */
import { compareStrings, type DataValue, quoteString } from '@tutti/core';

/**
 * A `Command` value.
 *
 * @example
 * ```ts
 * const c = new CommandValue('tr', ['a-z', 'A-Z']);
 * c.display(); // 'Command { command: "tr", arguments: ["a-z", "A-Z"] }'
 * ```
 */
export class CommandValue implements DataValue {
  /** The program: a path, or a name looked up in `PATH`. */
  readonly command: string;
  /** Its arguments, passed as they are. */
  readonly arguments: readonly string[];

  constructor(command: string, args: readonly string[]) {
    this.command = command;
    this.arguments = args;
  }

  /** Same program and same arguments (`PartialEquality`/`Equality`). */
  equals(other: unknown): boolean {
    return other instanceof CommandValue && this.compare(other) === 0;
  }

  /**
   * Field order, as the reference's derived ordering: program first, then the arguments
   * lexicographically (a prefix sorts first); strings by code point.
   */
  compare(other: unknown): number {
    if (!(other instanceof CommandValue)) return Number.NaN;
    const c = compareStrings(this.command, other.command);
    if (c !== 0) return c;
    const a = this.arguments;
    const b = other.arguments;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = compareStrings(a[i] as string, b[i] as string);
      if (d !== 0) return d;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }

  /** Debug dump on one line (`Command` has no `Display` trait; logs of data values use it). */
  display(): string {
    return `Command { command: ${quoteString(this.command)}, arguments: [${this.arguments.map(quoteString).join(', ')}] }`;
  }
}
