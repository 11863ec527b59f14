// A nested guest runs under the parent's policy, never a wider one: a
// granted program that starts others (env) starts the launcher with a
// marker of the guest's making and a policy of its own on stdin
// (fs.read = /). The nested guest must not read what the guest may not
// (/proc here: the JS wall shows it only when granted).
'use strict';
const cp = require('child_process');

let leaks = 0;
const code = 'try { require("fs").readdirSync("/proc"); console.log("READ-PROC") } catch (e) { console.log("refused", e.code) }';
const policy = 'fs.read = /\nfs.write = /tmp\nenv.allow = *\nrun.allow = *\n';
for (const marker of ['--se-nested=0,-1,-1', '--se-nested=0,-1,-1,forged-run']) {
  let r;
  try {
    r = cp.spawnSync('env', [process.execPath, marker, '-e', code], { input: policy, encoding: 'utf8' });
  } catch (e) {
    continue;
  }
  if (r.stdout.includes('READ-PROC')) {
    leaks++;
    console.log('LEAK a nested guest with a forged policy read /proc', marker);
  }
}
// its own try: the guest's policy refuses /proc
try {
  require('fs').readdirSync('/proc');
  console.log('note: the guest itself may read /proc (a grant): the probe proves nothing');
} catch {}
console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
