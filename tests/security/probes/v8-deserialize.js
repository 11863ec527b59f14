// v8.deserialize and the Deserializer read hostile bytes: random and
// mutated serializations (host objects, lengths, tags) must throw or give
// a value, never crash; re-entrant reads from _readHostObject and a
// Serializer whose callbacks misbehave likewise.
const v8 = require('v8');
let seed = 12345;
function rand(n) {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}
const samples = [
  { a: [1, 2, { b: 'x' }], m: new Map([[1, new Set([2])]]), d: new Date(0), r: /x/g, n: 2n ** 70n },
  [Buffer.from('abc'), new Uint16Array([1, 2, 3]), new Float64Array(2), new DataView(new ArrayBuffer(8))],
  new ArrayBuffer(16), 'ünïcödé'.repeat(10), [1.5, -0, NaN, Infinity], new Error('e'),
];
let ran = 0;
for (const s of samples) {
  const good = v8.serialize(s);
  for (let i = 0; i < 400; i++) {
    const b = Buffer.from(good);
    const flips = 1 + rand(4);
    for (let j = 0; j < flips; j++) b[rand(b.length)] = rand(256);
    if (rand(4) === 0) b.writeUInt32LE(0xffffffff, Math.min(b.length - 4, rand(b.length)));
    try { v8.deserialize(rand(3) === 0 ? b.subarray(0, rand(b.length)) : b); } catch {}
    ran++;
  }
}
for (let i = 0; i < 2000; i++) {
  const b = Buffer.alloc(1 + rand(64));
  for (let j = 0; j < b.length; j++) b[j] = rand(256);
  if (rand(2)) { b[0] = 0xff; b[1] = 0x0f; }
  try { v8.deserialize(b); } catch {}
  ran++;
}
// re-entrant reads and hostile host objects
class Re extends v8.DefaultDeserializer {
  _readHostObject() {
    try { this.readValue(); } catch {}
    try { this.readRawBytes(1e9); } catch {}
    try { this.transferArrayBuffer(0, new ArrayBuffer(1)); } catch {}
    return super._readHostObject();
  }
}
for (let i = 0; i < 200; i++) {
  const b = v8.serialize([Buffer.from('x'), new Uint8Array(3), { k: new Int32Array(2) }]);
  b[rand(b.length)] = rand(256);
  try { const d = new Re(b); d.readHeader(); d.readValue(); } catch {}
}
class Bad extends v8.Serializer {
  _writeHostObject() { this.releaseBuffer(); this.writeValue({ again: true }); return true; }
  _getDataCloneError() { return 1; }
}
try { const s = new Bad(); s._setTreatArrayBufferViewsAsHostObjects(true); s.writeHeader(); s.writeValue([new Uint8Array(4), () => 1]); s.releaseBuffer(); } catch {}
for (const f of [() => new v8.Deserializer(1), () => new v8.Deserializer(new Uint8Array(0)).readValue(),
  () => Reflect.apply(v8.Serializer.prototype.writeValue, {}, [1]),
  () => new v8.Deserializer(Buffer.from([0xff, 0x0f])).readUint64()]) {
  try { f(); } catch {}
}
console.log(ran === samples.length * 400 + 2000 ? 'HELD' : `ESCAPED ran ${ran}`);
