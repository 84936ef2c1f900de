/**
 * Values of `std/engine/log::Level`. Quirk of the reference, kept: the order follows the
 * declaration, error < warning < info < debug < trace, while `|min`/`|max` (Bounded)
 * give trace and error.
 */
import type { LogLevel } from '@tutti/core';

const ORDER: readonly LogLevel[] = ['error', 'warning', 'info', 'debug', 'trace'];

/** A log level value. */
export class LevelValue {
  private constructor(readonly level: LogLevel) {}

  private static readonly all = new Map<LogLevel, LevelValue>(ORDER.map((l) => [l, new LevelValue(l)]));

  /** The shared value of `level`. */
  static of(level: LogLevel): LevelValue {
    return LevelValue.all.get(level) as LevelValue;
  }

  display(): string {
    return this.level;
  }

  equals(other: unknown): boolean {
    return other instanceof LevelValue && other.level === this.level;
  }

  compare(other: unknown): number {
    if (!(other instanceof LevelValue)) return Number.NaN;
    return Math.sign(ORDER.indexOf(this.level) - ORDER.indexOf(other.level));
  }
}
