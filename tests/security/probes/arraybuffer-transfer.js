// ArrayBuffer.prototype.transfer/transferToFixedLength (js/node/internal/
// es-builtins.js over the native binding.util.moveArrayBuffer) with hostile
// receivers and lengths: each is a JS error, never a crash, and what cannot
// be detached (a WebAssembly memory's buffer) stays usable.
'use strict';
const results = [];
const mem = new WebAssembly.Memory({ initial: 1 });
const cases = [
  () => mem.buffer.transfer(),
  () => mem.buffer.transferToFixedLength(16),
  () => ArrayBuffer.prototype.transfer.call(new SharedArrayBuffer(8)),
  () => ArrayBuffer.prototype.transfer.call(new Uint8Array(8)),
  () => ArrayBuffer.prototype.transfer.call(new Proxy(new ArrayBuffer(8), {})),
  () => ArrayBuffer.prototype.transfer.call(null),
  () => new ArrayBuffer(8).transfer(2 ** 60),
  () => new ArrayBuffer(8).transfer(-1),
  () => new ArrayBuffer(8).transfer({ valueOf() { throw new Error('valueOf'); } }),
  () => { const b = new ArrayBuffer(8); b.transfer(); return b.transfer(); },
];
for (const f of cases) {
  try {
    f();
    results.push('returned');
  } catch (err) {
    results.push(err.constructor.name);
  }
}
new Uint8Array(mem.buffer)[0] = 7;
const ok = results.join() === 'TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,RangeError,RangeError,Error,TypeError' &&
  new Uint8Array(mem.buffer)[0] === 7;
console.log(ok ? 'HELD' : `BROKEN ${results.join()}`);
