/**
 * @tutti/engine — runs a checked design: tracks, channels, models, logs.
 */
export * from './channel.js';
export * from './engine.js';
