// /proc, /sys and /dev through fs under strict: the environment, memory,
// other processes' roots and descriptors, kernel knobs. Nothing readable.
'use strict';
const fs = require('fs');

let leaks = 0;
const absent = new Set(['/sys/kernel', '/root', '/home']);
const targets = [
  '/proc/self/environ', '/proc/self/mem', '/proc/self/maps', '/proc/self/fd', '/proc/self/fd/0',
  '/proc/1/environ', '/proc/1/root', '/proc/self/root/etc/passwd', '/proc/sys/kernel/core_pattern',
  '/proc/sysrq-trigger', '/proc/kcore', '/sys/kernel', '/dev/mem', '/dev/sda', '/etc/shadow',
  '/etc/passwd', '/root', '/home',
];
for (const t of targets) {
  for (const f of [() => fs.readFileSync(t), () => fs.readdirSync(t), () => fs.openSync(t, 'r'),
    () => fs.writeFileSync(t, 'x'), () => fs.statSync(t)]) {
    try {
      f();
      leaks++;
      console.log('LEAK', t);
    } catch (e) {
      // a path the sandbox does not have at all (its root has no /root,
      // /home or /sys) is ENOENT to a read, as in Node: that says nothing
      // of the host; everything the sandbox has is EACCES
      if (e.code !== 'EACCES' && !(e.code === 'ENOENT' && absent.has(t))) {
        leaks++;
        console.log('LEAK', t, e.code);
      }
    }
  }
}
console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
