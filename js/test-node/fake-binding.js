// test-node/fake-binding.js — a stand-in for the native bridge table, for
// running bundles of js/node/ under host Node (started with
// --expose-internals). binding.util is host Node's own internalBinding('util')
// and internalBinding('types'), whose functions have the same contracts as
// isolate/v8/natives.cc; the typed-array checks are JS; structuredClone is
// host Node's, wrapped to throw the plain Error {name: 'DataCloneError'}
// the native throws. binding.fs.readFileUtf8 reads with host fs.
'use strict';

const { internalBinding } = require('internal/test/binding');

const u = internalBinding('util');
const t = internalBinding('types');
const hostStructuredClone = globalThis.structuredClone;

const util = {
  getPromiseDetails: u.getPromiseDetails,
  getProxyDetails: u.getProxyDetails,
  previewEntries: u.previewEntries,
  getConstructorName: u.getConstructorName,
  getOwnNonIndexProperties: u.getOwnNonIndexProperties,
  structuredClone(value) {
    try {
      return hostStructuredClone(value);
    } catch (err) {
      if (err && err.name === 'DataCloneError') {
        const e = new Error(err.message);
        e.name = 'DataCloneError';
        e.code = 25;
        throw e;
      }
      throw err;
    }
  },
};
for (const k of Object.keys(t)) util[k] = t[k];
util.isArrayBufferView = (v) => ArrayBuffer.isView(v);
const tag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag).get;
util.isTypedArray = (v) => tag.call(v) !== undefined;
for (const n of ['Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'Int8Array',
  'Int16Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
  util[`is${n}`] = (v) => tag.call(v) === n;
}

const fs = {
  readFileUtf8: (path) => require('fs').readFileSync(path, 'utf8'),
};

module.exports = { util, fs };
