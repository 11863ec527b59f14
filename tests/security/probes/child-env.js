// A child sees none of the launcher's environment: only what the guest
// passes (its own process.env by default, which the strict profile leaves
// empty). Each way of starting a child is asked for its whole environment.
'use strict';
const cp = require('child_process');

const found = [];
const given = Object.keys(process.env);
// the names in a child's `env` output or JSON that the guest did not give it
function check(what, names, allowed) {
  const extra = names.filter((n) => n !== '' && !allowed.includes(n));
  if (extra.length) found.push(`${what}: ${extra.join(',')}`);
}
function envNames(text) {
  return text.split('\n').map((l) => l.split('=')[0]);
}
function run(what, f) {
  try {
    f();
  } catch (e) {
    found.push(`${what}: ${e.code || e.message}`);
  }
}

run('env default', () => check('env default', envNames(cp.execFileSync('env', { encoding: 'utf8' })), given));
run('env given', () => check('env given', envNames(cp.execFileSync('env', { env: { ONLY: '1' }, encoding: 'utf8' })), ['ONLY']));
run('env empty', () => check('env empty', envNames(cp.execFileSync('env', { env: {}, encoding: 'utf8' })), []));
run('env -i absent', () => check('env prototype', envNames(cp.execFileSync('env', { env: Object.create(null), encoding: 'utf8' })), []));
run('node', () => {
  const out = cp.execFileSync(process.execPath, ['-p', 'JSON.stringify(Object.keys(process.env))'], { env: { A: 'b' }, encoding: 'utf8' });
  check('node given', JSON.parse(out), ['A']);
});
run('fork', () => {
  const out = cp.execFileSync(process.execPath, ['-p', 'JSON.stringify(Object.keys(process.env))'], { encoding: 'utf8' });
  check('node default', JSON.parse(out), given);
});
const asyncChild = cp.spawn('env', [], { env: { ASYNC: '1' } });
let text = '';
asyncChild.stdout.on('data', (d) => { text += d; });
asyncChild.on('error', (e) => found.push(`async: ${e.code}`));
asyncChild.on('close', () => {
  check('async', envNames(text), ['ASYNC']);
  // (names only: with --allow-all the guest's own environment is the
  // launcher's, and a child rightly sees it when given it)
  console.log(found.length ? `ESCAPED ${found.join('; ')}` : 'HELD');
});
