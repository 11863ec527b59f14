// The bridges' native buffers in the memory budget (--memory-limit 64,
// memory-bridges.flags): reading a file larger than the budget, zlib output
// rooms and a decompression bomb, crypto outputs and scrypt's work area
// fail with Node's catchable RangeError instead of growing the process.
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const crypto = require('crypto');
const MB = 1 << 20;
const leaks = [];
function refused(what, f) {
  try {
    const r = f();
    leaks.push(`${what}: ${r && r.length} bytes`);
  } catch (e) {
    if (!(e instanceof RangeError)) leaks.push(`${what}: ${e}`);
  }
}
// a sparse 80 MB file in the private /tmp (no memory until read)
const fd = fs.openSync('/tmp/big', 'w');
fs.ftruncateSync(fd, 80 * MB);
fs.closeSync(fd);
refused('readFileSync of 80 MB', () => fs.readFileSync('/tmp/big'));
refused('readFileSync of 80 MB as text', () => fs.readFileSync('/tmp/big', 'latin1'));
refused('inflateSync with a 512 MB chunk', () => zlib.inflateSync(zlib.deflateSync(Buffer.alloc(10)), { chunkSize: 512 * MB }));
refused('pbkdf2Sync of 200 MB', () => crypto.pbkdf2Sync('p', 's', 1, 200 * MB, 'sha256'));
refused('scryptSync with 1 GB of work', () => crypto.scryptSync('p', 's', 16, { N: 2 ** 20, r: 8, maxmem: 2 * 1024 * MB }));
refused('randomBytes of 100 MB', () => crypto.randomBytes(100 * MB));
const bomb = zlib.gzipSync(Buffer.alloc(4 * MB));
const parts = [];
for (let i = 0; i < 50; i++) parts.push(bomb);
const bombs = Buffer.concat(parts); // 200 MB of zeros once inflated
refused('gunzipSync of a 200 MB bomb', () => zlib.gunzipSync(bombs));
fs.readFile('/tmp/big', (err, data) => {
  if (!(err instanceof RangeError)) leaks.push(`readFile of 80 MB: ${err || data.length}`);
  zlib.gunzip(bombs, (err2, out) => {
    if (!(err2 instanceof RangeError)) leaks.push(`gunzip of a 200 MB bomb: ${err2 || out.length}`);
    console.log(leaks.length ? leaks.join('\n') : 'HELD');
  });
});
