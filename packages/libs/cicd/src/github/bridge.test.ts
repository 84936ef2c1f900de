import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { TreatmentDescriptor, Value } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { JavaScriptEngine } from '@tutti/lib-javascript';
import { JsonValue } from '@tutti/lib-json';
import { CommandValue } from '@tutti/lib-process';
import { StringMapValue } from '@tutti/lib-std';
import { GithubStepState } from '../step-state.js';
import { githubCommand } from './command.js';
import { githubContexts } from './contexts.js';
import { githubEnvFiles } from './env-files.js';
import { githubResults } from './results.js';
import { githubStatus } from './state.js';

const all = [...githubStatus, ...githubContexts, githubCommand, ...githubEnvFiles, ...githubResults];
const find = (name: string) => all.find((e) => e.kind === 'treatment' && e.name === name) as TreatmentDescriptor;
const json = (text: string) => JsonValue.parse(text) as JsonValue;
const NULL = json('null');

const engines: JavaScriptEngine[] = [];
const cleanup: string[] = [];
after(async () => {
  for (const e of engines) await e.shutdown();
  for (const p of cleanup) await rm(p, { recursive: true, force: true });
});

async function engine(): Promise<JavaScriptEngine> {
  const e = new JavaScriptEngine({ strict: false, recursionLimit: 400, loopIterationLimit: 4294967295 }, '');
  await e.initialize();
  engines.push(e);
  return e;
}

const CONTEXTS = {
  github: {
    sha: 'abc123',
    repository: 'owner/repo',
    workflow: `wf-${randomUUID()}`,
    event: { head_commit: { message: 'fix: "quoted" \\ message' } },
  },
  env: { A: 'a', SHARED: 'global' },
  vars: { FLAVOUR: 'vanilla' },
  job: { status: 'failure' },
  secrets: { GITHUB_TOKEN: 'ghs_token' },
  strategy: { 'job-index': 0 },
  runner: { os: 'Linux' },
};

async function prepared(contexts: object = CONTEXTS): Promise<JavaScriptEngine> {
  const e = await engine();
  const r = await runTreatment(find('prepareContexts'), {
    models: { contexts: e },
    params: { github_contexts: JSON.stringify(contexts) },
    inputs: { trigger: [undefined] },
  });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.outputs.ready, [undefined]);
  return e;
}

async function evalString(e: JavaScriptEngine, value: string, assume = false, local: Value = NULL): Promise<string> {
  const r = await runTreatment(find('githubStringEval'), {
    models: { contexts: e },
    params: { assume, local_context: local },
    inputs: { value: [value] },
  });
  assert.equal(r.error, undefined);
  return r.outputs.evaluated?.[0] as string;
}

describe('expressions: placeholders, `.name` rewriting, the local env, only string results count', () => {
  test('placeholders are replaced by their evaluation; .name is a member access, dashes included', async () => {
    const e = await prepared();
    assert.equal(await evalString(e, 'sha=${{ github.sha }} repo=${{github.repository}}'), 'sha=abc123 repo=owner/repo');
    assert.equal(await evalString(e, '${{ github.event.head_commit.message }}'), 'fix: "quoted" \\ message');
    assert.equal(await evalString(e, 'no placeholder: github.sha'), 'no placeholder: github.sha');
    assert.equal(await evalString(e, '${{ runner.os }}-${{ strategy.job-index }}'), 'Linux-', 'a number gives ""');
  });

  test('assume evaluates a value without placeholder as a whole expression', async () => {
    const e = await prepared();
    assert.equal(await evalString(e, 'github.sha', true), 'abc123');
    assert.equal(await evalString(e, 'github.sha', false), 'github.sha');
    assert.equal(await evalString(e, "'x' + ${{ github.sha }}", true), "'x' + abc123", 'placeholders win over assume');
  });

  test('⚑ non-string results are "": booleans, numbers, null, undefined, objects and exceptions', async () => {
    const e = await prepared();
    assert.equal(
      await evalString(e, '[${{ success() }}][${{ always() }}][${{ 1 + 1 }}][${{ github }}][${{ nothing.here }}]'),
      '[][][][][]',
    );
    assert.equal(await evalString(e, 'success()', true), '');
  });

  test('⚑ job comes from the vars member (job.status defaults to success), and the rewrite hits string literals', async () => {
    const e = await prepared();
    assert.equal(await evalString(e, '${{ job.status }}/${{ job.FLAVOUR }}/${{ vars.status }}'), 'success/vanilla/success');
    assert.equal(await evalString(e, "${{ 'a.b' }}"), 'a["b"]');
  });

  test('env is overlaid with local_context.env and value is local_context', async () => {
    const e = await prepared();
    const local = json('{"env": {"B": "b", "SHARED": "local"}, "name": "ctx"}');
    assert.equal(await evalString(e, '${{ env.A }}-${{ env.B }}-${{ env.SHARED }}-${{ value.name }}', false, local), 'a-b-local-ctx');
    // The overlay is local to the evaluation.
    assert.equal(await evalString(e, '${{ env.SHARED }}-${{ env.B }}'), 'global-');
  });

  test('githubMapEval evaluates every value and keeps the keys', async () => {
    const e = await prepared();
    const r = await runTreatment(find('githubMapEval'), {
      models: { contexts: e },
      params: { assume: true, local_context: json('{"env": {"C": "c"}}') },
      inputs: { map: [StringMapValue.from({ sha: 'github.sha', c: '${{ env.C }}!', plain: '"lit"' })] },
    });
    assert.deepEqual((r.outputs.evaluated?.[0] as StringMapValue).toRecord(), { sha: 'abc123', c: 'c!', plain: 'lit' });
  });
});

