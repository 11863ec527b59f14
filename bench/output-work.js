// bench/output-work.js — 64 MiB to stdout in 64 KiB writes, for
// bench/output.sh (which reads and times it).
'use strict';
const fs = require('fs');
const chunk = Buffer.alloc(64 << 10, 0x61);
for (let n = 0; n < 64 << 20; n += chunk.length) fs.writeSync(1, chunk);
