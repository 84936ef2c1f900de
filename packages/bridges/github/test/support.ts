/**
 * Test support: `githubRun` with the options the tests share (a push, no secrets, variables,
 * inputs or platforms, plain progress), its output captured as text.
 */
import { PassThrough } from 'node:stream';
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
