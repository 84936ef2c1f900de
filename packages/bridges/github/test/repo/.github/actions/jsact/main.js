const fs = require('node:fs');
console.log(`js main input=${process.env.INPUT_MESSAGE} spaced=${process.env.INPUT_WITH_SPACE} state=${process.env.STATE_phase}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `echoed=${process.env.INPUT_MESSAGE}\n`);
fs.appendFileSync(process.env.GITHUB_STATE, 'phase=from-main\n');
