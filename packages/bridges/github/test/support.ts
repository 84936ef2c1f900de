/**
 * Test support: `githubRun` with the options the tests share (a push, no secrets, variables,
 * inputs or platforms, plain progress), its output captured as text.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type GithubRunOptions, githubRun, type RunReport } from '../src/run.js';

export async function runCaptured(
  o: Partial<GithubRunOptions> & Pick<GithubRunOptions, 'cwd'>,
): Promise<{ status: number; text: string; report: RunReport | undefined }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => {
    text += c;
  });
  const r = await githubRun({ event: 'push', secrets: {}, env: {}, vars: {}, inputs: {}, platforms: {}, progress: 'plain', out, ...o });
  return { status: r.status, text, report: r.report };
}

/**
 * The container engine's environment (podman needs flags on these machines), as .ci/run sets
 * it: from scripts/container-image.mjs, which also builds and caches the base image, unless
 * TUTTI_CONTAINER_ENGINE is set already.
 */
export function useContainerEngine(): void {
  if (process.env.TUTTI_CONTAINER_ENGINE !== undefined) return;
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const out = execFileSync(process.execPath, [join(root, 'scripts/container-image.mjs')], { encoding: 'utf8' });
  for (const m of out.matchAll(/^export (\w+)='(.*)'$/gm)) process.env[m[1]!] = m[2]!;
}

/** The containers and networks of job environments (`tutti-gh-…`) the engine has. */
export function containerLeftovers(): string[] {
  const engine = process.env.TUTTI_CONTAINER_ENGINE ?? 'podman';
  const args = (process.env.TUTTI_CONTAINER_ENGINE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const ps = execFileSync(engine, [...args, 'ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' });
  const nets = execFileSync(engine, [...args, 'network', 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' });
  return [...ps.split('\n'), ...nets.split('\n')].filter((n) => n.startsWith('tutti-gh-'));
}
