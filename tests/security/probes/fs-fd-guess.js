// Guess descriptors the guest never opened (the launcher's own, the
// snapshot, the loop's): every fs call on them must fail with EBADF, and
// stdio must not be closable.
'use strict';
const fs = require('fs');

let leaks = 0;
const leak = (what) => {
  leaks++;
  console.log('LEAK', what);
};
for (let fd = 3; fd < 1024; fd++) {
  for (const [name, f] of [
    ['fstat', () => fs.fstatSync(fd)],
    ['read', () => fs.readSync(fd, Buffer.alloc(16), 0, 16, 0)],
    ['write', () => fs.writeSync(fd, 'x')],
    ['readFile', () => fs.readFileSync(fd)],
    ['ftruncate', () => fs.ftruncateSync(fd, 0)],
    ['fchmod', () => fs.fchmodSync(fd, 0o777)],
    ['close', () => fs.closeSync(fd)],
  ]) {
    try {
      f();
      leak(`${name}(${fd})`);
    } catch (e) {
      if (e.code !== 'EBADF') leak(`${name}(${fd}) ${e.code}`);
    }
  }
}
for (const fd of [0, 1, 2]) {
  try {
    fs.closeSync(fd);
    leak(`close(${fd})`);
  } catch {
    // refused
  }
}
const s = fs.createReadStream(null, { fd: 7 });
s.on('error', (e) => {
  if (e.code !== 'EBADF') leak(`stream ${e.code}`);
  console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
});
s.on('data', () => leak('stream data'));
