// bench/fs-work.js — fs workloads timed inside the process (start-up is
// bench/startup.sh's business). argv[2]: a scratch folder the run may
// read and write. Prints one JSON object: workload -> milliseconds.
'use strict';
const fs = require('fs');

const dir = process.argv[2];
const small = `${dir}/small.txt`;
const big = `${dir}/big.bin`;
fs.writeFileSync(small, 'x'.repeat(200));
fs.writeFileSync(big, Buffer.alloc(8 * 1024 * 1024, 7));
fs.mkdirSync(`${dir}/many`, { recursive: true });
for (let i = 0; i < 1000; i++) fs.writeFileSync(`${dir}/many/f${i}`, '');

const out = {};
function time(name, fn) {
  const t0 = process.hrtime.bigint();
  const r = fn();
  const done = () => { out[name] = Number(process.hrtime.bigint() - t0) / 1e6; };
  return r && typeof r.then === 'function' ? r.then(done) : done();
}

(async () => {
  time('readFileSync small x5000', () => { for (let i = 0; i < 5000; i++) fs.readFileSync(small, 'utf8'); });
  time('statSync x10000', () => { for (let i = 0; i < 10000; i++) fs.statSync(small); });
  time('existsSync missing x10000', () => { for (let i = 0; i < 10000; i++) fs.existsSync(`${dir}/nope`); });
  const chunk = Buffer.alloc(64 * 1024, 1);
  time('write+read 64KiB x1000', () => {
    for (let i = 0; i < 1000; i++) { fs.writeFileSync(`${dir}/w.bin`, chunk); fs.readFileSync(`${dir}/w.bin`); }
  });
  time('readdirSync 1000 entries x200', () => { for (let i = 0; i < 200; i++) fs.readdirSync(`${dir}/many`); });
  await time('promises.readFile small x2000', async () => {
    for (let i = 0; i < 2000; i++) await fs.promises.readFile(small);
  });
  await time('callback stat x2000', () => new Promise((resolve) => {
    let n = 0;
    const next = () => (n++ < 2000 ? fs.stat(small, next) : resolve());
    next();
  }));
  await time('stream copy 8MiB', () => new Promise((resolve, reject) => {
    fs.createReadStream(big).pipe(fs.createWriteStream(`${dir}/copy.bin`)).on('finish', resolve).on('error', reject);
  }));
  console.log(JSON.stringify(out));
})();
