// INPUT_WORD in, an output, an env variable and a PATH entry out (the toolkit's file commands)
const fs = require('node:fs');
const word = process.env.INPUT_WORD ?? '';
console.log(`count: '${word}' has ${word.length} letters`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `length=${word.length}\n`);
fs.appendFileSync(process.env.GITHUB_ENV, `COUNTED=${word}\n`);
