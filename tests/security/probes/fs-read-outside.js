// Every fs way to read the secret outside the grants, under strict: the
// sync, callback, promise, fd and stream forms, and path spellings that
// try to dodge the check (relative "..", "//", "/./", file: URLs, Buffers,
// /proc/self/root and /proc/self/cwd, /dev/fd).
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
const file = path.join(dir, 'key.txt');
const rel = path.relative(process.cwd(), file);
const spellings = [
  file, rel, `/${file}`, file.replace(/\//g, '//'), file.replace(/\//g, '/./'),
  `${dir}/../${path.basename(dir)}/key.txt`, Buffer.from(file), new URL(`file://${file}`),
  `/proc/self/root${file}`, `/proc/self/cwd/${rel}`, `/proc/${process.pid}/root${file}`,
];
let leaks = 0;
const leak = (what) => {
  leaks++;
  console.log('LEAK', what);
};
const attempts = [];
for (const p of spellings) {
  const shown = String(p);
  attempts.push(() => leak(`readFileSync ${shown}: ${fs.readFileSync(p).length}`));
  attempts.push(() => leak(`openSync ${shown}: ${fs.openSync(p, 'r')}`));
  attempts.push(() => leak(`statSync ${shown}: ${fs.statSync(p).size}`));
  attempts.push(() => leak(`realpathSync ${shown}: ${fs.realpathSync(p)}`));
  attempts.push(() => leak(`accessSync ${shown}: ${fs.accessSync(p) === undefined}`));
}
attempts.push(() => leak(`readdirSync: ${fs.readdirSync(dir)}`));
attempts.push(() => leak(`opendirSync: ${fs.opendirSync(dir).readSync()}`));
for (let fd = 0; fd < 64; fd++) attempts.push(() => leak(`/dev/fd/${fd}: ${fs.readFileSync(`/dev/fd/${fd}`).length}`));
for (const a of attempts) {
  try {
    a();
  } catch {
    // refused: held
  }
}
for (const p of spellings) {
  if (fs.existsSync(p)) leak(`existsSync ${String(p)}`);
}

(async () => {
  const tries = [
    () => fs.promises.readFile(file),
    () => fs.promises.open(file, 'r'),
    () => fs.promises.readdir(dir),
    () => fs.promises.opendir(dir),
    () => fs.promises.cp(dir, '/tmp/se-probe-cp', { recursive: true }),
    () => new Promise((res, rej) => fs.readFile(file, (e, d) => (e ? rej(e) : res(d)))),
    () => new Promise((res, rej) => fs.createReadStream(file).on('error', rej).on('data', res)),
    () => fs.openAsBlob(file),
  ];
  for (const t of tries) {
    try {
      const v = await t();
      leak(`async: ${v && v.constructor && v.constructor.name}`);
    } catch {
      // refused
    }
  }
  console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
})();
