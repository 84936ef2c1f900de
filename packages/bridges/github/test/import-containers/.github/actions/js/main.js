// Runs in the job container with the runner's Node mounted at /__e/node20 (as GitHub's runner).
const fs = require('node:fs');
const debian = fs.readFileSync('/etc/debian_version', 'utf8').trim().split('.')[0];
console.log(`js action: node ${process.execPath} in ${process.cwd()} debian ${debian} who=${process.env.INPUT_WHO}`);
console.log(`js action files: ${process.env.GITHUB_OUTPUT.replace(/_\d+$/, '_N')} home=${process.env.HOME}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `said=hello ${process.env.INPUT_WHO}\n`);
fs.appendFileSync(process.env.GITHUB_STATE, 'seen=yes\n');
