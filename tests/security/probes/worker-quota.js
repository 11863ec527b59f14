// The write quota of host grants (--write-limit 1 MiB, --write-files-limit
// 16, worker-quota.flags) is one for the run: four workers each writing a
// MiB into the grant (@RW@) and making files get EDQUOT once the run's
// quota is used, not four quotas; the folder holds at most the quota.
'use strict';
const fs = require('fs');
const path = require('path');
const { Worker, isMainThread, workerData, parentPort } = require('worker_threads');
const MAX_BYTES = 1 << 20;
const MAX_FILES = 16;

if (!isMainThread) {
  const { rw, i } = workerData;
  const out = { bytes: 0, files: 0, errors: [] };
  try {
    for (let k = 0; k < 16; k++) {
      fs.appendFileSync(path.join(rw, `w${i}`), Buffer.alloc(64 << 10, 1));
      out.bytes += 64 << 10;
    }
  } catch (e) {
    if (e.code !== 'EDQUOT') out.errors.push(`write: ${e.code}`);
  }
  try {
    for (let k = 0; k < 16; k++) {
      fs.writeFileSync(path.join(rw, `f${i}-${k}`), '');
      out.files++;
    }
  } catch (e) {
    if (e.code !== 'EDQUOT') out.errors.push(`create: ${e.code}`);
  }
  parentPort.postMessage(out);
  return;
}

const rw = process.argv[3];
const problems = [];
let ended = 0;
for (let i = 0; i < 4; i++) {
  const w = new Worker(__filename, { workerData: { rw, i } });
  w.on('message', (m) => problems.push(...m.errors));
  w.on('error', (e) => problems.push(`worker: ${e.message}`));
  w.on('exit', () => {
    if (++ended < 4) return;
    let bytes = 0;
    let files = 0;
    for (const name of fs.readdirSync(rw)) {
      files++;
      bytes += fs.statSync(path.join(rw, name)).size;
    }
    if (bytes > MAX_BYTES) problems.push(`the grant holds ${bytes} bytes past the ${MAX_BYTES} quota`);
    if (files > MAX_FILES) problems.push(`the grant holds ${files} files past the ${MAX_FILES} quota`);
    console.log(problems.length ? problems.join('\n') : 'HELD');
  });
}
