// Nothing outside the sandbox can be signalled and no terminal reached:
// process.kill of the guest's group, of every process, of its parent and
// of the invoker's group is refused; /dev/tty does not open; descriptors
// 0-2 are not terminals, and process.std*.isTTY says so too.
'use strict';
const fs = require('fs');
const tty = require('tty');

const escaped = [];
const targets = [
  [0, 'SIGSTOP'], [0, 'SIGTSTP'], [0, 'SIGTTIN'], [0, 'SIGUSR1'],
  [-1, 'SIGKILL'], [process.ppid, 'SIGSTOP'], [-process.ppid, 'SIGSTOP'],
];
for (const [pid, sig] of targets) {
  try {
    process.kill(pid, sig);
    escaped.push(`process.kill(${pid}, ${sig}) went through`);
  } catch {
    // refused: what the probe wants
  }
}
try {
  fs.closeSync(fs.openSync('/dev/tty', 'r'));
  escaped.push('/dev/tty opened');
} catch {
  // absent (OS wall) or refused (JS wall)
}
for (const fd of [0, 1, 2]) {
  if (tty.isatty(fd)) escaped.push(`descriptor ${fd} is a terminal`);
}
for (const name of ['stdin', 'stdout', 'stderr']) {
  if (process[name].isTTY) escaped.push(`process.${name}.isTTY is ${process[name].isTTY}`);
}
console.log(escaped.length ? `ESCAPED ${escaped.join('; ')}` : 'HELD');
