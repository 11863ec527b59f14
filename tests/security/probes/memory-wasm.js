// WebAssembly memories in the memory budget (--memory-limit 64,
// memory-wasm.flags). V8 reserves them itself, so the engine's page limit
// is set from the budget: a memory cannot be made or grown past it, from
// JS or from wasm code (memory.grow returns -1), and what a memory holds
// is counted with the heap, so Buffers beside it get only the rest.
// (Growing one to the budget ends the run with 137: tests/security/run.sh.)
'use strict';
const MB = 1 << 20;
const leaks = [];
// (module (memory (export "m") 1) (func (export "grow") (param i32) (result i32)
//   local.get 0 memory.grow))
const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1,
  0, 5, 3, 1, 0, 1, 7, 12, 2, 1, 109, 2, 0, 4, 103, 114, 111, 119, 0, 0, 10, 8, 1, 6, 0, 32, 0,
  64, 0, 11]);
const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
if (exports.grow(2048) !== -1) leaks.push('memory.grow to 128 MB');
if (exports.grow(639) !== 1) leaks.push('memory.grow to 40 MB failed');
new Uint8Array(exports.m.buffer).fill(1);
try {
  exports.m.grow(1024);
  leaks.push('Memory.grow past the budget');
} catch (e) {
  if (!(e instanceof RangeError)) leaks.push(`Memory.grow: ${e}`);
}
for (const initial of [1100, 16384]) {
  try {
    new WebAssembly.Memory({ initial });
    leaks.push(`a memory of ${initial} pages`);
  } catch (e) {
    if (!(e instanceof RangeError)) leaks.push(`Memory(${initial}): ${e}`);
  }
}
const keep = [];
try {
  for (let i = 0; i < 64; i++) keep.push(Buffer.alloc(MB, 1));
} catch (e) {
  if (!(e instanceof RangeError)) leaks.push(`Buffer beside the memory: ${e}`);
}
if (keep.length + 40 > 64) leaks.push(`${keep.length} MB of Buffers beside a 40 MB memory`);
console.log(leaks.length ? leaks.join('\n') : 'HELD');
