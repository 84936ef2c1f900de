/**
 * @tutti/engine — runs a checked design: tracks, channels, models, logs (language spec §5).
 */
export * from './channel.js';
export * from './engine.js';
