// process.kill reaches only the guest itself and its own children: any
// other pid (a number guessed in the sandbox's pid namespace, the host's
// pids, negative process groups) is refused, and the guest's own child
// can still be signalled.
'use strict';
const cp = require('child_process');

const escapes = [];
const child = cp.spawn('sleep', ['5'], { stdio: 'ignore' });
child.on('spawn', () => {
  const own = new Set([process.pid, child.pid]);
  for (let pid = 1; pid < 400; pid++) {
    if (own.has(pid)) continue;
    try {
      process.kill(pid, 0);
      escapes.push(`kill(${pid}, 0) reached a process`);
    } catch (e) {
      if (!['ESRCH', 'EPERM', 'ERR_ACCESS_DENIED'].includes(e.code)) escapes.push(`kill(${pid}): ${e.code}`);
    }
  }
  for (const pid of [-1, -2, -100, 2 ** 22, 99999]) {
    try {
      process.kill(pid, 0);
      escapes.push(`kill(${pid}, 0) reached a process`);
    } catch (e) {
      if (!['ESRCH', 'EPERM', 'ERR_ACCESS_DENIED'].includes(e.code)) escapes.push(`kill(${pid}): ${e.code}`);
    }
  }
  // its own child: allowed
  try {
    process.kill(child.pid, 0);
  } catch (e) {
    escapes.push(`own child refused: ${e.code}`);
  }
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGTERM') escapes.push(`own child ended ${code} ${signal}`);
    console.log(escapes.length ? `ESCAPED ${escapes.join('; ')}` : 'HELD');
  });
  process.kill(child.pid, 'SIGTERM');
});
child.on('error', (e) => console.log(`ESCAPED sleep did not start: ${e.code}`));
