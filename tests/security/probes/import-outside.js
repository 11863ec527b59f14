// ES module loading aimed outside the app: import() of the secret by
// absolute path, file: URL, relative path with .., through an .mjs the
// probe cannot write, via import.meta.resolve, a data: module importing a
// file, JSON with an assertion, a CommonJS re-export lexed from outside,
// and require() of ESM by path. The loader reads beneath /app without the
// broker; everything else must still be refused.
'use strict';
const path = require('path');

const dir = process.argv[2];
const leaks = [];
const rel = path.relative(process.cwd(), dir);
const attempts = [
  () => import(`${dir}/key.js`),
  () => import(`file://${dir}/key.js`),
  () => import(`../${rel}/key.js`),
  () => import(`${dir}/key.txt`),
  () => import(`${dir}/key.txt`, { with: { type: 'json' } }),
  () => import(`data:text/javascript,import x from 'file://${dir}/key.js'; export default x;`),
  () => import(`data:text/javascript,export * from '${dir}/key.js';`),
  () => import('/etc/passwd'),
  () => import('file:///proc/self/environ'),
  () => import('node:fs').then((fs) => fs.readFileSync(`${dir}/key.txt`, 'utf8')),
  () => Promise.resolve().then(() => require(`${dir}/key.mjs`)),
];

(async () => {
  for (const attempt of attempts) {
    try {
      const got = await attempt();
      leaks.push(typeof got === 'string' ? got : JSON.stringify(got && got.default));
    } catch (err) {
      const ok = ['EACCES', 'ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_UNKNOWN_FILE_EXTENSION',
        'ERR_UNSUPPORTED_RESOLVE_REQUEST', 'ERR_ACCESS_DENIED',
        // the secret's folder is not in the sandbox at all: a read of it is
        // Node's ENOENT (the guest may know the sandbox's root has no /var)
        'ENOENT'];
      if (!ok.includes(err.code)) leaks.push(`${err.code}: ${err.message}`);
    }
  }
  console.log(leaks.length ? `ESCAPED ${leaks.length}: ${leaks.join(' | ')}` : 'HELD');
})();
