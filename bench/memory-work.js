// bench/memory-work.js — one workload of bench/memory.sh, named by argv[2];
// prints {"<name>": milliseconds}. Buffer churn (what the memory budget
// counts) and allocation/CPU workloads (what the young generation's
// size decides). The Map workload sets 2M small objects in maps of 500k,
// so its live set (about 40 MB) fits strict's 128 MB budget: 2M in one map
// needs 150-170 MB of heap in node itself.
'use strict';
function churn(size, n) {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const b = Buffer.allocUnsafe(size);
    b[i % size] = 1;
    sum += b.length;
  }
  return sum;
}
const workloads = {
  'Buffer.allocUnsafe 64 KiB x100k': () => churn(64 << 10, 100000),
  'Buffer.allocUnsafe 1 MiB x10k': () => churn(1 << 20, 10000),
  'JSON 1 MB parse+stringify x50': () => {
    const rows = [];
    for (let i = 0; i < 9000; i++) {
      rows.push({ id: i, name: `user-${i}`, tags: ['a', 'b', String(i % 7)], score: i * 0.5, ok: i % 2 === 0 });
    }
    let text = JSON.stringify(rows);
    let n = 0;
    for (let i = 0; i < 50; i++) {
      const v = JSON.parse(text);
      text = JSON.stringify(v);
      n += v.length;
    }
    return n + text.length;
  },
  'JSON 120 B parse+stringify x500k': () => {
    const msg = JSON.stringify({ id: 12345, user: 'alice', action: 'login', ok: true,
      tags: ['web', 'eu-west'], meta: { ip: '10.0.0.1', ua: 'curl/8.0' } });
    let n = 0;
    for (let i = 0; i < 5e5; i++) {
      const o = JSON.parse(msg);
      o.id = i;
      n += JSON.stringify(o).length;
    }
    return n;
  },
  'Map.set 2M small objects': () => {
    let size = 0;
    for (let k = 0; k < 4; k++) {
      const m = new Map();
      for (let i = 0; i < 5e5; i++) m.set(i, { i, s: 'x' });
      size += m.size;
    }
    return size;
  },
  'integer loop 5e7': () => {
    let x = 0;
    for (let i = 0; i < 5e7; i++) x = (x + i * 7) | 0;
    return x;
  },
};
const name = process.argv[2];
if (!workloads[name]) {
  console.log(JSON.stringify(Object.keys(workloads)));
  process.exit(name ? 1 : 0);
}
const t0 = process.hrtime.bigint();
const r = workloads[name]();
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
if (typeof r !== 'number') throw new Error('no result');
console.log(JSON.stringify({ [name]: ms }));
