// bench/worker-work.js — worker_threads' costs timed inside the run, for
// bench/worker.sh: N workers started one after the other (new Worker of
// eval code posting 1, until that message: start-up), and M round trips
// of a 1 MiB message to a worker and back (a copy each way). Prints one
// JSON line of milliseconds per operation.
'use strict';
const { Worker } = require('worker_threads');
const N = Number(process.argv[2] || 20);
const M = Number(process.argv[3] || 200);

function startOne() {
  return new Promise((resolve, reject) => {
    const w = new Worker('require("worker_threads").parentPort.postMessage(1)', { eval: true });
    w.once('message', () => {
      w.once('exit', resolve);
    });
    w.once('error', reject);
  });
}

async function main() {
  await startOne(); // warm: the first one compiles what the others reuse
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await startOne();
  const startup = Number(process.hrtime.bigint() - t0) / 1e6 / N;

  const echo = new Worker('const { parentPort } = require("worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));', { eval: true });
  const payload = new Uint8Array(1 << 20).fill(7);
  const roundTrip = () => new Promise((resolve) => {
    echo.once('message', resolve);
    echo.postMessage(payload);
  });
  for (let i = 0; i < 10; i++) await roundTrip();
  t0 = process.hrtime.bigint();
  for (let i = 0; i < M; i++) await roundTrip();
  const rtt = Number(process.hrtime.bigint() - t0) / 1e6 / M;
  await echo.terminate();
  console.log(JSON.stringify({ startup, rtt }));
}
main();
