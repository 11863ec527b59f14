'use strict';
const stream = require('stream');
const { Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished, addAbortSignal, compose } = stream;
const sp = require('stream/promises');

console.log(typeof stream, stream === stream.Stream, typeof stream.promises.pipeline, sp === stream.promises, typeof compose, typeof stream.isReadable, typeof stream.isErrored);
console.log(new stream.Stream() instanceof require('events'), Readable.prototype instanceof stream.Stream);

const upper = () => new Transform({ transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); } });
const collect = (label) => {
  const parts = [];
  return new Writable({
    write(chunk, enc, cb) { parts.push(chunk.toString()); cb(); },
    final(cb) { console.log(label, JSON.stringify(parts)); cb(); },
  });
};

(async () => {
  await new Promise((resolve) => pipeline(Readable.from(['a', 'b', 'c']), upper(), collect('pipeline:'), (err) => { console.log('pipeline done', err); resolve(); }));
  await sp.pipeline(Readable.from(['x', 'y']), upper(), collect('promise pipeline:'));
  const r = new Readable({ read() {} });
  r.push('one'); r.push('two'); r.push(null);
  let s = '';
  for await (const chunk of r) s += `[${chunk}]`;
  console.log('async iter:', s);
  const objs = Readable.from([{ a: 1 }, { b: 2 }]);
  const got = [];
  for await (const o of objs) got.push(o);
  console.log('objectMode:', got);
  const pt = new PassThrough();
  pt.end('passthrough data');
  pt.on('data', (d) => console.log('pt data:', d.toString()));
  await new Promise((res) => finished(pt, (err) => { console.log('finished', err); res(); }));
  const failing = new Readable({ read() { this.destroy(new Error('read fail')); } });
  try { await sp.pipeline(failing, collect('never:')); } catch (e) { console.log('pipeline error:', e.message); }
  const d = new Duplex({
    read() { this.push('from duplex'); this.push(null); },
    write(chunk, enc, cb) { console.log('duplex got', chunk.toString()); cb(); },
  });
  d.write('to duplex');
  d.end();
  d.on('data', (c) => console.log('duplex data', c.toString()));
  await new Promise((res) => d.on('end', res));
  const w = new Writable({ highWaterMark: 3, write(c, e, cb) { setTimeout(cb, 1); } });
  console.log('write ret', w.write('abcd'), w.writableLength, w.writableNeedDrain);
  await new Promise((res) => w.once('drain', res));
  console.log('drained');
  const ac = new AbortController();
  const ar = addAbortSignal(ac.signal, new Readable({ read() {} }));
  ar.on('error', (e) => console.log('abort err', e.name, e.code));
  ac.abort();
  await new Promise((res) => setTimeout(res, 5));
  console.log(await Readable.from([1, 2, 3, 4]).filter((x) => x % 2).map((x) => x * 10).toArray());
  const enc = new Readable({ read() {} });
  enc.setEncoding('utf8');
  enc.push(Buffer.from([0xe2, 0x82])); enc.push(Buffer.from([0xac])); enc.push(null);
  let es = ''; for await (const c of enc) es += c; console.log('encoding:', es);
  const err = new Writable({ write(c, e, cb) { cb(new Error('write fail')); } });
  err.on('error', (e) => console.log('writable error:', e.message));
  err.write('x');
  await new Promise((res) => setTimeout(res, 5));
  console.log(stream.isReadable(new Readable()), stream.isErrored(err), stream.isDisturbed(r));
  const composed = compose(upper(), new Transform({ transform(c, e, cb) { cb(null, `<${c}>`); } }));
  composed.end('comp');
  let cs = ''; for await (const c of composed) cs += c; console.log('compose:', cs);
  const rr = new Readable({ read() {} });
  rr.push('paused'); rr.push(null);
  rr.pause();
  console.log('isPaused', rr.isPaused(), rr.readableFlowing, rr.readable, rr.destroyed);
  rr.destroy();
  console.log('destroyed', rr.destroyed);
})();
