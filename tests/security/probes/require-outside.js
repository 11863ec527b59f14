// require() of files outside the app: absolute, relative with .., through a
// symlink the guest cannot create but may find, and via createRequire.
const dir = process.argv[2];
const leaks = [];
const tries = [
  () => require(`${dir}/key.js`),
  () => require(`../${require('path').relative(process.cwd(), dir)}/key.js`),
  () => require('module').createRequire(`${dir}/x.js`)('./key.js'),
  () => require(`${dir}/key.txt`),
  () => require('/etc/passwd'),
];
for (const t of tries) {
  try { leaks.push(String(t())); } catch (e) { if (e.code !== 'EACCES' && e.code !== 'MODULE_NOT_FOUND') leaks.push(e.code); }
}
console.log(leaks.length ? `ESCAPED ${leaks.length}` : 'HELD');
