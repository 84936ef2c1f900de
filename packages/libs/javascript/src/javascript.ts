/** `javascript`: the JavaScript engine model and its `process` treatment. */
import { model, treatment } from '@tutti/core';
import { JavaScriptEngine } from './engine.js';
import { runProcess } from './process.js';

const area = 'javascript';

export const javascriptElements = [
  model(area, 'JavaScriptEngine', {
    params: {
      stack_size_limit: 'u64 = 1024',
      recursion_limit: 'u64 = 400',
      loop_iteration_limit: 'u64 = 4294967295',
      strict: 'bool = false',
      code: 'string = ""',
    },
    doc: 'One ECMAScript realm per instance, living for the whole run; `code` is evaluated once at start.',
    create: JavaScriptEngine.create,
  }),
  treatment(area, 'process', {
    models: { engine: 'JavaScriptEngine' },
    params: { code: 'var string' },
    inputs: { value: 'Stream<Json>' },
    outputs: { result: 'Stream<Option<Json>>' },
    doc: 'For each JSON value, sets the global `value` and evaluates `code`; its completion value as JSON, or none.',
    run: runProcess,
  }),
];
