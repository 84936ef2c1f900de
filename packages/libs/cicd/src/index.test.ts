import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePackages } from '@tutti/core';
import { distrib } from '@tutti/lib-distrib';
import { encoding } from '@tutti/lib-encoding';
import { fs } from '@tutti/lib-fs';
import { javascript } from '@tutti/lib-javascript';
import { json } from '@tutti/lib-json';
import { net } from '@tutti/lib-net';
import { process as processPackage } from '@tutti/lib-process';
import { std } from '@tutti/lib-std';
import { work } from '@tutti/lib-work';
import { cicd } from './index.js';

test('cicd descriptors are consistent with the packages they use', () => {
  assert.deepEqual(validatePackages([std, json, javascript, processPackage, fs, encoding, net, work, distrib, cicd]), []);
});

test('the service areas hold their elements: cicd/services, cicd/services/gitlab, cicd/services/github', () => {
  const byArea = new Map<string, string[]>();
  for (const e of cicd.elements) byArea.set(e.area, [...(byArea.get(e.area) ?? []), `${e.kind === 'function' ? '|' : ''}${e.name}`]);
  assert.deepEqual(byArea.get('cicd/services'), ['setServiceState']);
  assert.deepEqual(byArea.get('cicd/services/gitlab'), [
    'StepState',
    '|pending',
    '|running',
    '|success',
    '|failed',
    '|canceled',
    '|skipped',
    'postGitlabState',
  ]);
  assert.deepEqual(byArea.get('cicd/services/github')?.sort(), [
    'GithubLeg',
    'GithubMatrix',
    'StepState',
    'githubCommand',
    'githubGetEnv',
    'githubGetEnvFiles',
    'githubJobResult',
    'githubLeg',
    'githubLegResult',
    'githubLegState',
    'githubMapEval',
    'githubMatrix',
    'githubRemoveFiles',
    'githubSetOutputs',
    'githubStepEnv',
    'githubStringEval',
    'githubTimeout',
    'includeInputs',
    'includeNeeds',
    'postGithubState',
    'postGithubStateContext',
    'prepareContexts',
    'prepareLegContexts',
    'replicateContextsWithInputs',
    '|error',
    '|failure',
    '|github_expressions',
    '|github_run_contexts',
    '|pending',
    '|success',
  ]);
});
