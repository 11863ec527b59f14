// The write quota (--write-limit 1 MiB, --write-files-limit 16 on @RW@)
// holds for what children write: the guest hands a descriptor of the grant
// to a granted program (`echo`) as its stdout, many times over. Past the
// quota the writes must fail (EDQUOT/EFBIG) and the grant hold at most the
// quota.
'use strict';
const cp = require('child_process');
const fs = require('fs');

const rw = process.argv[3];
const MAX_BYTES = 1 << 20;
const fd = fs.openSync(`${rw}/through-echo`, 'w');
const arg = 'x'.repeat(100000);
for (let i = 0; i < 30; i++) {
  let r;
  try {
    r = cp.spawnSync('echo', Array(9).fill(arg), { stdio: ['ignore', fd, 'ignore'] });
  } catch (e) {
    if (i === 0) console.log('refused:', e.code); // the descriptor is the quota's
    break;
  }
  if (r.error || r.status !== 0) break;
}
fs.closeSync(fd);
let total = 0;
for (const f of fs.readdirSync(rw)) total += fs.statSync(`${rw}/${f}`).size;
if (total > MAX_BYTES) console.log(`LEAK ${total} bytes in the grant past a quota of ${MAX_BYTES} (written by echo)`);
console.log(total <= MAX_BYTES ? 'HELD' : '1 leaks');
