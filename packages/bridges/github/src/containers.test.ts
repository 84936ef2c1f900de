// container: and services: through the real container engine (podman here; docker works the
// same), on the base image scripts/container-image.mjs builds and caches.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { githubRun } from './run.js';

const FIXTURE = fileURLToPath(new URL('../test/containers', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let dir = '';

before(async () => {
  // the engine's environment (podman needs flags on these machines), as .ci/run sets it
  if (process.env.TUTTI_CONTAINER_ENGINE === undefined) {
    const out = execFileSync(process.execPath, [join(ROOT, 'scripts/container-image.mjs')], { encoding: 'utf8' });
    for (const m of out.matchAll(/^export (\w+)='(.*)'$/gm)) process.env[m[1]!] = m[2]!;
  }
  dir = await mkdtemp(join(tmpdir(), 'tutti-gh-containers-'));
  await mkdir(join(dir, '.github/workflows'), { recursive: true });
  const wf = (await readFile(join(FIXTURE, 'containers.yml'), 'utf8')).replaceAll('@SVC@', join(FIXTURE, 'svc'));
  await writeFile(join(dir, '.github/workflows/c.yml'), wf);
  await cp(join(FIXTURE, 'dock'), join(dir, '.github/actions/dock'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const engine = () => process.env.TUTTI_CONTAINER_ENGINE ?? 'podman';
const leftovers = () => {
  const args = (process.env.TUTTI_CONTAINER_ENGINE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const ps = execFileSync(engine(), [...args, 'ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' });
  const nets = execFileSync(engine(), [...args, 'network', 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' });
  return [...ps.split('\n'), ...nets.split('\n')].filter((n) => n.startsWith('tutti-gh-'));
};

test('container: and services: (by name in the job network, by published port on the host), -P LABEL=IMAGE; nothing left behind', async () => {
  const before = leftovers();
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => {
    text += c;
  });
  const prev = process.env.HOST_ONLY;
  process.env.HOST_ONLY = 'from-host';
  try {
    const r = await githubRun({
      cwd: dir,
      event: 'push',
      secrets: {},
      env: {},
      vars: {},
      inputs: {},
      platforms: { 'self-hosted-debian': 'localhost/debian:bookworm' },
      cacheDir: join(dir, '.cache'),
      progress: 'plain',
      out,
    });
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
    ])
      assert.ok(text.includes(line), `missing ${line}\n${text}`);
    assert.equal(r.report!.jobs.find((j) => j.job === 'in-container')!.outputs.reply, 'pong from pinger');
  } finally {
    if (prev === undefined) delete process.env.HOST_ONLY;
    else process.env.HOST_ONLY = prev;
  }
  assert.deepEqual(leftovers(), before);
});
