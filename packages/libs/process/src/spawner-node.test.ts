/** The spawner's tests (and through them the executor's) with the Node spawner (TUTTI_SPAWNER=node). */
process.env.TUTTI_SPAWNER = 'node';
await import('./spawner.test.js');
