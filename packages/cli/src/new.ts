/**
 * `tutti new <folder> [--template raw|cicd] [--name NAME]`: the project comes from the
 * driver's `newProject`; this turns it into a command line. A bad name or a folder in the
 * way is a usage error (status 2), nothing written.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { NewProjectError, newProject, TEMPLATES, type Template } from '@tutti/driver';

export const NEW_HELP = `tutti new — start a project

Usage:
  tutti new <folder> [--template raw|cicd] [--name NAME]

Creates <folder> (it may exist if it is empty) with a Compo.toml and its .mel files. The
package is named after the folder unless --name says otherwise: lowercase letters, digits
and '_', starting with a letter, not the name of a bundled package.

Templates:
  raw    (default) the smallest project that runs: 'tutti run <folder> --who Ada'
  cicd   a pipeline for the project's own git repository: checkout → install → build, lint
         and test in parallel → package (the build's artifact streamed to a second runner),
         on this machine out of the box ('tutti run .' from the folder), or in containers
         with podman or docker ('tutti run . --location compose')

Examples:
  tutti new hello
  tutti new shop --template cicd && cd shop && git init && git add -A && git commit -m start && tutti run .
`;

/** Runs `tutti new …`; `usage` builds the CLI's usage error (exit 2). Returns the status. */
export function commandNew(args: readonly string[], usage: (message: string) => Error): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { template: { type: 'string', short: 't' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(NEW_HELP);
    return 0;
  }
  const [folder, ...extra] = positionals;
  if (folder === undefined) throw usage('new needs a folder: tutti new <folder> [--template raw|cicd]');
  if (extra.length > 0) throw usage(`unexpected argument '${extra[0]}'`);
  const template = values.template ?? 'raw';
  if (!(TEMPLATES as readonly string[]).includes(template)) throw usage(`unknown template '${template}' (raw or cicd)`);
  try {
    const p = newProject(folder, { template: template as Template, ...(values.name === undefined ? {} : { name: values.name }) });
    const shown = relative(process.cwd(), p.dir) || '.';
    process.stderr.write(`new: ${template} project '${p.name}' in ${shown}/ (${p.files.join(', ')})\n`);
    process.stderr.write(
      template === 'raw'
        ? `run it: tutti run ${shown}\n`
        : `run its pipeline: cd ${shown} && tutti run .   (in containers: tutti run . --location compose)\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof NewProjectError) throw usage(`new: ${e.message}`);
    throw e;
  }
}
