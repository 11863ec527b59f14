// Nested guests fail as processes do, never with an abort: twelve at once
// (the pids limit is met while their V8 platforms start threads), and one
// writing to a pipe whose reader is gone (EPIPE, as Node, not SIGPIPE).
'use strict';
const cp = require('child_process');

let leaks = 0;
let left = 13;
const done = () => {
  if (--left === 0) console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
};
for (let i = 0; i < 12; i++) {
  const c = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'], { stdio: 'ignore' });
  c.on('error', () => {});
  c.on('exit', (status, signal) => {
    if (signal === 'SIGABRT' || signal === 'SIGSEGV') {
      leaks++;
      console.log('LEAK nested guest', i, 'died of', signal);
    }
    done();
  });
}
const code = 'setTimeout(() => { try { require("fs").writeSync(1, "x") } catch (e) { process.exit(3) } }, 300)';
const p = cp.spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
p.stdout.destroy();
p.on('exit', (status, signal) => {
  if (signal === 'SIGPIPE') {
    leaks++;
    console.log('LEAK nested guest died of SIGPIPE writing to a closed pipe');
  }
  done();
});
