/**
 * @tutti/design — the frozen, text-free form of a checked program that the engine runs.
 */
export * from './design.js';
export * from './evaluate.js';
