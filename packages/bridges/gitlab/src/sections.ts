/**
 * GitLab's collapsible log sections: `\e[0Ksection_start:<unix time>:<name>[collapsed=true]\r\e[0K<header>`
 * and `\e[0Ksection_end:<unix time>:<name>\r\e[0K`. The runner writes them around its phases
 * (`step_script`, `after_script`, …) and scripts may write their own; the live output shows the
 * header in their place and the report lists each section with its duration.
 */

export type SectionMark =
  | { kind: 'start'; name: string; time: number; header: string; collapsed: boolean; rest: string }
  | { kind: 'end'; name: string; time: number; rest: string };

// The `\e[0K` prefix is optional: `echo -e` pipelines and some tools drop it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: GitLab's markers are escape sequences
const START = /(?:\x1b\[0K)?section_start:(\d+):([A-Za-z0-9_.-]+)(\[[^\]]*\])?\r(?:\x1b\[0K)?(.*)$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: GitLab's markers are escape sequences
const END = /(?:\x1b\[0K)?section_end:(\d+):([A-Za-z0-9_.-]+)\r(?:\x1b\[0K)?(.*)$/;

/** The section marker a line holds, if any. */
export function sectionMark(line: string): SectionMark | undefined {
  if (!line.includes('section_')) return undefined;
  const s = START.exec(line);
  if (s !== null)
    return {
      kind: 'start',
      time: Number(s[1]),
      name: s[2] as string,
      collapsed: (s[3] ?? '').includes('collapsed=true'),
      header: stripAnsi(s[4] ?? ''),
      rest: line.slice(0, s.index),
    };
  const e = END.exec(line);
  if (e !== null)
    return { kind: 'end', time: Number(e[1]), name: e[2] as string, rest: (e[3] ?? '') === '' ? line.slice(0, e.index) : (e[3] as string) };
  return undefined;
}

/** The start marker line the runner writes. */
export function sectionStart(name: string, header: string): string {
  return `\x1b[0Ksection_start:${Math.floor(Date.now() / 1000)}:${name}\r\x1b[0K${header}`;
}

/** The end marker line the runner writes. */
export function sectionEnd(name: string): string {
  return `\x1b[0Ksection_end:${Math.floor(Date.now() / 1000)}:${name}\r\x1b[0K`;
}

/** Text without ANSI escape sequences and carriage returns. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r/g, '');
}

/** Sections of a job's log, with durations (seconds, from the markers' times). */
export interface Section {
  readonly name: string;
  readonly header: string;
  readonly seconds: number | undefined;
}

/** Collects sections from lines as they come. */
export class SectionTracker {
  private readonly open = new Map<string, { header: string; time: number }>();
  readonly sections: Section[] = [];

  /** Feeds one line; returns its marker, if any. */
  feed(line: string): SectionMark | undefined {
    const m = sectionMark(line);
    if (m === undefined) return undefined;
    if (m.kind === 'start') this.open.set(m.name, { header: m.header, time: m.time });
    else {
      const o = this.open.get(m.name);
      this.open.delete(m.name);
      this.sections.push({
        name: m.name,
        header: o?.header ?? m.name,
        seconds: o === undefined ? undefined : Math.max(0, m.time - o.time),
      });
    }
    return m;
  }
}
