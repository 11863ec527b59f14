// A refusal's hint names no target of a link the guest may not read: the
// system folders' links (/etc/localtime names the host's time zone,
// /usr/bin/awk which awk is installed, /bin a merged /usr) stay as given,
// through stat, open, require, fs.watch, a spawn's refusal and a link of the
// guest's own in /tmp (whose own target it may read, and no further).
'use strict';
const fs = require('fs');

const links = ['/etc/localtime', '/etc/mtab', '/etc/os-release', '/etc/resolv.conf', '/usr/bin/awk',
  '/usr/bin/python3', '/bin/sh', '/lib64/ld-linux-x86-64.so.2', '/etc/alternatives/awk', '/usr/bin/editor'];
const escapes = [];
function hint(f) {
  try {
    f();
  } catch (e) {
    const m = /--allow-read=(.*)\)$/.exec(String(e.message));
    return m ? m[1] : null;
  }
  return null;
}
for (const p of links) {
  const ops = {
    stat: () => fs.statSync(p),
    read: () => fs.readFileSync(p),
    require: () => require(p),
    watch: () => fs.watch(p).close(),
  };
  for (const [op, f] of Object.entries(ops)) {
    const h = hint(f);
    if (h !== null && h !== p) escapes.push(`${op} ${p}: ${h}`);
  }
}
try {
  fs.symlinkSync('/etc/localtime', '/tmp/tz');
  const h = hint(() => fs.readFileSync('/tmp/tz'));
  if (h !== null && h !== '/etc/localtime' && h !== '/tmp/tz') escapes.push(`/tmp/tz: ${h}`);
} catch {}
for (const p of ['/bin/sh', '/usr/bin/awk', '/usr/bin/python3', 'sh', 'python3', 'awk']) {
  try {
    require('child_process').spawnSync(p, [], { stdio: 'ignore' });
  } catch (e) {
    const m = /restricted: spawn (\S+) /.exec(String(e.message));
    if (m && m[1] !== p) escapes.push(`spawn ${p}: ${m[1]}`);
  }
}
console.log(escapes.length ? `ESCAPED ${escapes.join('; ')}` : 'HELD');
