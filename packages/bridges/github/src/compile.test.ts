/**
 * compile.ts: every expression of the table is evaluated twice — by `@actions/expressions`'
 * own Evaluator (expressions.ts, what `tutti github run` uses) and by its compiled JavaScript
 * in a real `javascript::JavaScriptEngine` realm holding `|github_expressions()`, through the
 * reference's helpers themselves (`prepareContexts`, then `evaluateValue` with its placeholder
 * regex and `.name` rewrite) — and the texts GitHub would put in a string are compared.
 * Expressions GitHub rejects at run time are compared by their error messages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { evaluateValue, GITHUB_EXPRESSIONS, prepareContexts } from '@tutti/lib-cicd';
import { JavaScriptEngine } from '@tutti/lib-javascript';
import { actionsLibs } from './actions.js';
import {
  CompileError,
  compileCondition,
  compileExpression,
  compileTemplate,
  compileText,
  faithfulWorkflow,
  jsNumber,
  jsString,
} from './compile.js';
import { asString, ExpressionProblem, evaluate } from './expressions.js';
import { type Workflow, WorkflowError } from './workflow.js';

const CONTEXTS = {
  github: {
    ref: 'refs/heads/main',
    event_name: 'push',
    repository: 'octo/hello.world',
    event: {
      commits: [
        { message: 'Fix a.b }', author: { name: 'Ann', email: 'ann@example.com' }, added: ['a.txt', 'b.md'] },
        { message: 'Add C', author: { name: 'Bob' }, added: [] },
      ],
      'pull-request': { number: 7, draft: false, labels: [{ name: 'bug' }, { name: 'Docs' }] },
    },
  },
  env: { NAME: 'World', EMPTY: '', ZERO: '0', NUM: '12', HEX: '0x10', JSON: '{"a":[1,2],"b":{"c":"d"}}', Mixed: 'MiXeD' },
  vars: { DEPLOY: 'yes' },
  job: { status: 'success' },
  steps: { build: { outputs: { 'my-out': 'x.y', count: '3' }, outcome: 'success', conclusion: 'success' } },
  needs: { setup: { result: 'success', outputs: { list: '["a","b"]', flag: 'true' } } },
  matrix: { os: 'ubuntu-latest', n: 3, flag: true, half: 0.5, nothing: null, list: [1, 'two', true] },
  strategy: { 'job-index': 1, 'job-total': 2 },
  inputs: { n: 1.5, name: 'In', on: false },
  secrets: { TOKEN: 's3cr3t' },
  runner: { os: 'Linux' },
  jobs: {},
};

/** The expressions: operators, coercions, case, null, NaN, numbers, members, filters, functions. */
const TABLE = [
  // literals
  'true',
  'false',
  'null',
  '0',
  '-0',
  '1',
  '-1',
  '1.5',
  '-2.25',
  '0x10',
  '0xff',
  '1e3',
  '1.5e-7',
  '0.1',
  '123456789012345678',
  'NaN',
  'Infinity',
  '-Infinity',
  "'text'",
  "'a.b'",
  "'}'",
  "'{0}'",
  "'it''s'",
  "''",
  "'success()'",
  "'steps.build'",
  // equality and coercion
  "'a' == 'A'",
  "'MAIN' == 'main'",
  "github.ref == 'REFS/HEADS/MAIN'",
  "'a' != 'A'",
  '1 == 1.0',
  "1 == '1'",
  "'1' == 1",
  "'0x10' == 16",
  "'' == 0",
  "' 12 ' == 12",
  "'abc' == 0",
  'null == 0',
  'null == false',
  'null == null',
  "null == ''",
  'true == 1',
  'false == 0',
  "true == 'true'",
  "true == '1'",
  'NaN == NaN',
  'NaN != NaN',
  'github.event == github.event',
  'github.event.commits == github.event.commits',
  "matrix.flag == 'true'",
  'matrix.n == 3',
  'env.NUM == 12',
  // ordering
  '1 < 2',
  '2 <= 2',
  '3 > 2',
  '3 >= 4',
  "'a' < 'B'",
  "'b' > 'A'",
  "'abc' >= 'ABC'",
  "'10' > 9",
  "'x' > 1",
  'true > false',
  'false < true',
  'null < 1',
  'NaN < 1',
  'github.event > 1',
  // not, and, or
  '!true',
  '!0',
  "!''",
  "!'false'",
  '!null',
  '!NaN',
  '!github.event',
  "true && 'yes'",
  "0 && 'yes'",
  "'' || 'default'",
  "env.EMPTY || 'fallback'",
  "env.NAME || 'fallback'",
  "null || 0 || ''",
  '1 && 2 && 3',
  "matrix.nothing && 'never'",
  "github.event_name == 'push' && 'pushed' || 'other'",
  '!(1 == 2) && (2 > 1)',
  // member and index access
  'github.ref',
  'GITHUB.REF',
  'github.Event_Name',
  "github['ref']",
  "github['REF']",
  'github.event.commits[0].message',
  'github.event.commits[1].author.name',
  'github.event.commits[5]',
  "github.event.commits['1'].author.name",
  'github.event.commits[0.9].author.name',
  'github.event.commits[-1]',
  'github.event.pull-request.number',
  "github.event['pull-request'].labels[1].name",
  'steps.build.outputs.my-out',
  "steps.build.outputs['MY-OUT']",
  'steps.missing.outputs.x',
  'matrix.nothing.deeper',
  'matrix.list[1]',
  'matrix.list[3]',
  'matrix.half',
  'inputs.n',
  "env['Mixed']",
  'env.mixed',
  "github.ref['x']",
  'github.event.commits.*.author.name',
  'github.event.commits.*.added',
  'github.event.commits.*.added.*',
  'github.event.commits.*.added[0]',
  'github.event.pull-request.labels.*.name',
  'github.event.*',
  'matrix.n.*',
  'needs.*.result',
  // functions
  "contains('Hello World', 'WORLD')",
  "contains('Hello', '')",
  "contains(github.event.pull-request.labels.*.name, 'docs')",
  "contains(github.event.pull-request.labels.*.name, 'feature')",
  "contains(matrix.list, 'TWO')",
  'contains(matrix.list, 1)',
  "contains(matrix.list, '1')",
  'contains(github.event, 1)',
  "contains('a1', 1)",
  "contains(true, 'ru')",
  "contains('abc', github.event)",
  "contains(fromJSON(needs.setup.outputs.list), 'B')",
  "startsWith(github.ref, 'refs/heads/')",
  "startsWith(github.ref, 'REFS/')",
  "startsWith('abc', '')",
  'startsWith(github.event, 1)',
  "endsWith(github.repository, '.WORLD')",
  'endsWith(123, 23)',
  "endsWith('ı', 'I')",
  "format('Hello {0}!', env.NAME)",
  "format('{0} {1} {0}', 'a', 'b')",
  "format('{{0}} is {0}', 1.5)",
  "format('}}{{')",
  "format('{0}', null)",
  "format('{0}', true)",
  "format('{0}', github.event)",
  "format('{1}', 'a')",
  "format('{0', 'a')",
  "format('}', 'a')",
  "format('{x}', 'a')",
  "format('{}', 'a')",
  'join(github.event.commits.*.author.name)',
  "join(github.event.commits.*.author.name, ' + ')",
  "join(matrix.list, '')",
  "join('single', ',')",
  'join(github.event)',
  'join(matrix.list, github.event)',
  'toJSON(matrix)',
  'toJSON(matrix.list)',
  "toJSON('a.b')",
  'toJSON(null)',
  'toJSON(1.5)',
  'toJSON(github.event.commits.*.author.name)',
  'fromJSON(env.JSON)',
  'fromJSON(env.JSON).a[1]',
  'fromJSON(env.JSON).B.C',
  "fromJSON('true')",
  "fromJSON('1.5')",
  "fromJSON('null')",
  'fromJSON(\' [1, "x"] \')',
  'fromJSON(needs.setup.outputs.flag) && 1',
  "fromJSON('')",
  "fromJSON('{')",
  "case(true, 'a', 'b')",
  "case(false, 'a', 1 == 1, 'b', 'c')",
  "case(false, 'a', false, 'b', 'c')",
  "case('x', 'a', 'b')",
  // whole objects as text
  'github.event.commits[0].author',
  'matrix',
  'matrix.list',
  'vars.DEPLOY',
  'secrets.TOKEN',
  "runner.os == 'linux'",
  'strategy.job-index',
];

