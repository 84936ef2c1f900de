/**
 * The header of a standalone script (docs/language.md#the-header-of-a-script): `#! name = …`, `#! version = …`
 * and `#! require = pkg:req …` lines at the top of the file, with lenient spacing (as the
 * reference accepts).
 */
import type { DiagnosticSink, SourceFile, Span } from '@tutti/core';
import { isVersion, parseRequirement, type Requirement } from './requirement.js';

/** A dependency declared by a header or manifest. */
export interface Dependency {
  readonly name: string;
  readonly requirement: Requirement;
  /** Where it is written (header line), if anywhere. */
  readonly span?: Span;
  /**
   * A native package to load for it (Compo.toml only): a module path relative to the
   * manifest, or an npm package resolved from the project folder.
   */
  readonly native?: { readonly kind: 'module' | 'npm'; readonly spec: string };
}

/** What a header declares; `name` is undefined when missing or invalid. */
export interface Header {
  readonly name: string | undefined;
  readonly version: string;
  readonly dependencies: readonly Dependency[];
  /** Span of the first line (location of header-wide problems). */
  readonly span: Span;
}

const NAME = /^[\p{Alphabetic}\p{M}\p{Pc}\p{Join_Control}][\p{Alphabetic}\p{M}\p{Pc}\p{Join_Control}\p{Nd}]*$/u;

/** Reads the header of `file`, reporting E_HEADER problems into `sink`. */
export function parseHeader(file: SourceFile, sink: DiagnosticSink): Header {
  const text = file.text;
  let name: string | undefined;
  let nameSeen = false;
  let version: string | undefined;
  const dependencies: Dependency[] = [];
  let offset = 0;
  const firstLine = file.span(0, Math.max(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')));
  while (offset <= text.length) {
    let end = text.indexOf('\n', offset);
    if (end === -1) end = text.length;
    const line = text.slice(offset, end).replace(/\r$/, '');
    const span = file.span(offset, offset + line.length);
    if (!line.startsWith('#!')) break;
    if (!line.startsWith('#!/')) {
      const m = /^#![ \t]*([A-Za-z_]+)[ \t]*=[ \t]*(.*?)[ \t]*$/.exec(line);
      if (m) {
        const [, key, value] = m as unknown as [string, string, string];
        if (key === 'name') {
          if (nameSeen) sink.report('E_HEADER', span, "'#! name' is given more than once");
          else if (!NAME.test(value))
            sink.report('E_HEADER', span, `'${value}' is not a valid package name (letters, digits and _, not starting with a digit)`);
          else if (value === 'root' || value === 'local') sink.report('E_HEADER', span, `'${value}' is reserved and cannot name a package`);
          else name = value;
          nameSeen = true;
        } else if (key === 'version') {
          if (version !== undefined) sink.report('E_HEADER', span, "'#! version' is given more than once");
          else if (!isVersion(value)) sink.report('E_HEADER', span, `'${value}' is not a SemVer version (MAJOR.MINOR.PATCH)`);
          version = value;
        } else if (key === 'require') {
          for (const item of value.split(/[ \t]+/).filter((s) => s !== '')) {
            const parts = item.split(':');
            if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
              sink.report('E_HEADER', span, `'${item}' is not a requirement: write package:version, e.g. std:0.10.2`);
              continue;
            }
            const req = parseRequirement(parts[1] as string);
            if ('error' in req) sink.report('E_HEADER', span, `invalid version requirement for '${parts[0]}': ${req.error}`);
            else dependencies.push({ name: parts[0] as string, requirement: req, span });
          }
        }
      }
    }
    offset = end + 1;
  }
  if (!nameSeen)
    sink.report('E_HEADER', firstLine, "the script has no '#! name = …' header line", {
      hint: 'a standalone script starts with lines such as:\n#!/usr/bin/env melodium\n#! name = my_program\n#! version = 0.1.0\n#! require = std:0.10.2',
    });
  return { name, version: version !== undefined && isVersion(version) ? version : '0.1.0', dependencies, span: firstLine };
}
