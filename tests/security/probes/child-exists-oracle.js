// spawn is no existence oracle for what the sandbox shows without granting
// (no run grant here, /etc and /usr not readable to the guest): a file that
// is there and one that is not (by path, through a PATH of the guest's,
// relative to a cwd of the guest's) get the same answer, as a refused
// fs.stat does (docs/permissions.md, "Refusals say why").
'use strict';
const cp = require('child_process');

function answer(file, options) {
  try {
    const r = cp.spawnSync(file, [], { encoding: 'utf8', ...options });
    return r.error ? `error ${r.error.code}` : `ran ${r.status}`;
  } catch (e) {
    return `threw ${e.code}`;
  }
}
const pairs = [
  ['/etc/passwd', '/etc/no-such-file-here'],
  ['/usr/bin/id', '/usr/bin/no-such-program'],
  ['/etc/ssl', '/etc/no-such-folder'],
  ['/etc/passwd/x', '/etc/no-such-folder/x'],
];
const escapes = [];
for (const [there, absent] of pairs) {
  const a = answer(there);
  const b = answer(absent);
  if (a !== b) escapes.push(`${there}: ${a} / ${absent}: ${b}`);
}
for (const [there, absent] of [['passwd', 'no-such-file-here'], ['id', 'no-such-program']]) {
  for (const options of [{ env: { PATH: '/etc:/usr/bin' } }, { cwd: '/etc', env: { PATH: '' } }]) {
    const a = answer(there, options);
    const b = answer(absent, options);
    if (a !== b) escapes.push(`${there} (${JSON.stringify(options)}): ${a} / ${absent}: ${b}`);
  }
  const a = answer(`./${there}`, { cwd: '/etc' });
  const b = answer(`./${absent}`, { cwd: '/etc' });
  if (a !== b) escapes.push(`./${there} in /etc: ${a} / ./${absent}: ${b}`);
}
console.log(escapes.length ? `ESCAPED ${escapes.join('; ')}` : 'HELD');