describe('contexts', () => {
  test('prepareContexts says when its JSON is invalid or the realm was prepared already, and still emits ready', async () => {
    const e = await engine();
    const prepare = (text: string) =>
      runTreatment(find('prepareContexts'), {
        models: { contexts: e },
        params: { github_contexts: text },
        inputs: { trigger: [undefined] },
      });
    const bad = await prepare('{"github": ');
    assert.deepEqual(bad.outputs.ready, [undefined]);
    assert.deepEqual(bad.logs, [{ level: 'error', label: 'test/prepareContexts', message: "'github_contexts' is not JSON text" }]);
    assert.deepEqual((await prepare('{}')).logs, []);
    const again = await prepare('{}');
    assert.match(again.logs[0]?.message ?? '', /could not be installed \(prepareContexts runs once per engine\)/);
    assert.equal(await evalString(e, '${{ job.status }}'), 'success');
  });

  test('includeNeeds and includeInputs install their values after the trigger', async () => {
    const e = await prepared();
    const needs = await runTreatment(find('includeNeeds'), {
      models: { contexts: e },
      params: { from: 'build' },
      inputs: { trigger: [undefined], needs: [json('{"result": "success", "outputs": {"version": "1.2"}}')] },
    });
    assert.deepEqual(needs.outputs.ready, [undefined]);
    const inputs = await runTreatment(find('includeInputs'), {
      models: { contexts: e },
      inputs: { trigger: [undefined], inputs: [json('{"target": "x86"}')] },
    });
    assert.deepEqual(inputs.outputs.ready, [undefined]);
    assert.equal(
      await evalString(e, '${{ needs.build.result }} ${{ needs.build.outputs.version }} ${{ inputs.target }}'),
      'success 1.2 x86',
    );
    const untriggered = await runTreatment(find('includeInputs'), {
      models: { contexts: e },
      inputs: { trigger: [], inputs: [json('{}')] },
    });
    assert.deepEqual(untriggered.outputs.ready, []);
    assert.equal(await evalString(e, '${{ inputs.target }}'), 'x86');
  });

  test('replicateContextsWithInputs copies github and runner and installs evaluated inputs', async () => {
    const main = await prepared();
    const action = await engine();
    const r = await runTreatment(find('replicateContextsWithInputs'), {
      models: { main_contexts: main, action_contexts: action },
      params: { inputs: StringMapValue.from({ who: 'sha-${{ github.sha }}', literal: 'plain' }) },
      inputs: { trigger: [undefined] },
    });
    assert.deepEqual(r.outputs.ready, [undefined]);
    assert.equal(
      await evalString(action, '${{ inputs.who }}/${{ inputs.literal }}/${{ github.repository }}/${{ runner.os }}'),
      'sha-abc123/plain/owner/repo/Linux',
    );
    assert.equal(await evalString(action, '[${{ env.A }}][${{ secrets.GITHUB_TOKEN }}]'), '[][]', 'other contexts start empty');
    assert.equal(await evalString(action, '${{ job.status }}'), 'success');
  });

  test('postGithubStateContext takes URL and token from the contexts', async () => {
    const seen: { method: string | undefined; url: string | undefined; headers: IncomingHttpHeaders; body: unknown }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(201).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
      const e = await prepared({ ...CONTEXTS, github: { ...CONTEXTS.github, api_url: apiUrl } });
      const r = await runTreatment(find('postGithubStateContext'), {
        models: { contexts: e },
        params: { state: GithubStepState.of('success'), name: 'ci / "build"', description: 'ok', log_response: false },
        inputs: { trigger: [undefined] },
      });
      assert.equal(r.error, undefined);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.method, 'POST');
      assert.equal(seen[0]?.url, '/api/v3/repos/owner/repo/statuses/abc123');
      assert.equal(seen[0]?.headers.authorization, 'Bearer ghs_token');
      assert.equal(seen[0]?.headers['x-github-api-version'], '2022-11-28');
      assert.equal(seen[0]?.headers.accept, 'application/vnd.github+json');
      const body = seen[0]?.body as Record<string, string>;
      assert.equal(body.state, 'success');
      assert.equal(body.context, 'ci / "build"');
      assert.equal(body.description, 'ok');
      assert.match(body.target_url ?? '', /\/execution\/report\/dashboard\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    } finally {
      server.close();
    }
  });
});

