/**
 * `tutti new` as a library function: writes a new project from a template. `raw` is the
 * smallest project that runs; `cicd` is a pipeline for the project's own repository
 * (checkout → install → build, lint and test in parallel → package, the build's artifact
 * streamed into the package step on a second runner) that runs on this machine out of the
 * box and in containers with `--location compose`. The templates are text here, not files
 * shipped beside the code, so that the bundle carries them (tests check and run both).
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BUNDLED, BUNDLED_LEGACY } from './bundled.js';

/** The templates of {@link newProject}. */
export const TEMPLATES = ['raw', 'cicd'] as const;
export type Template = (typeof TEMPLATES)[number];

/** A request `tutti new` cannot serve (bad name, folder in the way): exit status 2. */
export class NewProjectError extends Error {}

/** Options of {@link newProject}. */
export interface NewProjectOptions {
  /** Default `raw`. */
  readonly template?: Template;
  /** The package name (default: the folder's name). */
  readonly name?: string;
}

/** What {@link newProject} wrote. */
export interface NewProject {
  readonly dir: string;
  readonly name: string;
  /** Paths relative to `dir`, in writing order. */
  readonly files: readonly string[];
}

const RESERVED = new Set(['root', 'local', ...BUNDLED.map((p) => p.name), ...BUNDLED_LEGACY.map((p) => p.name)]);

/** Why `name` cannot name a package, or undefined when it can. */
export function invalidProjectName(name: string): string | undefined {
  if (!/^[a-z][a-z0-9_]*$/.test(name))
    return `'${name}' is not a valid package name: use lowercase letters, digits and '_', starting with a letter (snake_case)`;
  if (name.length > 64) return `'${name}' is too long for a package name (64 characters at most)`;
  if (RESERVED.has(name))
    return `'${name}' cannot name a project: it is ${name === 'root' || name === 'local' ? 'a reserved word of use paths' : 'the name of a bundled package'}`;
  return undefined;
}

/**
 * Creates the project `dir` from `template`. Refuses (NewProjectError) an invalid name and
 * a folder that exists and is not empty; creates missing parent folders.
 *
 * @example
 * const p = newProject('shop', { template: 'cicd' });
 * // p.files: ['Compo.toml', 'pipeline.mel', 'app/greet.sh', 'tests/greet_test.sh', 'README.md', '.gitignore']
 */
export function newProject(dir: string, o: NewProjectOptions = {}): NewProject {
  const template = o.template ?? 'raw';
  if (!TEMPLATES.includes(template)) throw new NewProjectError(`unknown template '${template}' (raw or cicd)`);
  const abs = resolve(dir);
  const name = o.name ?? basename(abs);
  const bad = invalidProjectName(name);
  if (bad !== undefined) throw new NewProjectError(o.name === undefined ? `${bad} (the folder's name; give another with --name)` : bad);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new NewProjectError(`'${dir}' exists and is not a folder`);
    if (readdirSync(abs).length > 0) throw new NewProjectError(`'${dir}' exists and is not empty; nothing was written`);
  }
  const files = template === 'raw' ? rawTemplate(name) : cicdTemplate(name);
  mkdirSync(abs, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(abs, path, '..'), { recursive: true });
    writeFileSync(join(abs, path), text, path.endsWith('.sh') ? { mode: 0o755 } : {});
  }
  return { dir: abs, name, files: Object.keys(files) };
}

function rawTemplate(name: string): Record<string, string> {
  return {
    'Compo.toml': `name = "${name}"
version = "0.1.0"

[dependencies]
std = "0.10.2"

[entrypoints]
main = "${name}/main::main"
`,
    'main.mel': `use std/engine/log::logInfo
use std/engine/util::startup
use std/flow::emit

/**
Says hello to \`who\`: \`tutti run . --who Ada\`.
*/
treatment main(var who: string = "world")
{
    startup()
    emit<string>(value = who)
    logInfo(label = "hello")

    startup.trigger -> emit.trigger,emit -> logInfo.message
}
`,
    'README.md': `# ${name}

A Mélodium project. Run it with \`tutti run .\` (or \`tutti run . --who Ada\`), check it with
\`tutti check --all .\`.
`,
  };
}

