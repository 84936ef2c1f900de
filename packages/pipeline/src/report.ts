/**
 * Run reports for machines: a JSON summary, or JUnit XML when the file name ends in `.xml`
 * (what CI dashboards read). Both come from the board; hosts add what only they know per
 * step (GitHub outputs and conclusions, a matrix leg) through `extra`.
 *
 * JUnit layout: steps that have no group are test cases of one suite named after the run;
 * a group (a job, a stage) is a suite of its own, and a step whose name is a group is that
 * suite, not a test case. Failed steps carry `<failure>`, skipped and cancelled ones
 * `<skipped>`; the log file is referenced in `<system-out>` as `[[ATTACHMENT|path]]`
 * (the convention Jenkins and GitLab read).
 */
import { writeFileSync } from 'node:fs';
import type { StepState } from '@tutti/core';
import type { ProgressBoard, StepInfo } from './progress.js';

/** One step of a report. Times are ISO 8601; durations milliseconds. */
export interface ReportStep {
  readonly name: string;
  readonly group?: string;
  readonly state: StepState;
  readonly runner?: string;
  readonly detail?: string;
  readonly needs?: readonly string[];
  readonly started?: string;
  readonly ended?: string;
  readonly durationMs: number;
  readonly logFile?: string;
  readonly [extra: string]: unknown;
}

/** The report of a run. */
export interface RunReport {
  readonly tool: 'tutti';
  readonly format: 1;
  /** What ran: a program path, a workflow. */
  readonly name: string;
  readonly ok: boolean;
  readonly started?: string;
  readonly ended?: string;
  readonly durationMs: number;
  readonly counts: Readonly<Record<StepState, number>>;
  readonly criticalPath: { readonly steps: readonly string[]; readonly durationMs: number; readonly inferred: boolean };
  readonly steps: readonly ReportStep[];
  readonly [extra: string]: unknown;
}

/** Options of {@link buildReport}. */
export interface ReportOptions {
  readonly name: string;
  /** The run's outcome (default: no step failed). */
  readonly ok?: boolean;
  readonly logFile?: (name: string) => string | undefined;
  /** More fields for a step (outputs, conclusion…). */
  readonly extra?: (s: StepInfo) => Readonly<Record<string, unknown>> | undefined;
  /** Restricts the critical path to some steps. */
  readonly select?: (s: StepInfo) => boolean;
  /** Applied to every string of the report (secret masking). */
  readonly mask?: (text: string) => string;
}

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/**
 * The report of the board's run.
 *
 * @example
 * writeReport('report.xml', buildReport(board, { name: 'ci.mel' }));
 */
export function buildReport(board: ProgressBoard, o: ReportOptions): RunReport {
  const path = board.criticalPath(o.select);
  const steps = board.steps().map((s): ReportStep => {
    const log = o.logFile?.(s.name);
    const r: Record<string, unknown> = { name: s.name };
    if (s.group !== undefined) r.group = s.group;
    r.state = s.state;
    if (s.runner !== undefined) r.runner = s.runner;
    if (s.detail !== undefined) r.detail = s.detail;
    if (s.needs.length > 0) r.needs = s.needs;
    if (s.startedAt !== undefined) r.started = iso(s.startedAt);
    if (s.endedAt !== undefined) r.ended = iso(s.endedAt);
    r.durationMs = board.duration(s);
    if (log !== undefined) r.logFile = log;
    Object.assign(r, o.extra?.(s));
    return r as ReportStep;
  });
  const started = board.startedAt;
  const report: RunReport = {
    tool: 'tutti',
    format: 1,
    name: o.name,
    ok: o.ok ?? !board.failed,
    ...(started === undefined ? {} : { started: iso(started) as string, ended: iso(started + board.wall()) as string }),
    durationMs: board.wall(),
    counts: { ...board.counts() },
    criticalPath: { steps: path.steps, durationMs: path.duration, inferred: path.inferred },
    steps,
  };
  const mask = o.mask;
  return mask === undefined ? report : (JSON.parse(JSON.stringify(report), (_k, v) => (typeof v === 'string' ? mask(v) : v)) as RunReport);
}

/** Writes `report` to `path`: JUnit XML when it ends in `.xml`, JSON otherwise. */
export function writeReport(path: string, report: RunReport): void {
  writeFileSync(path, path.toLowerCase().endsWith('.xml') ? toJUnit(report) : `${JSON.stringify(report, null, 2)}\n`);
}

/** The report as JUnit XML. */
export function toJUnit(report: RunReport): string {
  const groups = new Set(report.steps.flatMap((s) => (s.group === undefined ? [] : [s.group])));
  const suites = new Map<string, ReportStep[]>();
  const top: ReportStep[] = [];
  for (const s of report.steps) {
    if (s.group !== undefined) {
      const list = suites.get(s.group) ?? [];
      list.push(s);
      suites.set(s.group, list);
    } else if (!groups.has(s.name)) top.push(s);
  }
  const all: [string, ReportStep[], ReportStep | undefined][] = [];
  if (top.length > 0) all.push([report.name, top, undefined]);
  for (const [g, list] of suites) all.push([g, list, report.steps.find((s) => s.name === g && s.group === undefined)]);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const count = (list: readonly ReportStep[], states: readonly StepState[]) => list.filter((s) => states.includes(s.state)).length;
  const total = report.steps.filter((s) => s.group !== undefined || !groups.has(s.name));
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(report.name)}" tests="${total.length}" failures="${count(total, ['failed'])}" skipped="${count(total, ['skipped', 'cancelled'])}" time="${seconds(report.durationMs)}">`,
  ];
  for (const [name, list, own] of all) {
    const time = own?.durationMs ?? list.reduce((t, s) => t + s.durationMs, 0);
    out.push(
      `  <testsuite name="${xml(name)}" tests="${list.length}" failures="${count(list, ['failed'])}" errors="0" skipped="${count(list, ['skipped', 'cancelled'])}" time="${seconds(time)}"${own?.started ? ` timestamp="${own.started}"` : ''}>`,
    );
    for (const s of list) {
      const head = `    <testcase name="${xml(s.name)}" classname="${xml(name)}" time="${seconds(s.durationMs)}"`;
      const body: string[] = [];
      if (s.state === 'failed') body.push(`      <failure message="${xml(s.detail ?? 'failed')}" type="failed"/>`);
      else if (s.state === 'skipped' || s.state === 'cancelled') body.push(`      <skipped message="${xml(s.detail ?? s.state)}"/>`);
      else if (s.state !== 'passed') body.push(`      <error message="${xml(`unfinished: ${s.state}`)}" type="${s.state}"/>`);
      if (s.logFile !== undefined) body.push(`      <system-out>${xml(`[[ATTACHMENT|${s.logFile}]]`)}</system-out>`);
      out.push(body.length === 0 ? `${head}/>` : `${head}>\n${body.join('\n')}\n    </testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold. */
function xml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
      .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/\n/g, '&#10;')
  );
}
