// Buffer.allocUnsafe and allocUnsafeSlow are not zero-filled, as in Node,
// but what they hand back must only ever be bytes this guest wrote itself:
// never memory of the launcher (its heap before the sandbox was built
// holds the host's environment and paths), of V8, or of a bridge. Every
// buffer this probe makes is filled with 0x5a once looked at, so any other
// non-zero byte in an unzeroed buffer is somebody else's. A failed
// allocUnsafe must leave zero-filling on: Buffer.alloc, new Uint8Array and
// ArrayBuffer stay zeroed after it, even for sizes the guest freed full of
// 0x5a. (memory-unzeroed.flags: a small budget, so the GC frees and the
// allocator reuses often.)
'use strict';
const leaks = [];
const sizes = [4096, 4097, 16384, 65536, 100000, 1 << 20];
let foreign = 0;
let zeroedDirty = 0;

// The index of the first byte of b that is neither 0 nor (if ok5a) 0x5a;
// -1 if none. Whole 32-bit words first: this is most of the probe's time.
function firstOther(b, ok5a) {
  const words = b.byteOffset % 4 === 0 ? b.length >> 2 : 0;
  const w = new Int32Array(b.buffer, b.byteOffset, words);
  let from = words * 4;
  for (let i = 0; i < words; i++) {
    if (w[i] !== 0 && !(ok5a && w[i] === 0x5a5a5a5a)) { from = i * 4; break; }
  }
  for (let i = from; i < b.length; i++) if (b[i] !== 0 && !(ok5a && b[i] === 0x5a)) return i;
  return -1;
}

function look(b, what) {
  const i = firstOther(b, true);
  if (i >= 0 && foreign++ < 3) leaks.push(`${what}(${b.length}): byte ${b[i]} at ${i}`);
  b.fill(0x5a);
}

function zeroed(b, what) {
  const i = firstOther(b, false);
  if (i >= 0 && zeroedDirty++ < 3) leaks.push(`${what}(${b.length}) not zeroed: byte ${b[i]} at ${i}`);
  b.fill(0x5a);
}

for (let round = 0; round < 30; round++) {
  for (const n of sizes) {
    look(Buffer.allocUnsafe(n), 'allocUnsafe');
    look(Buffer.allocUnsafeSlow(n), 'allocUnsafeSlow');
    zeroed(Buffer.alloc(n), 'Buffer.alloc');
    zeroed(new Uint8Array(n), 'Uint8Array');
    zeroed(new Uint8Array(new ArrayBuffer(n)), 'ArrayBuffer');
    zeroed(Buffer.from(new Uint8Array(n)), 'Buffer.from');
  }
  // a failed allocation in the middle of allocUnsafe leaves zero-filling on
  if (round % 10 === 0) {
    try {
      Buffer.allocUnsafe(1 << 30);
      leaks.push('allocUnsafe(1 GiB) succeeded under a 32 MB budget');
    } catch (e) {
      if (!(e instanceof RangeError)) leaks.push(`allocUnsafe(1 GiB): ${e}`);
    }
    for (const n of sizes) zeroed(new Uint8Array(n), 'Uint8Array after a failure');
  }
}
// no guest code runs while allocUnsafe has zero-filling off: hooks on the
// globals a Buffer implementation may call find it on (and a zeroed
// allocation inside them zeroed) even when a freed store of that size waits
const hooked = [[Object, 'setPrototypeOf'], [Reflect, 'setPrototypeOf'], [Object, 'defineProperty'],
  [Math, 'floor'], [Math, 'min'], [Number, 'isInteger'], [ArrayBuffer, 'isView']];
for (const [obj, name] of hooked) {
  for (let i = 0; i < 8; i++) new Uint8Array(8192).fill(0x5a);
  for (let i = 0; i < 200; i++) new Array(100000);
  const orig = obj[name];
  obj[name] = function (...args) {
    obj[name] = orig;
    for (let i = 0; i < 4; i++) zeroed(Buffer.alloc(8192), `Buffer.alloc in ${name}`);
    zeroed(new Uint8Array(8192), `Uint8Array in ${name}`);
    return Reflect.apply(orig, this, args);
  };
  look(Buffer.allocUnsafe(16), 'allocUnsafe');
  look(Buffer.allocUnsafeSlow(16), 'allocUnsafeSlow');
  obj[name] = orig;
}

// what V8 copies into memory it asked for uninitialized is all there is
const src = Buffer.alloc(65536, 0x5a);
for (let i = 0; i < 200; i++) {
  look(new Uint8Array(src.buffer.slice(0)), 'ArrayBuffer.slice');
  look(src.subarray(0).slice(), 'TypedArray.slice');
  look(structuredClone(src), 'structuredClone');
}

console.log(leaks.length ? leaks.join('\n') : 'HELD');
