'use strict';
const buffer = require('buffer');
const { Buffer, Blob, File, atob, btoa, constants, kMaxLength, kStringMaxLength, isUtf8, isAscii, transcode } = buffer;
const util = require('util');

const b = Buffer.from('hello wörld €');
console.log(b, b.length, b.toString(), b.toString('hex'), b.toString('base64'), b.toString('base64url'), b.toString('latin1'), b.toString('ascii'), b.toString('utf16le').length);
console.log(Buffer.from('aGVsbG8', 'base64'), Buffer.from('aGVsbG8-_w', 'base64url'), Buffer.from('68656c', 'hex'), Buffer.from('hé', 'latin1'), Buffer.from('hi', 'utf16le'), Buffer.from('zz1', 'hex'));
console.log(Buffer.byteLength('€'), Buffer.byteLength('aGVsbG8', 'base64'), Buffer.byteLength('aGVsbG8-_w', 'base64url'), Buffer.byteLength(new Uint8Array(7)));
console.log(Buffer.isEncoding('base64url'), Buffer.isEncoding('UTF-8'), Buffer.isEncoding('nope'), Buffer.isBuffer(b), Buffer.isBuffer(new Uint8Array(1)));
console.log(Buffer.alloc(5), Buffer.alloc(5, 'ab'), Buffer.alloc(4, 'aGk=', 'base64'), Buffer.alloc(3, 257), Buffer.allocUnsafe(0), Buffer.from([1, 2, 256, -1]));
console.log(Buffer.concat([Buffer.from('a'), Buffer.from('bc')]), Buffer.concat([Buffer.from('abc')], 2), Buffer.compare(Buffer.from('a'), Buffer.from('b')));
const c = Buffer.from('abcdef');
console.log(c.slice(1, 3), c.subarray(-2), c.indexOf('cd'), c.includes('z'), c.lastIndexOf('a'), c.indexOf(Buffer.from('ef')), c.equals(Buffer.from('abcdef')), c.compare(Buffer.from('abd')));
const w = Buffer.alloc(10);
console.log(w.write('hi'), w.write('xyz', 3), w.write('aGk=', 6, 'base64'), w.write('_-8', 8, 'base64url'), w);
const n = Buffer.alloc(16);
n.writeUInt32BE(0xdeadbeef, 0); n.writeInt16LE(-2, 4); n.writeDoubleLE(1.5, 6); n.writeUInt8(255, 14);
console.log(n, n.readUInt32BE(0), n.readInt16LE(4), n.readDoubleLE(6), n.readUInt8(14), n.readBigUInt64LE(0));
console.log(Buffer.from('abc').toJSON(), JSON.stringify(Buffer.from('xy')), [...Buffer.from('hi')], Buffer.from('ab').swap16());
console.log(Buffer.alloc(60, 7));
const p = Buffer.from('xy'); p.extra = { a: 1 };
console.log(p, util.inspect(Buffer.alloc(0)), util.inspect(Buffer.from('a'), { showHidden: true }));
buffer.INSPECT_MAX_BYTES = 3;
console.log(Buffer.from('abcdef'), buffer.INSPECT_MAX_BYTES);
buffer.INSPECT_MAX_BYTES = 50;
console.log(constants, kMaxLength, kStringMaxLength, typeof buffer.SlowBuffer, typeof buffer.resolveObjectURL);
console.log(btoa('hi'), atob('aGk='), isUtf8(Buffer.from('é')), isUtf8(Buffer.from([0xff])), isAscii(Buffer.from('a')), isAscii(Buffer.from('é')));
console.log(transcode(Buffer.from('€a'), 'utf8', 'ascii'), transcode(Buffer.from('hé'), 'utf8', 'latin1'), transcode(Buffer.from('hé', 'latin1'), 'latin1', 'utf8'), transcode(Buffer.from('hi'), 'utf8', 'utf16le'));
for (const bad of [() => Buffer.alloc(-1), () => Buffer.alloc('5'), () => Buffer.from(5), () => Buffer.from(null), () => Buffer.from('x', 'nope'), () => Buffer.allocUnsafe(2 ** 33), () => Buffer.byteLength(5)]) {
  try { bad(); console.log('no throw'); } catch (e) { console.log(e.name, e.code, e.message); }
}
const blob = new Blob(['ab', new Uint8Array([99]), new Blob(['d'])], { type: 'Text/Plain' });
console.log(blob, blob.size, blob.type, Object.prototype.toString.call(blob));
console.log(new Blob(['\u00e9\ud800']).size, new Blob([1, {}]).size, new Blob(['a\nb'], { endings: 'native' }).size, new Blob().size);
console.log(new File(['x'], 'a.txt', { lastModified: 5, type: 'a/b' }));
(async () => {
  console.log(await blob.text(), Buffer.from(await blob.arrayBuffer()), await blob.slice(1, 3, 'x/y').text(), blob.slice(-2).size, blob.slice(1, 3, 'X/Y').type);
  try { new Blob('abc'); } catch (e) { console.log(e.code, e.message); }
  console.log(Buffer.copyBytesFrom(new Uint16Array([1, 2, 3]), 1, 1), Buffer.from(new Uint16Array([1, 256]).buffer));
})();
