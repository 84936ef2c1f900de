/**
 * Values of the 0.9 `log/logger::Log` data type: one record,
 * with the time, level, label, message and the id of the track that emitted it.
 */
import type { LogLevel, RunLogRecord } from '@tutti/core';

/** A log record as a Mélodium value (`ToString`: `[<RFC 3339, ms>] <level>: <label>: <message>`). */
export class LogValue {
  constructor(
    readonly timestamp: Date,
    readonly level: LogLevel,
    readonly label: string,
    readonly message: string,
    readonly track: number | undefined,
    /**
     * Whether the host already showed it: every record that went through the engine's log
     * (Tutti prints those itself), so `log/console::console` does not print it twice.
     */
    readonly shown: boolean,
  ) {}

  /** The value of an engine record. */
  static of(r: RunLogRecord): LogValue {
    return new LogValue(r.time, r.level, r.label, r.message, r.track, true);
  }

  toString(): string {
    return `[${this.timestamp.toISOString()}] ${this.level}: ${this.label}: ${this.message}`;
  }

  display(): string {
    return this.toString();
  }
}