function cicdTemplate(name: string): Record<string, string> {
  return {
    'Compo.toml': `name = "${name}"
version = "0.1.0"

[dependencies]
std = "0.10.2"
fs = "0.10.2"
process = "0.10.2"
work = "0.10.2"
cicd = "0.10.2"

[entrypoints]
main = "${name}/pipeline::main"
`,
    'pipeline.mel': PIPELINE,
    'app/greet.sh': `#!/bin/sh
# The application this pipeline builds: greets whoever is named (default: world).
echo "hello, \${1:-world}"
`,
    'tests/greet_test.sh': `#!/bin/sh
# The tests of app/greet.sh, run by the pipeline's test step from the source folder.
set -e
test "$(sh app/greet.sh)" = "hello, world"
test "$(sh app/greet.sh Ada)" = "hello, Ada"
echo "2 tests passed"
`,
    'README.md': `# ${name}

A Mélodium project whose pipeline (\`pipeline.mel\`) builds, lints, tests and packages
\`app/\`. From this folder:

\`\`\`sh
tutti run .                          # runners are processes on this machine
tutti run . --location compose       # runners are containers (podman or docker)
\`\`\`

The pipeline takes the committed files of the git repository (\`git archive HEAD\`; the
working tree when there is no commit yet) and streams them to a runner, which installs
them, then builds, lints and tests in parallel. The build's artifact is streamed to a second
runner, which packages it; the package lands in \`dist/\`. Step logs are printed as they
come, one label per step.
`,
    '.gitignore': 'dist/\nlogs/\n.tutti/\n',
  };
}

