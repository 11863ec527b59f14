// The memory budget (--memory-limit 64, memory-buffers.flags) holds for
// what lives outside the V8 heap: Buffers, ArrayBuffers and typed arrays
// retained past it fail with Node's catchable RangeError before the budget
// is filled by them, and the run goes on. (Resident memory is checked by
// tests/integration/run.sh: under ASan its quarantine keeps freed memory.)
'use strict';
const MB = 1 << 20;
const leaks = [];
function retain(what, make) {
  const keep = [];
  try {
    for (let i = 0; i < 1024; i++) keep.push(make());
    leaks.push(`${what}: retained ${keep.length} MB`);
  } catch (e) {
    if (!(e instanceof RangeError) || e.message !== 'Array buffer allocation failed') leaks.push(`${what}: ${e}`);
    if (keep.length >= 64) leaks.push(`${what}: ${keep.length} MB before the refusal`);
  }
}
retain('Buffer.alloc', () => Buffer.alloc(MB, 1));
retain('Buffer.allocUnsafe', () => Buffer.allocUnsafe(MB).fill(2));
retain('ArrayBuffer', () => new Uint8Array(new ArrayBuffer(MB)).fill(3));
retain('Float64Array', () => new Float64Array(MB / 8).fill(4));
retain('Buffer.concat', () => Buffer.concat([Buffer.alloc(MB / 2, 5), Buffer.alloc(MB / 2, 6)]));
for (const size of [2 ** 31, 2 ** 40, 200 * MB]) {
  try {
    new ArrayBuffer(size);
    leaks.push(`new ArrayBuffer(${size}) succeeded`);
  } catch (e) {
    if (!(e instanceof RangeError)) leaks.push(`new ArrayBuffer(${size}): ${e}`);
  }
}
// What was dropped comes back: the budget is a count of live memory.
for (let i = 0; i < 200; i++) Buffer.alloc(MB, 7);
console.log(leaks.length ? leaks.join('\n') : 'HELD');
