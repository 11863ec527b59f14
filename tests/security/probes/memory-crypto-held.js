// What crypto objects keep natively is in the memory budget (--memory-limit
// 64, memory-crypto-held.flags): SHAKE digests of any outputLength kept by
// live Hash objects (and their copies), and the password/salt/info copies of
// async pbkdf2/scrypt/hkdf jobs, reach the budget and fail with Node's
// catchable RangeError instead of growing the process (issue 13, F1 and
// F2). Once the jobs are done the budget is whole again.
'use strict';
const crypto = require('crypto');
const MB = 1 << 20;
const leaks = [];
// Keeps what `make` returns until a RangeError: a leak when `n` of them
// (n * MB bytes held natively past the budget) all fit.
function held(what, n, make) {
  const keep = [];
  try {
    for (let i = 0; i < n; i++) keep.push(make(i));
    leaks.push(`${what}: ${n} kept`);
  } catch (e) {
    if (!(e instanceof RangeError)) leaks.push(`${what}: ${e}`);
  }
  return keep.length;
}
// each hash keeps its 20 MB digest (a later digest() answers it)
held('8 shake256 digests of 20 MB', 8, () => {
  const h = crypto.createHash('shake256', { outputLength: 20 * MB });
  h.digest();
  return h;
});
const base = crypto.createHash('shake256').update('x');
held('8 copies with 20 MB digests', 8, () => {
  const h = base.copy({ outputLength: 20 * MB });
  h.digest();
  return h;
});
held('an outputLength of 4 GB', 1, () => crypto.createHash('shake128', { outputLength: 2 ** 32 - 1 }).digest());
// async jobs each copy their 20 MB inputs while they run
const pw = Buffer.alloc(20 * MB, 7);
const jobs = [
  ['pbkdf2', (cb) => crypto.pbkdf2(pw, 'salt', 1, 32, 'sha256', cb)],
  ['scrypt', (cb) => crypto.scrypt(pw, 'salt', 32, { N: 16 }, cb)],
  ['hkdf', (cb) => crypto.hkdf('sha256', pw, 'salt', 'info', 32, cb)],
];
let pending = 0;
let refused = false;
function done() {
  if (--pending > 0) return;
  if (!refused) leaks.push('6 async jobs with 20 MB inputs: all queued');
  // the copies are given back: one more job fits now
  crypto.pbkdf2(pw, 'salt', 1, 32, 'sha256', (err, key) => {
    if (err || key.length !== 32) leaks.push(`pbkdf2 after the jobs: ${err || key.length}`);
    console.log(leaks.length ? leaks.join('\n') : 'HELD');
  });
}
try {
  for (let i = 0; i < 6; i++) {
    const [, run] = jobs[i % jobs.length];
    run((err) => {
      if (err) leaks.push(`job ${i}: ${err}`);
      done();
    });
    pending++;
  }
} catch (e) {
  if (!(e instanceof RangeError)) leaks.push(`async jobs: ${e}`);
  refused = true;
}
if (pending === 0) {
  pending = 1;
  done();
}
