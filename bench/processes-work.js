// bench/processes-work.js — what bench/processes.sh times, inside one
// program (host node or a guest): WHAT COUNT. Prints the milliseconds the
// loop took, measured here, so each side's own start-up is left out.
//   spawn-true   spawnSync('true') COUNT times
//   nested-e0    spawnSync(process.execPath, ['-e', '0']) COUNT times
'use strict';
const { spawnSync } = require('child_process');

const [what, countArg] = process.argv.slice(2);
const count = Number(countArg);
const t0 = process.hrtime.bigint();
for (let i = 0; i < count; i++) {
  const r = what === 'spawn-true'
    ? spawnSync('true')
    : spawnSync(process.execPath, ['-e', '0']);
  if (r.status !== 0) {
    console.error(`${what}: run ${i} ended with ${r.status} (${r.signal}) ${r.error || ''}`);
    process.exit(1);
  }
}
console.log(Number(process.hrtime.bigint() - t0) / 1e6);