type Outcome = { text: string } | { error: string };

/** What GitHub's own evaluator gives: the text it puts in a string, or its error. */
function reference(expression: string): Outcome {
  try {
    return { text: asString(evaluate(expression, { contexts: CONTEXTS })) };
  } catch (e) {
    if (!(e instanceof ExpressionProblem)) throw e;
    return { error: e.message.replace(/^cannot evaluate '[\s\S]*?': /, '') };
  }
}

describe('compiled expressions in the realm give GitHub results', () => {
  const engine = new JavaScriptEngine({ strict: false, recursionLimit: 400, loopIterationLimit: 4294967295 }, GITHUB_EXPRESSIONS);
  before(async () => {
    await actionsLibs();
    assert.equal(await prepareContexts(engine, JSON.stringify(CONTEXTS)), true);
  });
  after(() => engine.shutdown());

  /** The compiled code's text through the reference's helpers, and its error if it throws (evaluated directly). */
  const realm = async (expression: string): Promise<Outcome> => {
    const js = compileExpression(expression);
    const text = await evaluateValue(engine, `\${{ __gh_str(${js}) }}`, false, 'null');
    const r = await engine.current();
    const [caught] = await r!.evaluate(['null'], `try { __gh_str(${js}); "" } catch (e) { "error:" + e.message }`);
    const error = JSON.parse(caught!) as string;
    if (error !== '') {
      // the helpers give "" for an expression that throws
      assert.equal(text, '', `${expression}: the helpers gave a text for an error`);
      return { error: error.slice('error:'.length) };
    }
    return { text };
  };

  it(`has at least 100 expressions (${TABLE.length})`, () => assert.ok(TABLE.length >= 100));

  for (const expression of TABLE)
    it(expression, async () => {
      const want = reference(expression);
      const got = await realm(expression);
      if ('error' in want && 'error' in got) {
        // fromJSON's parse errors: GitHub words its own, JavaScript's JSON.parse gives the cause
        if (!/^Error parsing JSON/.test(want.error)) assert.equal(got.error, want.error, expression);
      } else assert.deepEqual(got, want, expression);
    });

  it('compiles texts with several placeholders, and conditions', async () => {
    const t = compileTemplate("Hello ${{ env.NAME }}, ${{ format('{0}}}', 'x') }} ${{ matrix.flag }} ${{ matrix.n }}!");
    assert.equal(await evaluateValue(engine, t, false, 'null'), 'Hello World, x} true 3!');
    const whole = compileTemplate('${{ matrix.list }}', { whole: true });
    assert.equal(whole, '${{ __gh_idx(matrix, "list") }}');
    const cond = compileCondition("${{ contains(github.ref, 'MAIN') }}");
    assert.equal(await evaluateValue(engine, `\${{ __gh_truthy(${cond}) ? "true" : "false" }}`, false, 'null'), 'true');
    const text = compileCondition('x-${{ env.EMPTY }}');
    assert.equal(await evaluateValue(engine, `\${{ ${text} ? "true" : "false" }}`, false, 'null'), 'true');
  });

  it('reads steps.<id> as a matrix leg records it', async () => {
    const js = compileExpression('steps.build.outputs.count', { legSteps: true });
    const r = await engine.current();
    await r!.evaluate(['null'], 'steps["build1"] = steps["build"]; true');
    assert.equal(await evaluateValue(engine, `\${{ __gh_str(${js}) }}`, false, 'null'), '3');
  });

  it("reads env.<name> the workflow sets from its value, and env as the realm's with them", async () => {
    const env: [string, string][] = [
      ['BRANCH', compileText('MAIN')],
      ['GREETING', compileText("${{ format('Hi {0}', 'you') }}")],
      ['Branch', compileText('${{ 1 == 1 }}')],
    ];
    const js = (e: string) => `\${{ __gh_str(${compileExpression(e, { env })}) }}`;
    assert.equal(await evaluateValue(engine, js("env.branch == 'true'"), false, 'null'), 'true');
    assert.equal(await evaluateValue(engine, js('env.GREETING'), false, 'null'), 'Hi you');
    assert.equal(await evaluateValue(engine, js("env['NAME']"), false, 'null'), 'World');
    assert.equal(
      await evaluateValue(engine, js("join(env.*, '|')"), false, 'null'),
      'World||0|12|0x10|{"a":[1,2],"b":{"c":"d"}}|MiXeD|MAIN|Hi you|true',
    );
  });

  it('a workflow or job value gives way to what a step wrote to GITHUB_ENV (the realm env), a step value does not', async () => {
    const r = await engine.current();
    await r!.evaluate(['null'], 'env["LEVEL"] = "written"; true');
    const job: [string, string, boolean][] = [['LEVEL', compileText('job'), false]];
    const step: [string, string, boolean][] = [...job, ['LEVEL', compileText('step'), true]];
    const js = (e: string, env: [string, string, boolean][]) => `\${{ __gh_str(${compileExpression(e, { env })}) }}`;
    assert.equal(await evaluateValue(engine, js('env.LEVEL', job), false, 'null'), 'written');
    assert.equal(await evaluateValue(engine, js('env.level', step), false, 'null'), 'step');
    assert.equal(await evaluateValue(engine, js('env.LEVEL', [['OTHER', compileText('x'), false]]), false, 'null'), 'written');
    assert.equal(await evaluateValue(engine, js("toJSON(env) == '' || fromJSON(toJSON(env)).LEVEL", job), false, 'null'), 'written');
    assert.equal(await evaluateValue(engine, js('fromJSON(toJSON(env)).LEVEL', step), false, 'null'), 'step');
    await r!.evaluate(['null'], 'delete env["LEVEL"]; true');
  });

  it("reads a reusable workflow's boolean and number inputs with their types (the realm holds texts)", async () => {
    const r = await engine.current();
    await r!.evaluate(['null'], 'inputs["publish"] = "false"; inputs["count"] = "3"; true');
    const inputTypes = { publish: 'boolean', count: 'number' };
    const js = (e: string) => `\${{ __gh_str(${compileExpression(e, { inputTypes })}) }}`;
    assert.equal(await evaluateValue(engine, js("inputs.publish && 'yes' || 'no'"), false, 'null'), 'no');
    assert.equal(await evaluateValue(engine, js('inputs.count > 2'), false, 'null'), 'true');
    assert.equal(await evaluateValue(engine, js('inputs.count == inputs.count'), false, 'null'), 'true');
    // without the types: the texts, as GitHub's truthiness reads them
    assert.equal(await evaluateValue(engine, `\${{ __gh_str(${compileExpression("inputs.publish && 'yes'")}) }}`, false, 'null'), 'yes');
  });

  it('leaves the status functions as calls for the importer', () => {
    assert.equal(compileExpression('always()'), 'always()');
    assert.equal(compileExpression("success() && env.X == 'y'"), '__gh_and(success(), () => __gh_eq(__gh_idx(env, "X"), "y"))');
  });

  it('writes literals the helpers leave alone', () => {
    assert.equal(jsString('a.b}{()$\'"\\'), '"a\\u002eb\\u007d\\u007b\\u0028\\u0029\\u0024\\u0027\\u0022\\u005c"');
    assert.equal(jsNumber(1.5), 'Number("1\\u002e5")');
    assert.equal(jsNumber(-0), '(-0)');
    assert.equal(jsNumber(16), '16');
  });

  it('rejects what does not parse, with the parser message', () => {
    assert.throws(() => compileExpression("contains('a'"), CompileError);
    assert.throws(() => compileExpression('nope.x'), /invalid expression 'nope\.x'/);
    assert.throws(() => compileExpression('foo()'), CompileError);
    assert.throws(() => compileTemplate('${{ 1 '), /unclosed/);
  });

  it('locates a bad expression of a workflow (file:line:column)', () => {
    const w = {
      file: 'w.yml',
      path: '/w.yml',
      name: 'w',
      on: { push: null },
      env: undefined,
      defaults: undefined,
      permissions: undefined,
      concurrency: undefined,
      jobs: { a: { steps: [{ run: "echo ${{ contains('x' }}" }] } },
      where: (job?: string, step?: number, key?: string) => `w.yml:${job}:${step}:${key}`,
    } as Workflow;
    assert.throws(
      () => faithfulWorkflow(w, () => {}),
      (e) => e instanceof WorkflowError && /^w\.yml:a:0:run: invalid expression 'contains\('x'': /.test(e.message),
    );
    const warnings: string[] = [];
    const ok = faithfulWorkflow({ ...w, jobs: { a: { steps: [{ run: "echo ${{ hashFiles('x') }}" }] } } }, (m) => warnings.push(m));
    assert.deepEqual(warnings, []);
    assert.equal((ok.jobs.a!.steps as { name: string }[])[0]!.name, "Run echo ${{ hashFiles('x') }}");
  });
});
