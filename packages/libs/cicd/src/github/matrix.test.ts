// The rules of GitHub's matrices and expressions that `githubMatrix` applies at run time.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { JavaScriptEngine } from '@tutti/lib-javascript';
import { evaluateTemplate, expandMatrix, githubScript, legName } from './matrix.js';
import { prepareContexts } from './realm.js';

const engine = new JavaScriptEngine({ strict: false, recursionLimit: 400, loopIterationLimit: 4294967295 }, '');
after(() => engine.shutdown());

test('expandMatrix: product, exclude (partial), include (extends or adds)', () => {
  assert.deepEqual(
    expandMatrix({
      os: ['linux', 'mac'],
      node: [18, 20],
      exclude: [{ os: 'mac', node: 18 }],
      include: [{ os: 'linux', arch: 'arm' }, { os: 'bsd' }],
    }),
    [{ os: 'linux', node: 18, arch: 'arm' }, { os: 'linux', node: 20, arch: 'arm' }, { os: 'mac', node: 20 }, { os: 'bsd' }],
  );
  assert.throws(() => expandMatrix({ os: 'linux' }), /strategy.matrix.os must be a sequence/);
  assert.equal(legName('build', { os: 'linux', v: { a: 1 } }), 'build (linux, {"a":1})');
});

test('githubScript: strings and member names as GitHub reads them, its functions defined', async () => {
  assert.ok(await prepareContexts(engine, JSON.stringify({ needs: { 'my-job': { outputs: { m: '{"n":[1,2]}' } } } })));
  const value = (text: string) => evaluateTemplate(engine, text);
  assert.deepEqual(await value('${{ fromJSON(needs.my-job.outputs.m) }}'), { n: [1, 2] });
  // a '.' inside a string is not a member access; '' is a quote
  assert.equal(await value("${{ format('{0}.{1} it''s', 'a', 1.5) }}"), "a.1.5 it's");
  assert.equal(await value("${{ contains(fromJSON('[\"A\"]'), 'a') && startsWith('Hello', 'he') }}"), true);
  assert.equal(await value('n=${{ fromJSON(needs.my-job.outputs.m).n }}!'), 'n=[1,2]!');
  assert.deepEqual(await evaluateTemplate(engine, { os: '${{ fromJSON(\'["a"]\') }}', max: 2 }), { os: ['a'], max: 2 });
  assert.equal(await evaluateTemplate(engine, '${{ matrix.os }}', { matrix: { os: 'linux' } }), 'linux');
  await assert.rejects(evaluateTemplate(engine, '${{ fromJSON(needs.nope.outputs.m) }}'), /could not be evaluated/);
  assert.match(githubScript("a.b-c['x.y']"), /a\["b-c"\]\["x\.y"\]/);
});
