// A folder of the guest's own swapped for a symlink out (a worker swaps
// it in a loop) while the main thread asks for names in it: the answer
// may never tell a file behind the link that exists from one that does
// not. realpath, the module loader's stat and realpath (require.resolve)
// and chdir did their last step on the whole path, which followed the
// swapped-in link (found by the attack on the fs path check).
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

const asks = {
  realpath: (p) => fs.realpathSync(p),
  'realpath.native': (p) => fs.realpathSync.native(p),
  'require.resolve': (p) => require.resolve(p),
  chdir: (p) => { process.chdir(p); const cwd = process.cwd(); process.chdir('/app'); return cwd; },
};
// names there behind the link (/etc) against names that are not; the
// guest's own folder has none of them but ssl
const pairs = [['passwd', 'no-such-file'], ['hostname', 'no-such-name'], ['ssl/openssl.cnf', 'ssl/no-such.cnf']];
let leaks = 0;
for (const [what, ask] of Object.entries(asks)) {
  for (const [there, absent] of pairs) {
    const count = (name) => {
      let ok = 0;
      for (let i = 0; i < 2000; i++) {
        try {
          ask(`${base}/d/${name}`);
          ok++;
        } catch {
          // refused or missing: the same for both
        }
      }
      return ok;
    };
    const a = count(there);
    const b = count(absent);
    if (a !== b) {
      leaks++;
      console.log(`ESCAPED ${what}: /etc/${there} answered ${a} times, /etc/${absent} ${b}`);
    }
  }
}
Atomics.store(stop, 0, 1);
worker.on('exit', () => console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`));
