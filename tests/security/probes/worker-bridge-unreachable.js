// A worker's runtime hides the native bridge table as the main one does:
// no global, builtin export, worker_threads internal or MessagePort
// prototype reaches a bridge native, in the worker or through its objects.
'use strict';
const { Worker, MessageChannel, isMainThread, parentPort } = require('worker_threads');

function probe() {
  const found = [];
  const names = Object.getOwnPropertyNames(globalThis).concat(Object.getOwnPropertySymbols(globalThis).map(String));
  for (const n of names) if (/bridge|binding|__se/i.test(n)) found.push(n);
  for (const f of ['binding', '_linkedBinding', 'dlopen']) {
    try { process[f]('fs'); found.push(`process.${f} worked`); } catch {}
  }
  for (const m of require('module').builtinModules) {
    let mod;
    try { mod = require(m); } catch { continue; }
    for (const k of Object.getOwnPropertyNames(mod || {})) {
      if (/__se|^_?internal/i.test(k)) found.push(`${m}.${k}`);
    }
  }
  for (const internal of ['internal/worker-hooks', '../internal/binding', 'internal/binding']) {
    try { require(internal); found.push(`require(${internal})`); } catch {}
  }
  // a port is a native handle: its prototype chain and own keys hold no natives
  const { port1 } = new MessageChannel();
  for (let o = port1; o; o = Object.getPrototypeOf(o)) {
    for (const k of Reflect.ownKeys(o)) {
      let v;
      try { v = o[k]; } catch { continue; }
      if (typeof v === 'function' && /\[native code\]/.test(Function.prototype.toString.call(v)) &&
          !/^(?:Object|Function|EventEmitter)$/.test(o.constructor && o.constructor.name)) {
        found.push(`port ${String(k)} is native`);
      }
    }
  }
  port1.close();
  try { Function('return this')().__se_bridge && found.push('Function(this)'); } catch {}
  return found;
}

if (isMainThread) {
  const mine = probe();
  const w = new Worker(__filename);
  w.on('message', (found) => {
    const all = mine.concat(found.map((f) => `worker: ${f}`));
    console.log(all.length ? `ESCAPED ${all.join(',')}` : 'HELD');
  });
  w.on('error', (e) => console.log(`ESCAPED? the worker failed: ${e && e.message}`));
} else {
  parentPort.postMessage(probe());
}
