// With only `echo` granted, no other program starts: not by absolute path
// or bare name, not the launcher itself (/proc/self/exe, process.execPath),
// not a copy of a program made executable in the private /tmp, not one
// planted as /tmp/echo and found through PATH or a link, not a shell. Each
// start is refused (ERR_ACCESS_DENIED thrown, or the child fails to start);
// a program that ran would be seen by its output.
'use strict';
const cp = require('child_process');
const fs = require('fs');

const escapes = [];
function tryRun(what, file, args, options) {
  let out;
  try {
    const r = cp.spawnSync(file, args, { encoding: 'utf8', ...options });
    if (r.error) return; // did not start
    out = `${r.stdout}${r.stderr}`;
    if (r.status === 0 || out.length > 0) escapes.push(`${what} ran (status ${r.status})`);
  } catch (e) {
    if (e.code !== 'ERR_ACCESS_DENIED') escapes.push(`${what}: ${e.code || e.message}`);
  }
}

tryRun('/bin/ls', '/bin/ls', ['/']);
tryRun('ls', 'ls', ['/']);
tryRun('/usr/bin/id', '/usr/bin/id', []);
tryRun('sh', 'sh', ['-c', 'echo shell']);
tryRun('/bin/sh', '/bin/sh', ['-c', 'echo shell']);
tryRun('/proc/self/exe', '/proc/self/exe', ['-e', 'console.log(1)']);
tryRun('/proc/1/exe', '/proc/1/exe', ['-e', 'console.log(1)']);
tryRun('execPath', process.execPath, ['-e', 'console.log(1)']);
tryRun('argv0 echo for ls', '/bin/ls', ['/'], { argv0: 'echo' });
// copies of programs made executable in the private /tmp
function plant(name, from) {
  try {
    fs.copyFileSync(from, name);
    fs.chmodSync(name, 0o755);
    return true;
  } catch {
    return false;
  }
}
if (plant('/tmp/ls-copy', '/bin/ls')) tryRun('/tmp/ls-copy', '/tmp/ls-copy', ['/']);
if (plant('/tmp/echo-copy', '/bin/echo')) tryRun('/tmp/echo-copy', '/tmp/echo-copy', ['copied echo']);
fs.mkdirSync('/tmp/bin', { recursive: true });
if (plant('/tmp/bin/echo', '/bin/ls')) {
  tryRun('planted /tmp/bin/echo by path', '/tmp/bin/echo', ['/']);
  // the granted name found through a PATH that leads to the plant: either
  // the real echo runs (it prints its argument) or nothing does
  try {
    const r = cp.spawnSync('echo', ['/'], { env: { PATH: '/tmp/bin' }, encoding: 'utf8' });
    if (!r.error && r.stdout !== '/\n') escapes.push(`PATH plant ran: ${JSON.stringify(r.stdout.slice(0, 40))}`);
  } catch (e) {
    if (e.code !== 'ERR_ACCESS_DENIED') escapes.push(`PATH plant: ${e.code}`);
  }
  try {
    const r = cp.spawnSync('echo', ['/'], { cwd: '/tmp/bin', env: { PATH: '.' }, encoding: 'utf8' });
    if (!r.error && r.stdout !== '/\n') escapes.push(`cwd plant ran: ${JSON.stringify(r.stdout.slice(0, 40))}`);
  } catch (e) {
    if (e.code !== 'ERR_ACCESS_DENIED') escapes.push(`cwd plant: ${e.code}`);
  }
}
try {
  fs.symlinkSync('/bin/ls', '/tmp/echo-link');
  tryRun('link to ls', '/tmp/echo-link', ['/']);
} catch {}
// the async form too
let pending = 2;
function asyncTry(what, file, args) {
  try {
    const child = cp.spawn(file, args);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', () => {});
    child.on('close', (code) => {
      if (code === 0 || out) escapes.push(`async ${what} ran`);
      finish();
    });
  } catch (e) {
    if (e.code !== 'ERR_ACCESS_DENIED') escapes.push(`async ${what}: ${e.code}`);
    finish();
  }
}
function finish() {
  if (--pending === 0) console.log(escapes.length ? `ESCAPED ${escapes.join('; ')}` : 'HELD');
}
asyncTry('/bin/ls', '/bin/ls', ['/']);
asyncTry('fork', process.execPath, ['-e', 'console.log(1)']);
