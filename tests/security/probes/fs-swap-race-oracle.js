// A folder of the guest's own swapped for a symlink out (a worker swaps
// it in a loop) while the main thread asks for names in it: the answer
// may never tell a file behind the link that exists from one that does
// not. realpath, the module loader's stat and realpath (require.resolve),
// chdir and spawn's program lookup did their last step on the whole path,
// which followed the swapped-in link (found by the attack on the fs path
// check).
'use strict';
const fs = require('fs');
const { Worker } = require('worker_threads');

const base = '/tmp/swap-race';
fs.rmSync(base, { recursive: true, force: true });
fs.mkdirSync(`${base}/d/ssl`, { recursive: true });
fs.symlinkSync('/etc', `${base}/evil`);
const stop = new Int32Array(new SharedArrayBuffer(4));
const worker = new Worker(`
  const fs = require('fs');
  const stop = new Int32Array(require('worker_threads').workerData);
  const b = ${JSON.stringify(base)};
  while (!Atomics.load(stop, 0)) {
    try {
      fs.renameSync(b + '/d', b + '/x');
      fs.renameSync(b + '/evil', b + '/d');
      fs.renameSync(b + '/d', b + '/evil');
      fs.renameSync(b + '/x', b + '/d');
    } catch {}
  }`, { eval: true, workerData: stop.buffer });

// What a name behind the link that exists may never get, as one that does
// not exist never does: an answer ('ok'), or spawn's EACCES for a file
// found but not runnable. Refusals and not-found errors come for both
// (EACCES, ENOENT, ELOOP, ENOTDIR, MODULE_NOT_FOUND, ERR_ACCESS_DENIED),
// as the swap has the folder or the link in place.
const asks = {
  realpath: [(p) => fs.realpathSync(p), []],
  'realpath.native': [(p) => fs.realpathSync.native(p), []],
  'require.resolve': [(p) => require.resolve(p), []],
  chdir: [(p) => { process.chdir(p); process.chdir('/app'); }, []],
  spawn: [(p) => {
    const r = require('child_process').spawnSync(p);
    if (r.error) throw r.error;
  }, ['EACCES']],
};
let leaks = 0;
for (const [what, [ask, telling]] of Object.entries(asks)) {
  for (const name of ['passwd', 'hostname', 'ssl/openssl.cnf']) {
    const seen = {};
    for (let i = 0; i < 2000; i++) {
      let answer;
      try {
        ask(`${base}/d/${name}`);
        answer = 'ok';
      } catch (e) {
        answer = e.code;
      }
      seen[answer] = (seen[answer] || 0) + 1;
    }
    for (const answer of ['ok', ...telling]) {
      if (seen[answer]) {
        leaks++;
        console.log(`ESCAPED ${what}: /etc/${name} behind the link got ${answer} ${seen[answer]} times`);
      }
    }
  }
}
Atomics.store(stop, 0, 1);
worker.on('exit', () => console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`));
