/**
 * `tutti jeu build DIR OUTPUT` and `tutti jeu extract FILE.jeu DIR` (docs/cli.md#tutti-jeu):
 * the archive work is the loader's (`@tutti/loader`: readJeu, buildJeu, extractJeu);
 * this turns it into a command line. Problems with the archive or the folders are usage
 * errors (status 2); an invalid Compo.toml is reported like `check` reports it (status 1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DiagnosticSink } from '@tutti/core';
import { buildJeu, extractJeu, JeuError, parseManifest, projectEntries } from '@tutti/loader';

export const JEU_HELP = `tutti jeu — ship a project as one file (.jeu archive: header + bzip2-compressed tar)

Usage:
  tutti jeu build <project_dir> <output>     archive Compo.toml and every .mel file of the project
                                             (names starting with '.' skipped); the output's
                                             extension becomes .jeu (added, or replacing another)
  tutti jeu extract <file.jeu> <output_dir>  unpack into <output_dir>/<file stem>/ (folders created)

An archive runs and checks like the project it holds: 'tutti run shop.jeu [command] [--param v]',
'tutti check shop.jeu', and '--path shop.jeu' offers its package to other programs.

Examples:
  tutti jeu build ./shop dist/shop           writes dist/shop.jeu
  tutti run dist/shop.jeu audit --since 2024-01-01
  tutti jeu extract dist/shop.jeu /tmp/x     writes /tmp/x/shop/Compo.toml, /tmp/x/shop/main.mel, …

Archives are read in memory and refused (exit 2) when corrupt or truncated, larger than
64 MiB (also once uncompressed), with more than 10000 entries, with links or special files,
with names leaving the folder ('..', absolute), or when their first entry is not Compo.toml.
`;

/** `.jeu` in place of the output's extension (added if absent, replacing any other). */
export function jeuOutputPath(output: string): string {
  const ext = extname(basename(output));
  return ext === '' ? `${output}.jeu` : `${output.slice(0, -ext.length)}.jeu`;
}

/**
 * Runs `tutti jeu …`; `usage` builds the CLI's usage error (exit 2). Returns the status.
 */
export async function commandJeu(args: readonly string[], usage: (message: string) => Error): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(JEU_HELP);
    return 0;
  }
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  try {
    if (sub === 'build') {
      const [dir, output, ...extra] = positionals;
      if (dir === undefined || output === undefined)
        throw usage('jeu build needs a project folder and an output: tutti jeu build <project_dir> <output>');
      if (extra.length > 0) throw usage(`unexpected argument '${extra[0]}'`);
      const entries = projectEntries(dir);
      const manifest = join(dir, 'Compo.toml');
      const sink = new DiagnosticSink();
      parseManifest(new TextDecoder().decode((entries[0] as { data: Uint8Array }).data), manifest, sink);
      if (sink.hasErrors) {
        for (const d of sink.items) process.stderr.write(`${manifest}: ${d.code}: ${d.message}\n`);
        process.stderr.write(`jeu build: ${manifest} is invalid; nothing was written\n`);
        return 1;
      }
      const bytes = await buildJeu(entries);
      const out = jeuOutputPath(output);
      try {
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, bytes);
      } catch (e) {
        throw usage(`cannot write ${out}: ${(e as Error).message}`);
      }
      process.stderr.write(`jeu build: ${out} (${entries.length} files, ${bytes.length} bytes)\n`);
      return 0;
    }
    if (sub === 'extract') {
      const [file, dir, ...extra] = positionals;
      if (file === undefined || dir === undefined)
        throw usage('jeu extract needs an archive and a folder: tutti jeu extract <file.jeu> <output_dir>');
      if (extra.length > 0) throw usage(`unexpected argument '${extra[0]}'`);
      const target = await extractJeu(file, dir);
      process.stderr.write(`jeu extract: ${target}\n`);
      return 0;
    }
    throw usage(
      sub === undefined
        ? "jeu needs a subcommand: 'build' or 'extract' (tutti jeu --help)"
        : `unknown jeu subcommand '${sub}' (build or extract)`,
    );
  } catch (e) {
    if (e instanceof JeuError) throw usage(`jeu ${sub}: ${e.message}`);
    throw e;
  }
}
