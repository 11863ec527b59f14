// From a folder the guest may write (@RW@), try to reach the secret
// folder through new names: symlinks to the file and to the folder, a
// folder swapped for a symlink, hard links, rename, copy, cp, and writes
// through a symlink that points outside. Nothing may be read, created or
// changed outside the grants. The guest can make no symlink in @RW@ (the
// OS wall refuses them): the setup leaves the host's own there.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
const rw = process.argv[3];
const file = path.join(dir, 'key.txt');
let leaks = 0;
const leak = (what) => {
  leaks++;
  console.log('LEAK', what);
};
const tryIt = (f) => {
  try {
    f();
  } catch {
    // refused
  }
};

tryIt(() => fs.symlinkSync(file, `${rw}/to-file`));
tryIt(() => fs.symlinkSync(dir, `${rw}/to-dir`));
tryIt(() => fs.symlinkSync(path.relative(rw, file), `${rw}/rel-link`));
for (const p of [`${rw}/to-file`, `${rw}/to-dir/key.txt`, `${rw}/rel-link`]) {
  tryIt(() => leak(`read ${p}: ${fs.readFileSync(p).length}`));
  tryIt(() => leak(`open ${p}: ${fs.openSync(p, 'r')}`));
  tryIt(() => leak(`stat ${p}: ${fs.statSync(p).size}`));
  tryIt(() => leak(`copy ${p}: ${fs.copyFileSync(p, `${rw}/copied`) === undefined}`));
  tryIt(() => leak(`realpath ${p}: ${fs.realpathSync(p)}`));
}
tryIt(() => leak(`readdir via link: ${fs.readdirSync(`${rw}/to-dir`)}`));
tryIt(() => leak(`cp via link: ${fs.cpSync(`${rw}/to-dir`, `${rw}/cp-out`, { recursive: true, dereference: true }) === undefined}`));

// a folder swapped for a symlink between two calls
fs.mkdirSync(`${rw}/swap`);
fs.writeFileSync(`${rw}/swap/key.txt`, 'mine');
fs.rmSync(`${rw}/swap`, { recursive: true });
tryIt(() => fs.symlinkSync(dir, `${rw}/swap`));
tryIt(() => {
  const s = fs.readFileSync(`${rw}/swap/key.txt`, 'utf8');
  if (s !== 'mine') leak(`swap read ${s.length}`);
});

tryIt(() => leak(`hard link: ${fs.linkSync(file, `${rw}/hard`) === undefined}`));
tryIt(() => leak(`rename in: ${fs.renameSync(file, `${rw}/moved`) === undefined}`));
tryIt(() => leak(`copy in: ${fs.copyFileSync(file, `${rw}/c2`) === undefined}`));
tryIt(() => leak(`cp in: ${fs.cpSync(dir, `${rw}/c3`, { recursive: true }) === undefined}`));

// writes through links that point outside
tryIt(() => fs.symlinkSync(path.join(dir, 'planted.txt'), `${rw}/plant`));
tryIt(() => leak(`write via link: ${fs.writeFileSync(`${rw}/plant`, 'x') === undefined}`));
tryIt(() => leak(`append via link: ${fs.appendFileSync(`${rw}/to-file`, 'x') === undefined}`));
tryIt(() => leak(`truncate via link: ${fs.truncateSync(`${rw}/to-file`, 0) === undefined}`));
tryIt(() => leak(`chmod via link: ${fs.chmodSync(`${rw}/to-file`, 0o777) === undefined}`));
tryIt(() => leak(`utimes via link: ${fs.utimesSync(`${rw}/to-file`, 1, 1) === undefined}`));
tryIt(() => leak(`mkdir via link: ${fs.mkdirSync(`${rw}/to-dir/sub`, { recursive: true })}`));
tryIt(() => leak(`rm via link: ${fs.rmSync(`${rw}/to-dir/key.txt`) === undefined}`));
tryIt(() => leak(`unlink via link dir: ${fs.unlinkSync(`${rw}/to-dir/key.txt`) === undefined}`));
tryIt(() => leak(`mkdtemp via link: ${fs.mkdtempSync(`${rw}/to-dir/t-`)}`));

// whatever landed in the writable folder must not hold the secret
for (const name of fs.readdirSync(rw)) {
  const p = `${rw}/${name}`;
  try {
    if (fs.lstatSync(p).isFile() && fs.readFileSync(p, 'utf8').includes('TOP-SECRET')) leak(`secret in ${name}`);
  } catch {
    // unreadable: fine
  }
}
const ws = fs.createWriteStream(`${rw}/plant`);
ws.on('open', () => leak('write stream via link opened'));
ws.on('error', () => console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`));
