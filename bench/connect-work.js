// bench/connect-work.js — N sequential TCP connects to host:port, each
// closed once made; prints the median connect time in microseconds.
'use strict';
const net = require('net');
const [host, port, n] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] || 2000)];
const times = [];
function one() {
  const t0 = process.hrtime.bigint();
  const s = net.connect(port, host, () => {
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
    s.destroy();
    if (times.length < n) setImmediate(one);
    else {
      times.sort((a, b) => a - b);
      console.log(times[Math.floor(times.length / 2)].toFixed(1));
    }
  });
  s.on('error', (e) => { console.error(e.message); process.exit(1); });
}
one();
