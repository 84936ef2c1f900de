import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDescriptor, TreatmentDescriptor } from '@tutti/core';
import { runTreatment } from '@tutti/engine/testing';
import { StringMapValue } from '@tutti/lib-std';
import { environment } from './environment.js';
import { EnvironmentValue } from './environment-value.js';

const build = (environment.find((e) => e.name === 'environment') as FunctionDescriptor).impl;
const mapEnvironment = environment.find((e) => e.name === 'mapEnvironment') as TreatmentDescriptor;
const mapFullEnvironment = environment.find((e) => e.name === 'mapFullEnvironment') as TreatmentDescriptor;
const vars = StringMapValue.from({ A: '1', B: 'x${HOME}y' });

test('|environment keeps the positional order: variables, directory, expand, clear', () => {
  const env = build?.([vars, '/tmp', true, false], {}) as EnvironmentValue;
  assert.ok(env instanceof EnvironmentValue);
  assert.equal(env.workingDirectory, '/tmp');
  assert.equal(env.expandVariables, true);
  assert.equal(env.clearEnv, false);
  assert.equal(env.variables, vars);
  const none = build?.([vars, null, false, true], {}) as EnvironmentValue;
  assert.equal(none.workingDirectory, null);
  assert.equal(none.clearEnv, true);
});

test('expansion replaces ${NAME} in values only, from the given host variables', () => {
  const host = { HOME: '/h', X_1: 'v' };
  const v = StringMapValue.from({ A: '${HOME}/${X_1}', B: '$HOME ${MISSING} ${1X} ${ HOME}', C: 'plain' });
  assert.deepEqual(new EnvironmentValue(v, null, true, false).variablesFor(host), {
    A: '/h/v',
    B: '$HOME  ${1X} ${ HOME}',
    C: 'plain',
  });
  assert.deepEqual(new EnvironmentValue(v, null, false, false).variablesFor(host), {
    A: '${HOME}/${X_1}',
    B: '$HOME ${MISSING} ${1X} ${ HOME}',
    C: 'plain',
  });
});

test('environments are equal field by field, variables as maps', () => {
  const a = new EnvironmentValue(StringMapValue.from({ A: '1', B: '2' }), null, true, false);
  assert.ok(a.equals(new EnvironmentValue(StringMapValue.from({ B: '2', A: '1' }), null, true, false)));
  assert.ok(!a.equals(new EnvironmentValue(StringMapValue.from({ A: '1', B: '2' }), '/', true, false)));
  assert.ok(!a.equals(new EnvironmentValue(StringMapValue.from({ A: '1', B: '2' }), null, false, false)));
  assert.ok(!a.equals(new EnvironmentValue(StringMapValue.from({ A: '1' }), null, true, false)));
  assert.equal(
    a.display(),
    'Environment { working_directory: _, clear_env: false, variables: {"A": "1", "B": "2"}, expand_variables: true }',
  );
});

test('mapEnvironment builds from the received map; nothing when it closes empty', async () => {
  const params = { clear_env: true, expand_variables: false, working_directory: '/w' };
  const r = await runTreatment(mapEnvironment, { params, inputs: { variables: [vars] } });
  assert.equal(r.error, undefined);
  assert.ok(new EnvironmentValue(vars, '/w', false, true).equals(r.outputs.environment?.[0]));
  const empty = await runTreatment(mapEnvironment, { params, inputs: { variables: 'closed' } });
  assert.deepEqual(empty.outputs.environment, []);
});

test('mapFullEnvironment needs both inputs (rule B)', async () => {
  const params = { clear_env: false, expand_variables: true };
  const r = await runTreatment(mapFullEnvironment, { params, inputs: { variables: [vars], working_directory: [null] } });
  assert.ok(new EnvironmentValue(vars, null, true, false).equals(r.outputs.environment?.[0]));
  const noDir = await runTreatment(mapFullEnvironment, { params, inputs: { variables: [vars], working_directory: 'closed' } });
  assert.deepEqual(noDir.outputs.environment, []);
  const noVars = await runTreatment(mapFullEnvironment, { params, inputs: { variables: 'closed', working_directory: ['/'] } });
  assert.deepEqual(noVars.outputs.environment, []);
});
