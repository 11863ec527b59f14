// One memory budget for the whole run (--memory-limit 64,
// worker-memory.flags): four workers each retaining up to 24 MB of Buffers
// get Node's catchable RangeError once the run's budget is used, not four
// budgets (a worker that cannot even be started then is refused too);
// workers filling their heaps end with ERR_WORKER_OUT_OF_MEMORY while the
// main thread goes on; a message too large for what is left is refused.
'use strict';
const { Worker, isMainThread, parentPort, MessageChannel } = require('worker_threads');
const MB = 1 << 20;

if (!isMainThread) {
  parentPort.once('message', (kind) => {
    if (kind === 'buffers') {
      const keep = [];
      let err = '';
      try {
        for (let i = 0; i < 24; i++) keep.push(Buffer.alloc(MB, 1));
      } catch (e) {
        err = `${e.name}: ${e.message}`;
      }
      parentPort.postMessage({ mb: keep.length, err });
      // hold them until told
      parentPort.once('message', () => keep.length);
    } else {
      const keep = [];
      for (;;) keep.push(new Array(1e5).fill({ k: keep.length }));
    }
  });
  return;
}

const leaks = [];
async function buffers() {
  const workers = [];
  const results = [];
  for (let i = 0; i < 4; i++) {
    let w;
    try {
      w = new Worker(__filename);
    } catch (e) {
      if (e.name !== 'DataCloneError' && !(e instanceof RangeError)) leaks.push(`new Worker: ${e}`);
      continue;
    }
    workers.push(w);
    // one at a time: each sees what the others hold
    const r = await new Promise((resolve) => {
      w.once('message', resolve);
      w.once('error', (e) => resolve({ mb: -1, err: `${e.code}` }));
      w.postMessage('buffers');
    });
    results.push(r);
  }
  const total = results.reduce((a, r) => a + Math.max(r.mb, 0), 0);
  if (total > 64) leaks.push(`four workers retained ${total} MB of Buffers under a 64 MB budget`);
  for (const r of results) {
    if (r.err && r.err !== 'RangeError: Array buffer allocation failed' && r.err !== 'ERR_WORKER_OUT_OF_MEMORY') leaks.push(`buffers: ${r.err}`);
  }
  await Promise.all(workers.map((w) => w.terminate()));
}

async function heaps() {
  const ends = [];
  for (let i = 0; i < 3; i++) {
    const w = new Worker(__filename);
    ends.push(new Promise((resolve) => {
      let code = '';
      w.on('error', (e) => { code = e.code; });
      w.on('exit', (c) => resolve(`${code}/${c}`));
    }));
    w.postMessage('heap');
  }
  const got = await Promise.all(ends);
  for (const g of got) if (g !== 'ERR_WORKER_OUT_OF_MEMORY/1') leaks.push(`heap worker ended ${g}`);
}

function message() {
  const { port1, port2 } = new MessageChannel();
  const big = new Uint8Array(48 * MB);
  try {
    // two copies in flight: more than the budget leaves
    port1.postMessage(big);
    port1.postMessage(big);
    leaks.push('two 48 MB messages queued under a 64 MB budget');
  } catch (e) {
    if (e.name !== 'DataCloneError' && !(e instanceof RangeError)) leaks.push(`message: ${e}`);
  }
  port1.close();
  port2.close();
}

(async () => {
  await buffers();
  await heaps();
  message();
  console.log(leaks.length ? leaks.join('\n') : 'HELD');
})();
