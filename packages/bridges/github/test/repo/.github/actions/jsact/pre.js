const fs = require('node:fs');
console.log('js pre');
fs.appendFileSync(process.env.GITHUB_STATE, 'phase=from-pre\n');