describe('githubCommand', () => {
  const command = async (shell: string | null, run: string) => {
    const r = await runTreatment(find('githubCommand'), { inputs: { shell: [shell], run: [run] } });
    assert.equal(r.error, undefined);
    return r.outputs.command as CommandValue[];
  };

  test('each shell of the table gets its script file and command', async () => {
    const run = `echo "${randomUUID()}"`;
    const cases: [string | null, string, (f: string) => string[]][] = [
      ['bash', 'sh', (f) => ['bash', '--noprofile', '--norc', '-xeo', 'pipefail', f]],
      ['sh', 'sh', (f) => ['sh', '-xe', f]],
      ['pwsh', 'ps1', (f) => ['pwsh', '-command', `. '${f}'`]],
      ['powershell', 'ps1', (f) => ['powershell', '-command', `. '${f}'`]],
      ['python', 'py', (f) => ['python', f]],
      ['cmd', 'cmd', (f) => [process.env.ComSpec ?? 'cmd.exe', '/D', '/E:ON', '/V:OFF', '/S', '/C', `"CALL "${f}.cmd""`]],
    ];
    if (process.platform !== 'win32') cases.push([null, 'sh', (f) => ['bash', '-xe', f]]);
    for (const [shell, ext, expected] of cases) {
      const [c, ...rest] = await command(shell, run);
      assert.equal(rest.length, 0);
      assert.ok(c instanceof CommandValue);
      // Any stable hash of the script would do; this one is SHA-256.
      const file = join(tmpdir(), `${createHash('sha256').update(run).digest('hex')}.${ext}`);
      assert.deepEqual([c.command, ...c.arguments], expected(file), String(shell));
      assert.equal(readFileSync(file, 'utf8'), run);
      cleanup.push(file);
    }
  });

  test('steps with the same script never see its file partly written: a shell reading it sees it whole', async () => {
    // The legs of a matrix run the same script at once, and share its file (named by its hash).
    // Written in place, it was truncated under a shell already reading it, which then ran nothing.
    const run = `# ${randomUUID()}\n${'echo "a line of the script"\n'.repeat(20_000)}`;
    const file = join(tmpdir(), `${createHash('sha256').update(run).digest('hex')}.sh`);
    cleanup.push(file);
    await command('bash', run);
    let reads = 0;
    let partial = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = readFileSync(file, 'utf8');
        reads++;
        if (text !== run) partial++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 4 }, () => command('bash', run)));
    writing = false;
    await reader;
    assert.ok(reads > 10, `the reader read (${reads})`);
    assert.equal(partial, 0, `${partial} of ${reads} reads saw the file partly written`);
    assert.deepEqual(
      readdirSync(tmpdir()).filter((f) => f.startsWith(basename(file)) && f !== basename(file)),
      [],
      'no temporary file left',
    );
  });

  test('an unknown shell emits nothing; the bash command runs the script', async () => {
    assert.deepEqual(await command('fish', 'echo hi'), []);
    const marker = randomUUID();
    const [c] = await command('bash', `echo "out-${marker}"\nfalse\necho never`);
    assert.ok(c);
    cleanup.push(c.arguments.at(-1) as string);
    const failure = await promisify(execFile)(c.command, [...c.arguments]).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    assert.equal(failure?.code, 1, 'bash -e stops at the failing line');
    assert.equal(failure?.stdout, `out-${marker}\n`);
    assert.match(failure?.stderr ?? '', /\+ false/, 'bash -x traces');
  });
});

