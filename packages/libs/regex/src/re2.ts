import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

/**
 * re2js, loaded on first use: a quarter of a megabyte of JavaScript that every `tutti`
 * start would otherwise compile, for programs that mostly use no regex at all. Loaded
 * with `require` (it ships CommonJS too), because patterns are compiled synchronously,
 * at check time among others.
 */
let re2js: typeof RE2JS | undefined;
export function RE2(): typeof RE2JS {
  re2js ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return re2js;
}