const PIPELINE = `use cicd/naive::localStep
use cicd/runners::CicdDispatchEngine
use cicd/runners::CicdRunnerEngine
use cicd/runners::setupRunner
use cicd/runners::stopRunner
use cicd/steps::stepOn
use cicd/steps::stepOnWithInput
use fs/local::readLocal
use fs/local::writeLocal
use process/command::|raw_commands
use std/data/string_map::StringMap
use std/data/string_map::|entry
use std/data/string_map::|map
use std/engine/log::logErrorMessage
use std/engine/log::logInfoMessage
use std/engine/util::startup
use std/flow::one
use std/flow::waitBlock
use std/ops::|condition
use std/ops::|equal
use std/ops/option::|wrap
use std/text/compose::|format
use work/resources::|container
use work/resources::|mount
use work/resources::|volume
use work/resources/arch::|amd64

/**
The pipeline of this repository: checkout → install → build, lint and test in parallel →
package.

\`checkout\` archives the repository here (\`git archive HEAD\`, or the working tree before
the first commit) into \`dist/source.tar.gz\`, which is streamed to the runner \`ci\`.
\`install\` unpacks it in the runner's volume; \`build\`, \`lint\` and \`test\` then run at
once. The build's artifact is streamed to the runner \`release\` (set up at the start, while
the others work), where \`package\` adds its checksum; the package is written to \`output\`.

\`location\`: \`"local"\` (runners are worker processes on this machine, volumes are
folders) or \`"compose"\` (containers from \`image\`, with podman or docker).
*/
treatment main(const location: string = "local", const image: string = "localhost/debian:bookworm",
    var repository: string = ".", var output: string = "dist/package.tar.gz")
  model dispatcher: CicdDispatchEngine(location = location)
  model ci: CicdRunnerEngine()
  model release: CicdRunnerEngine()
{
    startup()

    checkout: localStep(name = "checkout", variables = |wrap<StringMap>(|map([|entry("REPOSITORY", repository)])),
        commands = |raw_commands(["sh -c 'cd \\"$REPOSITORY\\" && mkdir -p dist && if git rev-parse -q --verify HEAD >/dev/null 2>&1; then git archive --format=tar.gz -o dist/source.tar.gz HEAD; else tar --exclude=./.git --exclude=./.tutti --exclude=./dist --exclude=./logs -czf dist/source.tar.gz .; fi'"]))
    source: readLocal(path = |format("{repository}/dist/source.tar.gz", |map([|entry("repository", repository)])))

    setupCi: setupRunner[dispatcher = dispatcher, runner = ci](name = "ci", cpu = 100, memory = 100, storage = 200,
        volumes = [|volume("workspace", 200)],
        containers = [|container("ci", 512, 1000, 500, |amd64(), [|mount("workspace", "/mnt/workspace")], image, _)])
    setupRelease: setupRunner[dispatcher = dispatcher, runner = release](name = "release", cpu = 100, memory = 100,
        storage = 100, volumes = [|volume("workspace", 100)],
        containers = [|container("release", 256, 500, 200, |amd64(), [|mount("workspace", "/mnt/workspace")], image, _)])

    install: stepOnWithInput[runner = ci](name = "install", executor_name = |condition<Option<string>>(|equal<string>(location, "local"), _, |wrap<string>("ci")),
        in_filesystem = |wrap<string>("workspace"), in_file = |wrap<string>("source.tar.gz"),
        commands = |raw_commands([|format("sh -c 'cd {w} && mkdir -p src && tar -xzf source.tar.gz -C src && echo installed $(find src -type f | wc -l) files'", |map([|entry("w", |condition<string>(|equal<string>(location, "local"), "\\"$MELODIUM_RUN_VOLUME_workspace\\"", "/mnt/workspace"))]))]))
    build: stepOn[runner = ci](name = "build", executor_name = |condition<Option<string>>(|equal<string>(location, "local"), _, |wrap<string>("ci")),
        commands = |raw_commands([|format("sh -c 'cd {w}/src && tar -czf ../app.tar.gz app && echo built app.tar.gz'", |map([|entry("w", |condition<string>(|equal<string>(location, "local"), "\\"$MELODIUM_RUN_VOLUME_workspace\\"", "/mnt/workspace"))]))]),
        out_filesystem = |wrap<string>("workspace"), out_file = |wrap<string>("app.tar.gz"))
    lint: stepOn[runner = ci](name = "lint", executor_name = |condition<Option<string>>(|equal<string>(location, "local"), _, |wrap<string>("ci")),
        commands = |raw_commands([|format("sh -c 'cd {w}/src && for f in app/*.sh tests/*.sh; do sh -n \\"$f\\" || exit 1; done && echo scripts are well formed'", |map([|entry("w", |condition<string>(|equal<string>(location, "local"), "\\"$MELODIUM_RUN_VOLUME_workspace\\"", "/mnt/workspace"))]))]))
    test: stepOn[runner = ci](name = "test", executor_name = |condition<Option<string>>(|equal<string>(location, "local"), _, |wrap<string>("ci")),
        commands = |raw_commands([|format("sh -c 'cd {w}/src && sh tests/greet_test.sh'", |map([|entry("w", |condition<string>(|equal<string>(location, "local"), "\\"$MELODIUM_RUN_VOLUME_workspace\\"", "/mnt/workspace"))]))]))
    package: stepOnWithInput[runner = release](name = "package", executor_name = |condition<Option<string>>(|equal<string>(location, "local"), _, |wrap<string>("release")),
        in_filesystem = |wrap<string>("workspace"), in_file = |wrap<string>("app.tar.gz"),
        commands = |raw_commands([|format("sh -c 'cd {w} && sha256sum app.tar.gz > app.tar.gz.sha256 && tar -czf package.tar.gz app.tar.gz app.tar.gz.sha256 && cat app.tar.gz.sha256'", |map([|entry("w", |condition<string>(|equal<string>(location, "local"), "\\"$MELODIUM_RUN_VOLUME_workspace\\"", "/mnt/workspace"))]))]),
        out_filesystem = |wrap<string>("workspace"), out_file = |wrap<string>("package.tar.gz"))
    keep: writeLocal(path = output)

    startup.trigger -> checkout.trigger
    startup.trigger -> setupCi.trigger
    startup.trigger -> setupRelease.trigger
    checkout.success -> source.trigger
    source.data -> install.data
    setupCi.ready -> install.trigger
    install.success -> build.trigger
    install.success -> lint.trigger
    install.success -> test.trigger

    buildAndLint: waitBlock<void>()
    allPassed: waitBlock<void>()
    readyToPackage: waitBlock<void>()
    build.success -> buildAndLint.a
    lint.success -> buildAndLint.b,awaited -> allPassed.a
    test.success -> allPassed.b,awaited -> readyToPackage.a
    setupRelease.ready -> readyToPackage.b,awaited -> package.trigger
    build.data -> package.data
    package.data -> keep.data

    ciDone: waitBlock<void>()
    ciAllDone: waitBlock<void>()
    stopCi: stopRunner[runner = ci]()
    stopRelease: stopRunner[runner = release]()
    build.finished -> ciDone.a
    lint.finished -> ciDone.b,awaited -> ciAllDone.a
    test.finished -> ciAllDone.b,awaited -> stopCi.trigger
    package.finished -> stopRelease.trigger

    packaged: logInfoMessage(label = "pipeline", message = "passed: the package is written")
    failed: logErrorMessage(label = "pipeline", message = "failed")
    installOrBuild: one<void>()
    orLint: one<void>()
    orTest: one<void>()
    orPackage: one<void>()
    install.failed -> installOrBuild.a
    build.failed -> installOrBuild.b,value -> orLint.a
    lint.failed -> orLint.b,value -> orTest.a
    test.failed -> orTest.b,value -> orPackage.a
    package.failed -> orPackage.b,value -> failed.trigger
    keep.completed -> packaged.trigger
}
`;
