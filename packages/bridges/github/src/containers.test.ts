// container: and services: through the real container engine (podman here; docker works the
// same), on the base image scripts/container-image.mjs builds and caches.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { containerLeftovers, runCaptured, useContainerEngine } from '../test/support.js';

const FIXTURE = fileURLToPath(new URL('../test/containers', import.meta.url));
let dir = '';

before(async () => {
  useContainerEngine();
  dir = await mkdtemp(join(tmpdir(), 'tutti-gh-containers-'));
  await mkdir(join(dir, '.github/workflows'), { recursive: true });
  const wf = (await readFile(join(FIXTURE, 'containers.yml'), 'utf8')).replaceAll('@SVC@', join(FIXTURE, 'svc'));
  await writeFile(join(dir, '.github/workflows/c.yml'), wf);
  await cp(join(FIXTURE, 'dock'), join(dir, '.github/actions/dock'), { recursive: true });
  await cp(join(FIXTURE, 'jsaction'), join(dir, '.github/actions/js'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const engine = () => process.env.TUTTI_CONTAINER_ENGINE ?? 'podman';
const leftovers = containerLeftovers;

test('container: and services: (by name in the job network, by published port on the host), -P LABEL=IMAGE; nothing left behind', async () => {
  const before = leftovers();
  const prev = process.env.HOST_ONLY;
  process.env.HOST_ONLY = 'from-host';
  try {
    const r = await runCaptured({
      cwd: dir,
      platforms: { 'self-hosted-debian': 'localhost/debian:bookworm' },
      cacheDir: join(dir, '.cache'),
    });
    const text = r.text;
    assert.equal(r.status, 0, text);
    for (const line of [
      '│ debian 12 env=yes host-only=unset container=true',
      '│ got: pong from pinger',
      '│ in-container-tool',
      '│ host got: pong from host-pinger',
      '│ platform image 12',
      '│ from-docker-step in WS',
      '│ dockerfile action says hi to Ada (INPUT_WHO=Ada)',
      '│ outputs d Ada',
      // its container was started while it waited for `waiter`
      '│ Containers started ahead (network tutti-gh-',
      '│ prepared job ran in 12',
      // GitHub's paths in a job container, and a JavaScript action run there by the runner's Node
      '│ workspace at /__w/<repo>/<repo>',
      '│ temp=/__w/_temp home=/github/home event=/github/workflow/event.json',
      '│ event payload readable',
      '│ /__w/_temp/_runner_file_commands/set_output',
      '│ /__w/_temp/_runner_file_commands/set_env',
      '│ /__w/_temp/_runner_file_commands/add_path',
      '│ /__w/_temp/_runner_file_commands/step_summary',
      '│ home is /github/home',
      '│ github.workspace (a host path) is visible too',
      '│ HARD=coded',
      `│ js action: node /__e/node20/bin/node in /__w/${basename(dir)}/${basename(dir)} debian 12 who=Ada`,
      '│ js action files: /__w/_temp/_runner_file_commands/set_output_N home=/github/home',
      "│ js said 'hello Ada'",
      '│ js post: node /__e/node20/bin/node state seen=yes',
    ])
      assert.ok(text.includes(line), `missing ${line}\n${text}`);
    assert.equal(r.report!.jobs.find((j) => j.job === 'in-container')!.outputs.reply, 'pong from pinger');
    assert.equal(r.report!.jobs.find((j) => j.job === 'github-paths')!.outputs.said, 'hello Ada');
  } finally {
    if (prev === undefined) delete process.env.HOST_ONLY;
    else process.env.HOST_ONLY = prev;
  }
  // (only what this run made: an earlier test's watcher may still be removing its own)
  assert.deepEqual(
    leftovers().filter((n) => !before.includes(n)),
    [],
    'no container or network left',
  );
});

test('a JavaScript action in an image without libstdc++: the runner Node starts through the host dynamic loader', async () => {
  const args = (process.env.TUTTI_CONTAINER_ENGINE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const ctx = join(dir, 'nolib-image');
  await mkdir(ctx, { recursive: true });
  await writeFile(join(ctx, 'Dockerfile'), 'FROM localhost/debian:bookworm\nRUN rm -f /usr/lib/*/libstdc++.so.6*\n');
  execFileSync(engine(), [...args, 'build', '-q', '-t', 'localhost/tutti-test-nolibstdcxx', ctx], { stdio: 'ignore' });
  const repo = join(dir, 'nolib');
  await mkdir(join(repo, '.github/workflows'), { recursive: true });
  await cp(join(FIXTURE, 'jsaction'), join(repo, 'js'), { recursive: true });
  await writeFile(
    join(repo, '.github/workflows/n.yml'),
    [
      'on: push',
      'jobs:',
      '  nolib:',
      '    runs-on: ubuntu-latest',
      '    container: localhost/tutti-test-nolibstdcxx',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: ls /usr/lib/*/libstdc++.so.6 || echo "no libstdc++ here"',
      '      - uses: ./js',
      '        with: { who: Bo }',
    ].join('\n'),
  );
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  const r = await runCaptured({ cwd: repo, cacheDir: join(dir, '.cache') });
  const text = r.text;
  assert.equal(r.status, 0, text);
  assert.ok(text.includes('│ no libstdc++ here'), text);
  // started as `ld-linux… --library-path /__e/node20/lib /__e/node20/bin/node`: the loader is the process
  assert.match(text, /│ js action: node \/__e\/node20\/lib\/ld-linux[^ ]* in \/__w\/nolib\/nolib debian 12 who=Bo/);
});
