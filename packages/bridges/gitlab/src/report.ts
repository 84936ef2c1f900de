/**
 * `--report FILE`: the run as JSON (each job — parallel legs named as GitLab names them — with
 * its status, exit code, duration, attempts, log file, sections and artifacts; the pipeline's
 * status, wall time, the scheduler's span of the jobs (`graphMs`) and critical path), or as JUnit XML when FILE ends in `.xml` (one test case
 * per job, its stage as class name), for CI dashboards.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunResult } from './run.js';

export function reportJson(file: string, result: RunResult): object {
  return {
    file,
    status: result.ok ? 'success' : 'failed',
    durationMs: Math.round(result.wallMs),
    graphMs: Math.round(result.graphMs),
    criticalPath: { jobs: result.criticalPath.ids, ms: Math.round(result.criticalPath.ms) },
    jobs: result.jobs.map((j) => ({
      name: j.name,
      stage: j.stage,
      status: j.status,
      allowFailure: j.allowFailure,
      exitCode: j.exitCode ?? null,
      reason: j.reason ?? null,
      startedAtMs: j.startedAt === undefined ? null : Math.round(j.startedAt),
      durationMs: Math.round(j.durationMs),
      attempts: j.attempts,
      log: j.logFile ?? null,
      sections: j.sections.map((s) => ({ name: s.name, header: s.header, seconds: s.seconds ?? null })),
      artifacts: j.artifacts,
    })),
  };
}

const xml = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

export function reportJunit(file: string, result: RunResult): string {
  const failures = result.jobs.filter((j) => j.status === 'failed').length;
  const skipped = result.jobs.filter((j) => j.status === 'skipped' || j.status === 'manual' || j.status === 'canceled').length;
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<testsuites name="${xml(file)}" tests="${result.jobs.length}" failures="${failures}" skipped="${skipped}" time="${(result.wallMs / 1000).toFixed(3)}">\n`;
  out += `  <testsuite name="${xml(file)}" tests="${result.jobs.length}" failures="${failures}" skipped="${skipped}" time="${(result.wallMs / 1000).toFixed(3)}">\n`;
  for (const j of result.jobs) {
    out += `    <testcase classname="${xml(j.stage)}" name="${xml(j.name)}" time="${(j.durationMs / 1000).toFixed(3)}"`;
    if (j.status === 'success') out += ' />\n';
    else {
      out += '>\n';
      if (j.status === 'failed') out += `      <failure message="${xml(j.reason ?? 'failed')}" />\n`;
      else if (j.status === 'warning') out += `      <system-out>${xml(`failed, allowed to fail: ${j.reason ?? ''}`)}</system-out>\n`;
      else out += `      <skipped message="${xml(`${j.status}${j.reason === undefined ? '' : `: ${j.reason}`}`)}" />\n`;
      if (j.logFile !== undefined) out += `      <system-out>[[ATTACHMENT|${xml(j.logFile)}]]</system-out>\n`;
      out += '    </testcase>\n';
    }
  }
  out += '  </testsuite>\n</testsuites>\n';
  return out;
}

/** Writes the report (JSON, or JUnit XML for a `.xml` name); missing folders are created. */
/** Writes the report (JUnit XML for a `.xml` path); `mask` hides masked variables' values. */
export function writeReport(path: string, file: string, result: RunResult, mask: (text: string) => string = (t) => t): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, mask(path.endsWith('.xml') ? reportJunit(file, result) : `${JSON.stringify(reportJson(file, result), null, 2)}\n`));
}
