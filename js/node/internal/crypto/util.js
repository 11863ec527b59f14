// node/internal/crypto/util.js — what the crypto modules share: OpenSSL's
// errors decorated as Node's (library, reason), and the natives of one
// bridge namespace wrapped to decorate what they throw or call back with.
'use strict';

const binding = require('../binding');
const { Buffer } = require('buffer');
const { codes } = require('../errors');

// The native gives the message "error:<hex>:<library>:<function>:<reason>"
// and the code; Node's errors carry library and reason too.
function decorate(err) {
  if (err === null || typeof err !== 'object' || typeof err.code !== 'string' ||
      !err.code.startsWith('ERR_OSSL_')) return err;
  const m = /^error:[0-9A-Fa-f]+:([^:]*):[^:]*:(.*)$/.exec(err.message);
  if (m === null) return err;
  const { code } = err;
  delete err.code;
  err.library = m[1];
  err.reason = m[2];
  err.code = code;
  return err;
}

function natives(ns) {
  const out = {};
  for (const [name, fn] of Object.entries(binding[ns])) {
    out[name] = (...args) => {
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const cb = args[last];
        args[last] = (err, value) => cb(decorate(err), value);
      }
      try {
        return fn(...args);
      } catch (err) {
        throw decorate(err);
      }
    };
  }
  return out;
}

const isAnyArrayBuffer = (v) => v instanceof ArrayBuffer ||
  (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer);
const isView = (v) => ArrayBuffer.isView(v);
const isStringOrBuffer = (v) => typeof v === 'string' || isView(v) || isAnyArrayBuffer(v);
const bytesOf = (v) => (isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  : new Uint8Array(v));

// Node's getArrayBufferOrView.
function byteSource(value, name, encoding) {
  if (isAnyArrayBuffer(value)) return new Uint8Array(value);
  if (typeof value === 'string') {
    if (encoding === 'buffer' || !Buffer.isEncoding(encoding)) encoding = 'utf8';
    return Buffer.from(value, encoding);
  }
  if (!isView(value)) {
    throw codes.ERR_INVALID_ARG_TYPE(name, ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'],
      value);
  }
  return bytesOf(value);
}

const toBuffer = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

module.exports = { decorate, natives, isAnyArrayBuffer, isView, isStringOrBuffer, bytesOf, byteSource, toBuffer };
