// Fill a host write grant (@RW@) past its quota (--write-limit 1 MiB,
// --write-files-limit 16) by every way fs writes: one big write, appends,
// a stream, concurrent writes on the pool, copyFile, a growing truncate,
// files, folders, symlinks and hard links. Each refusal must be EDQUOT,
// and the folder must hold at most the quota afterwards.
'use strict';
const fs = require('fs');
const path = require('path');

const rw = process.argv[3];
const MAX_BYTES = 1 << 20;
const MAX_FILES = 16;
const problems = [];
let refusals = 0;
const refused = (what, e) => {
  if (e && e.code === 'EDQUOT' && e.errno === -122) refusals++;
  else problems.push(`${what}: ${e ? `${e.code} ${e.message}` : 'not refused'}`);
};
const mustFail = (what, f) => {
  try {
    f();
    refused(what, null);
  } catch (e) {
    refused(what, e);
  }
};

// one write larger than the quota: refused whole, nothing written
mustFail('big write', () => fs.writeFileSync(`${rw}/big`, Buffer.alloc(2 * MAX_BYTES)));
if (fs.statSync(`${rw}/big`).size !== 0) problems.push('big write left bytes');
// appends until the quota refuses
const chunk = Buffer.alloc(100000, 1);
mustFail('appends', () => {
  for (let i = 0; i < 100; i++) fs.appendFileSync(`${rw}/log`, chunk);
});
// a stream, copyFile from the private /tmp, a growing truncate
fs.writeFileSync('/tmp/src', Buffer.alloc(2 * MAX_BYTES));
mustFail('copyFile', () => fs.copyFileSync('/tmp/src', `${rw}/copy`));
if (fs.existsSync(`${rw}/copy`)) problems.push('refused copyFile created its destination');
mustFail('truncate', () => fs.truncateSync(`${rw}/log`, 1 << 30));
// entries: files, folders, symlinks, hard links
mustFail('files', () => {
  for (let i = 0; i < 100; i++) fs.writeFileSync(`${rw}/f${i}`, '');
});
mustFail('mkdir', () => fs.mkdirSync(`${rw}/d/e/f/g`, { recursive: true }));
mustFail('symlink', () => fs.symlinkSync('log', `${rw}/sl`));
mustFail('link', () => fs.linkSync(`${rw}/log`, `${rw}/hl`));

// concurrent writes on the pool through an existing file
function poolWrites() {
  const fd = fs.openSync(`${rw}/log`, 'r+');
  let left = 32;
  for (let i = 0; i < 32; i++) {
    fs.write(fd, chunk, 0, chunk.length, i * chunk.length, (err) => {
      if (err && err.code !== 'EDQUOT') problems.push(`pool write: ${err.code}`);
      if (--left === 0) finish();
    });
  }
}

const ws = fs.createWriteStream(`${rw}/stream`, { flags: 'a' });
ws.on('error', (e) => {
  refused('stream', e);
  poolWrites();
});
ws.on('finish', () => {
  refused('stream', null);
  poolWrites();
});
ws.write(chunk, () => ws.end(Buffer.alloc(2 * MAX_BYTES)));

function finish() {
  let bytes = 0;
  let entries = 0;
  const walk = (d) => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      entries++;
      bytes += st.isFile() ? st.size : 0;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(rw);
  if (bytes > MAX_BYTES) problems.push(`${bytes} bytes in the grant`);
  if (entries > MAX_FILES) problems.push(`${entries} entries in the grant`);
  if (refusals < 9) problems.push(`only ${refusals} refusals`);
  console.log(problems.length ? problems.join('\n') : 'HELD');
}