describe('step environment and results (real files)', () => {
  const workflow = `wf-${randomUUID()}`;
  const dir = tmpdir();
  cleanup.push(join(dir, `${workflow}.env`), join(dir, `${workflow}-workspace`));
  for (const s of ['s1', 's2', 's3']) cleanup.push(join(dir, `${workflow}-${s}.output`));

  test('githubGetEnvFiles and githubGetEnv create the files and read GITHUB_ENV entries', async () => {
    const files = await runTreatment(find('githubGetEnvFiles'), { inputs: { workflow_id: [workflow] } });
    const envFile = join(dir, `${workflow}.env`);
    assert.deepEqual(files.outputs.filename, [envFile]);
    assert.equal(readFileSync(envFile, 'utf8'), '');
    await writeFile(envFile, 'FROM_STEP=one\nexport QUOTED="two words"\n# comment\nMULTI="l1\nl2"\n');
    const r = await runTreatment(find('githubGetEnv'), { inputs: { workflow_id: [workflow], step_id: ['s1'] } });
    assert.deepEqual((r.outputs.variables?.[0] as StringMapValue).toRecord(), {
      GITHUB_ENV: envFile,
      GITHUB_OUTPUT: join(dir, `${workflow}-s1.output`),
      GITHUB_WORKSPACE: join(dir, `${workflow}-workspace`),
      FROM_STEP: 'one',
      QUOTED: 'two words',
      MULTI: 'l1\nl2',
    });
    assert.ok(existsSync(join(dir, `${workflow}-s1.output`)));
    assert.ok(statSync(join(dir, `${workflow}-workspace`)).isDirectory());
    assert.equal(readFileSync(envFile, 'utf8').startsWith('FROM_STEP=one'), true, 'an existing file is kept');
  });

  test("githubGetEnv starts the step's GITHUB_OUTPUT empty; a key with a folder (runAction's files) gets it; githubRemoveFiles removes it", async () => {
    await writeFile(join(dir, `${workflow}-s2.output`), 'stale=from an earlier run\n');
    await runTreatment(find('githubGetEnv'), { inputs: { workflow_id: [workflow], step_id: ['s2'] } });
    assert.equal(readFileSync(join(dir, `${workflow}-s2.output`), 'utf8'), '', 'emptied before the step');
    const folder = `tutti-github-${randomUUID()}`;
    cleanup.push(join(dir, folder));
    const r = await runTreatment(find('githubGetEnv'), { inputs: { workflow_id: [`${folder}/job_build1`], step_id: ['say'] } });
    const vars = (r.outputs.variables?.[0] as StringMapValue).toRecord();
    assert.equal(vars.GITHUB_OUTPUT, join(dir, folder, 'job_build1-say.output'));
    assert.equal(vars.GITHUB_ENV, join(dir, folder, 'job_build1.env'));
    assert.ok(existsSync(vars.GITHUB_OUTPUT!));
    const refused = await runTreatment(find('githubRemoveFiles'), { params: { files: '../x' }, inputs: { trigger: [undefined] } });
    assert.match(refused.logs.map((l) => l.message).join('\n'), /not a folder under the temporary directory/);
    await runTreatment(find('githubRemoveFiles'), { params: { files: folder }, inputs: { trigger: [undefined] } });
    assert.equal(existsSync(join(dir, folder)), false);
  });

  const setOutputs = (e: JavaScriptEngine, step: string, continueOnError: boolean, outcome: 'completed' | 'failed' | 'none') =>
    runTreatment(find('githubSetOutputs'), {
      models: { contexts: e },
      inputs: {
        workflow_id: [workflow],
        step_id: [step],
        continue_on_error: [continueOnError],
        spawn_completed: outcome === 'completed' ? [undefined] : [],
        spawn_failed: outcome === 'failed' ? [undefined] : [],
      },
    });

  test('githubSetOutputs records every step (the block fix), its outputs, and the job status', async () => {
    const e = await prepared();
    await writeFile(join(dir, `${workflow}-s1.output`), 'version=1.2.3\nnote="a b"\n');
    const s1 = await setOutputs(e, 's1', false, 'completed');
    assert.deepEqual([s1.outputs.step_completed, s1.outputs.step_failed, s1.outputs.step_continue], [[undefined], [], [undefined]]);
    assert.equal(
      await evalString(
        e,
        '${{ steps.s1.outcome }}/${{ steps.s1.conclusion }}/${{ steps.s1.outputs.version }}/${{ steps.s1.outputs.note }}',
      ),
      'success/success/1.2.3/a b',
    );
    assert.equal(await evalString(e, '${{ job.status }}'), 'success');

    const s2 = await setOutputs(e, 's2', true, 'failed');
    assert.deepEqual([s2.outputs.step_completed, s2.outputs.step_failed, s2.outputs.step_continue], [[], [undefined], [undefined]]);
    assert.equal(await evalString(e, '${{ steps.s2.outcome }}/${{ steps.s2.conclusion }}'), 'failure/success');
    assert.equal(await evalString(e, '${{ job.status }}'), 'failure', '⚑ even with continue-on-error');

    const s3 = await setOutputs(e, 's3', false, 'none');
    assert.deepEqual([s3.outputs.step_completed, s3.outputs.step_failed, s3.outputs.step_continue], [[], [], []]);
    assert.equal(
      await evalString(e, '${{ steps.s3.outcome }}/${{ steps.s3.conclusion }}/${{ steps.s1.outcome }}'),
      'skipped/skipped/success',
    );

    const s4 = await setOutputs(e, 's4', false, 'failed');
    assert.deepEqual([s4.outputs.step_completed, s4.outputs.step_failed, s4.outputs.step_continue], [[], [undefined], []]);
    assert.equal(await evalString(e, '${{ steps.s4.conclusion }}'), 'failure');
  });

  test('githubJobResult builds the needs value and emits the job outcome', async () => {
    const e = await prepared();
    await writeFile(join(dir, `${workflow}-s1.output`), 'version=2.0\n');
    await setOutputs(e, 's1', false, 'completed');
    const ok = await runTreatment(find('githubJobResult'), {
      models: { contexts: e },
      params: {
        name: 'build "x"',
        outputs: StringMapValue.from({ v: '${{ steps.s1.outputs.version }}', l: '${{ value.tag }}' }),
        local_context: json('{"tag": "t"}'),
      },
      inputs: { trigger_release: [] },
    });
    assert.equal(ok.error, undefined);
    assert.deepEqual(ok.outputs.success, [undefined]);
    assert.deepEqual(ok.outputs.failure, []);
    assert.deepEqual(ok.outputs.finished, [undefined]);
    assert.equal(String(ok.outputs.result?.[0]), '{"build \\"x\\"":{"outputs":{"l":"t","v":"2.0"},"result":"success"}}');

    await setOutputs(e, 's2', false, 'failed');
    const failed = await runTreatment(find('githubJobResult'), {
      models: { contexts: e },
      params: { name: 'build', outputs: StringMapValue.from({}), local_context: NULL },
      inputs: { trigger_release: [undefined] },
    });
    assert.deepEqual([failed.outputs.success, failed.outputs.failure, failed.outputs.finished], [[], [undefined], [undefined]]);
    assert.equal(String(failed.outputs.result?.[0]), '{"build":{"outputs":{},"result":"failure"}}');

    // The result is what includeNeeds expects: its `{"build": …}` is unwrapped (Tutti; the
    // reference would give needs.build.build.result), as the spec's typical job wiring means.
    const next = await prepared();
    await runTreatment(find('includeNeeds'), {
      models: { contexts: next },
      params: { from: 'build' },
      inputs: { trigger: [undefined], needs: [failed.outputs.result?.[0] as Value] },
    });
    assert.equal(await evalString(next, '${{ needs.build.result }}'), 'failure');
  });
});
