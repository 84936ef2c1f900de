/** `process/environment`: the execution environment data type and its constructors. */
import { dataType, END, fn, registerDataCodec, treatment } from '@tutti/core';
import { StringMapValue } from '@tutti/lib-std';
import { EnvironmentValue, environmentOf } from './environment-value.js';

const area = 'process/environment';

// Serialize/Deserialize: [variables as key, value, …, working directory or null, expand, clear].
registerDataCodec(`${area}::Environment`, {
  encode: (v) => {
    const e = v as EnvironmentValue;
    return [[...e.variables.entries()].flat(), e.workingDirectory, e.expandVariables, e.clearEnv];
  },
  decode: (w) => {
    const [vars, dir, expand, clear] = w as [unknown, unknown, unknown, unknown];
    if (!Array.isArray(vars) || vars.length % 2 !== 0 || !vars.every((x) => typeof x === 'string')) throw new Error('not an Environment');
    if ((dir !== null && typeof dir !== 'string') || typeof expand !== 'boolean' || typeof clear !== 'boolean')
      throw new Error('not an Environment');
    const entries: [string, string][] = [];
    for (let i = 0; i < vars.length; i += 2) entries.push([vars[i] as string, vars[i + 1] as string]);
    return new EnvironmentValue(StringMapValue.from(entries), dir, expand, clear);
  },
});

export const environment = [
  dataType(area, 'Environment', {
    traits: 'Serialize Deserialize PartialEquality Equality',
    doc: 'Working directory, variables, whether to clear the inherited environment and to expand `${NAME}` in values.',
  }),
  fn(area, 'environment', {
    params: 'variables: StringMap, working_directory: Option<string>, expand_variables: bool, clear_env: bool',
    returns: 'Environment',
    doc: 'Builds an environment (positional order: variables, working directory, expand variables, clear env).',
    impl: ([variables, dir, expand, clear]) => environmentOf(variables, dir, expand, clear),
  }),
  treatment(area, 'mapEnvironment', {
    params: {
      clear_env: 'var bool = false',
      expand_variables: 'var bool = false',
      working_directory: 'var Option<string>',
    },
    inputs: { variables: 'Block<StringMap>' },
    outputs: { environment: 'Block<Environment>' },
    doc: 'Builds an environment from the received variables map.',
    async run({ inputs, outputs, params }) {
      const variables = await inputs.variables.recvOne();
      if (variables === END) return; // rule B
      await outputs.environment.sendOne(environmentOf(variables, params.working_directory, params.expand_variables, params.clear_env));
    },
  }),
  treatment(area, 'mapFullEnvironment', {
    params: { clear_env: 'var bool = false', expand_variables: 'var bool = false' },
    inputs: { variables: 'Block<StringMap>', working_directory: 'Block<Option<string>>' },
    outputs: { environment: 'Block<Environment>' },
    doc: 'Builds an environment from the received variables map and working directory (both required).',
    async run({ inputs, outputs, params }) {
      const [variables, dir] = await Promise.all([inputs.variables.recvOne(), inputs.working_directory.recvOne()]);
      if (variables === END || dir === END) return; // rule B
      await outputs.environment.sendOne(environmentOf(variables, dir, params.expand_variables, params.clear_env));
    },
  }),
];
