/**
 * What `tutti run` shows of a program that reports pipeline steps (CI/CD elements calling
 * `reportStep`): nothing changes until the first step report; from then on the run's
 * output on stdout is the live view (`@tutti/pipeline`) — the board or state lines, each
 * step's log lines prefixed with its name — each step's log records are also written to
 * `<steps dir>/<step>.log`, and the run ends with a summary (docs/progress.md).
 *
 * Why stdout: it is where `tutti run` prints the program's logs, and progress lines
 * are part of that story; one stream keeps their order when CI merges or a user redirects
 * it. Diagnostics stay on stderr.
 *
 * The steps directory: `--step-logs DIR`; else beside `--logs F` (`F` without its
 * extension, plus `.steps/`); else `.tutti/logs/<run id>/` in the working directory.
 */
import { join, parse } from 'node:path';
import type { StepRecord } from '@tutti/engine';
import {
  buildReport,
  chooseViewMode,
  LiveView,
  ProgressBoard,
  renderSummary,
  type SecretMasker,
  StepLogFiles,
  type ViewMode,
  writeReport,
} from '@tutti/pipeline';

/** `--progress`: how steps are shown. */
export type ProgressOption = 'auto' | 'tty' | 'plain' | 'grouped' | 'off';

export const PROGRESS_OPTIONS: readonly ProgressOption[] = ['auto', 'tty', 'plain', 'grouped', 'off'];

/** Options of {@link StepOutput}. */
export interface StepOutputOptions {
  readonly progress: ProgressOption;
  readonly color: boolean;
  readonly masker: SecretMasker;
  /** `--step-logs`. */
  readonly stepLogs?: string;
  /** `--logs`: the steps directory goes beside it. */
  readonly logs?: string;
  /** `--report`: JSON, or JUnit XML when it ends in `.xml`. */
  readonly report?: string;
  /** The program, named in the report. */
  readonly program: string;
  /** Where output that is not a step's went until now (flushed before the view starts). */
  readonly flush: () => void;
}

/** The steps directory for a run started at `started`. */
export function stepLogsDir(o: { readonly stepLogs?: string; readonly logs?: string }, started: Date, cwd = process.cwd()): string {
  if (o.stepLogs !== undefined) return o.stepLogs;
  if (o.logs !== undefined) {
    const p = parse(o.logs);
    return join(p.dir, `${p.name}.steps`);
  }
  return join(cwd, '.tutti', 'logs', started.toISOString().replace(/[:.]/g, '-'));
}

/**
 * The step side of a run's output. Created for every run; it does nothing (and costs one
 * branch per log record) until the program reports a step.
 */
export class StepOutput {
  private board: ProgressBoard | undefined;
  private view: LiveView | undefined;
  private logs: StepLogFiles | undefined;
  private readonly started = new Date();

  constructor(private readonly o: StepOutputOptions) {}

  /** Whether a step was reported (the view owns stdout from then on). */
  get active(): boolean {
    return this.board !== undefined;
  }

  /** Takes a step report from the engine. */
  step(r: StepRecord): void {
    if (this.board === undefined) this.start();
    const board = this.board as ProgressBoard;
    board.update(r);
    if (r.state === 'passed' || r.state === 'failed' || r.state === 'cancelled' || r.state === 'skipped') this.files((l) => l.end(r.name));
  }

  /**
   * Runs `f` on the step files; a folder or file that cannot be written (a read-only working
   * folder) is said once on stderr and the run goes on without step files: the program must
   * not fail for its logs.
   */
  private files(f: (logs: StepLogFiles) => void): void {
    if (this.logs === undefined) return;
    try {
      f(this.logs);
    } catch (e) {
      const dir = this.logs.dir;
      this.logs = undefined;
      process.stderr.write(
        `tutti: cannot write the step logs in '${dir}' (${e instanceof Error ? e.message : String(e)}); they are not kept\n`,
      );
    }
  }

  /**
   * Takes a (masked) log record; returns true when it was a step's (shown by the view and
   * written to the step's file), false when the caller prints it as usual.
   */
  log(time: Date, level: string, label: string, message: string): boolean {
    const board = this.board;
    if (board === undefined || !board.has(label)) return false;
    this.files((l) => l.write(label, `[${time.toISOString()}] ${level}: ${message}`));
    board.line(label, message, level);
    // Without a view (`--progress off`) the line is printed as usual too.
    return this.view !== undefined;
  }

  /** Whether a live view shows the run (not with `--progress off`). */
  get viewing(): boolean {
    return this.view !== undefined;
  }

  /** Prints a line that is no step's while the view runs (keeps a TTY board below it). */
  print(text: string): void {
    this.view?.print(text);
  }

  /**
   * Ends the view, prints the summary, closes the step files and writes the report.
   * `interrupted` when a signal stopped the run.
   */
  finish(ok: boolean, interrupted = false): void {
    const board = this.board;
    if (board === undefined) {
      if (this.o.report !== undefined) this.writeReport(new ProgressBoard(), ok);
      return;
    }
    this.view?.close();
    this.files((l) => l.close());
    if (this.o.progress !== 'off') {
      const dir = this.logs !== undefined && [...this.logs.entries()].length > 0 ? `Step logs: ${this.logs.dir}\n` : '';
      const summary = renderSummary(board, {
        color: this.o.color,
        logFile: (n) => this.logs?.pathOf(n),
        ...(interrupted ? { headline: 'Interrupted' } : {}),
      });
      const text = summary + dir;
      process.stdout.write(this.o.masker.mask(text));
    }
    if (this.o.report !== undefined) this.writeReport(board, ok);
  }

  private writeReport(board: ProgressBoard, ok: boolean): void {
    const path = this.o.report as string;
    writeReport(
      path,
      buildReport(board, { name: this.o.program, ok, logFile: (n) => this.logs?.pathOf(n), mask: (t) => this.o.masker.mask(t) }),
    );
  }

  private start(): void {
    this.o.flush();
    this.board = new ProgressBoard();
    const dir = stepLogsDir(this.o, this.started);
    this.logs = new StepLogFiles(dir, (e) => {
      this.logs = undefined;
      process.stderr.write(
        `tutti: cannot write the step logs in '${dir}' (${e instanceof Error ? e.message : String(e)}); they are not kept\n`,
      );
    });
    if (this.o.progress === 'off') return;
    const mode: ViewMode = this.o.progress === 'auto' ? chooseViewMode(process.stdout) : this.o.progress;
    this.view = new LiveView(this.board, {
      out: process.stdout,
      mode,
      color: this.o.color,
      mask: (t) => this.o.masker.mask(t),
    });
  }
}
