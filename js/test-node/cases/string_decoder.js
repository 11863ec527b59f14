'use strict';
const { StringDecoder } = require('string_decoder');
const euro = Buffer.from('€😀é');
for (const enc of ['utf8', 'utf-8', 'UTF8', 'utf16le', 'ucs2', 'latin1', 'binary', 'base64', 'base64url', 'hex', 'ascii', undefined]) {
  const d = new StringDecoder(enc);
  let out = '';
  for (let i = 0; i < euro.length; i++) out += `[${d.write(euro.subarray(i, i + 1))}]`;
  out += `(${d.end()})`;
  console.log(enc, d.encoding, out);
  const d2 = new StringDecoder(enc);
  console.log(enc, d2.write(euro.subarray(0, 5)), '|', d2.end(euro.subarray(5)));
}
const d = new StringDecoder('utf8');
console.log(JSON.stringify(d.write(Buffer.from([0xe2, 0x82]))), JSON.stringify(d.end()), JSON.stringify(d.write(Buffer.from([0xff, 0x41]))));
console.log(JSON.stringify(new StringDecoder().write(new Uint8Array([0x68, 0x69]))), new StringDecoder().write('str'));
try { new StringDecoder('nope'); } catch (e) { console.log(e.name, e.code, e.message); }
try { new StringDecoder().write(5); } catch (e) { console.log(e.name, e.code, e.message); }
const u16 = new StringDecoder('utf16le');
console.log(JSON.stringify(u16.write(Buffer.from([0x3d, 0xd8]))), JSON.stringify(u16.write(Buffer.from([0x00, 0xde]))), JSON.stringify(u16.end(Buffer.from([0x41]))));
