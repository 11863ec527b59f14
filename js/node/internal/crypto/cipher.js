// node/internal/crypto/cipher.js — Cipheriv and Decipheriv as Node 22's
// (LazyTransform streams over an OpenSSL cipher context in
// bridge/crypto_cipher.c), getCiphers, getCipherInfo and getCurves.
//
// The key is taken as Node's prepareSecretKey takes it (crypto.js hands
// its own in through setup(), with the error decoration of its natives);
// updates pass the guest's bytes to the native as they are, strings are
// encoded once here.
'use strict';

const { Buffer } = require('buffer');
const { StringDecoder } = require('string_decoder');
const LazyTransform = require('../lazy-transform');
const { codes, makeNodeError } = require('../errors');
const { validateString, validateObject, validateInt32 } = require('../validators');
const { pendingDeprecation } = require('../url-legacy');

const kHandle = Symbol('kHandle');
let native = null;
let prepareSecretKey = null;
let byteSource = null;

function setup(deps) {
  ({ native, prepareSecretKey, byteSource } = deps);
}

const toBuffer = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
const isAnyArrayBuffer = (v) => v instanceof ArrayBuffer ||
  (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer);
const viewOf = (v) => (isAnyArrayBuffer(v) ? new Uint8Array(v) : v);

function getUIntOption(options, key) {
  let value;
  if (options && (value = options[key]) != null) {
    if (value >>> 0 !== value) throw codes.ERR_INVALID_ARG_VALUE(`options.${key}`, value);
    return value;
  }
  return -1;
}

function getStringOption(options, key) {
  let value;
  if (options && (value = options[key]) != null) validateString(value, `options.${key}`);
  return value;
}

const invalidState = (op) => makeNodeError(Error, 'ERR_CRYPTO_INVALID_STATE', `Invalid state for operation ${op}`);

// A string decoder for the output encoding; one cipher keeps one encoding.
function getDecoder(decoder, encoding) {
  const fresh = new StringDecoder(encoding);
  if (decoder === null) return fresh;
  if (decoder.encoding !== fresh.encoding) {
    throw makeNodeError(Error, 'ERR_INTERNAL_ASSERTION', 'Cannot change encoding\n' +
      'This is caused by either a bug in Node.js or incorrect usage of Node.js internals.\n' +
      'Please open an issue with this stack trace at https://github.com/nodejs/node/issues\n');
  }
  return decoder;
}

function inputBytes(data, encoding) {
  if (typeof data === 'string') {
    const enc = typeof encoding === 'string' ? encoding.toLowerCase() : encoding;
    if ((enc === 'hex') && data.length % 2 !== 0) {
      throw codes.ERR_INVALID_ARG_VALUE('encoding', encoding, `is invalid for data of length ${data.length}`);
    }
    return Buffer.from(data, Buffer.isEncoding(encoding) ? encoding : 'utf8');
  }
  if (!ArrayBuffer.isView(data)) {
    throw codes.ERR_INVALID_ARG_TYPE('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
  }
  return data;
}

function createCipherBase(self, cipher, key, iv, options, decrypt) {
  validateString(cipher, 'cipher');
  const encoding = getStringOption(options, 'encoding');
  key = viewOf(prepareSecretKey(key, encoding));
  iv = iv === null ? null : viewOf(byteSource(iv, 'iv'));
  const authTagLength = getUIntOption(options, 'authTagLength');
  self[kHandle] = native.cipherNew(cipher, key, iv, decrypt, authTagLength);
  self._decoder = null;
  LazyTransform.call(self, options);
}

function update(data, inputEncoding, outputEncoding) {
  const out = toBuffer(native.cipherUpdate(this[kHandle], inputBytes(data, inputEncoding)));
  if (outputEncoding && outputEncoding !== 'buffer') {
    this._decoder = getDecoder(this._decoder, outputEncoding);
    return this._decoder.write(out);
  }
  return out;
}

function final(outputEncoding) {
  const out = toBuffer(native.cipherFinal(this[kHandle]));
  if (outputEncoding && outputEncoding !== 'buffer') {
    this._decoder = getDecoder(this._decoder, outputEncoding);
    return this._decoder.end(out);
  }
  return out;
}

function setAutoPadding(ap) {
  if (!native.cipherSetAutoPadding(this[kHandle], !!ap)) throw invalidState('setAutoPadding');
  return this;
}

function setAAD(aadbuf, options) {
  const encoding = getStringOption(options, 'encoding');
  const plaintextLength = getUIntOption(options, 'plaintextLength');
  aadbuf = viewOf(byteSource(aadbuf, 'aadbuf', encoding));
  if (!native.cipherSetAAD(this[kHandle], aadbuf, plaintextLength)) throw invalidState('setAAD');
  return this;
}

function getAuthTag() {
  const tag = native.cipherGetAuthTag(this[kHandle]);
  if (tag === undefined) throw invalidState('getAuthTag');
  return toBuffer(tag);
}

function setAuthTag(tagbuf, encoding) {
  tagbuf = viewOf(byteSource(tagbuf, 'buffer', encoding));
  const taken = native.cipherSetAuthTag(this[kHandle], tagbuf);
  if (!taken) throw invalidState('setAuthTag');
  if (taken === 2 && pendingDeprecation()) {
    process.emitWarning('Using AES-GCM authentication tags of less than 128 bits without specifying the ' +
      'authTagLength option when initializing decryption is deprecated.', 'DeprecationWarning', 'DEP0182');
  }
  return this;
}

function _transform(chunk, encoding, callback) {
  this.push(toBuffer(native.cipherUpdate(this[kHandle], inputBytes(chunk, encoding))));
  callback();
}

function _flush(callback) {
  try {
    this.push(toBuffer(native.cipherFinal(this[kHandle])));
  } catch (e) {
    callback(e);
    return;
  }
  callback();
}

function Cipheriv(cipher, key, iv, options) {
  if (!(this instanceof Cipheriv)) return new Cipheriv(cipher, key, iv, options);
  createCipherBase(this, cipher, key, iv, options, false);
}

function Decipheriv(cipher, key, iv, options) {
  if (!(this instanceof Decipheriv)) return new Decipheriv(cipher, key, iv, options);
  createCipherBase(this, cipher, key, iv, options, true);
}

for (const C of [Cipheriv, Decipheriv]) {
  Object.setPrototypeOf(C.prototype, LazyTransform.prototype);
  Object.setPrototypeOf(C, LazyTransform);
  Object.assign(C.prototype, { _transform, _flush, update, final, setAutoPadding });
  if (C === Cipheriv) C.prototype.getAuthTag = getAuthTag;
  else C.prototype.setAuthTag = setAuthTag;
  C.prototype.setAAD = setAAD;
}

const createCipheriv = (cipher, key, iv, options) => new Cipheriv(cipher, key, iv, options);
const createDecipheriv = (cipher, key, iv, options) => new Decipheriv(cipher, key, iv, options);

// Node's lists: one entry per lower-cased name, sorted.
function uniqueSorted(text) {
  const map = new Map();
  for (const item of text.split('\n')) if (item) map.set(item.toLowerCase(), item);
  return Array.from(map.values()).sort();
}

let cipherNames = null;
function getCiphers() {
  if (cipherNames === null) cipherNames = uniqueSorted(native.ciphers());
  return cipherNames.slice();
}

let curveNames = null;
function getCurves() {
  if (curveNames === null) curveNames = uniqueSorted(native.curves());
  return curveNames.slice();
}

function getCipherInfo(nameOrNid, options) {
  if (typeof nameOrNid !== 'string' && typeof nameOrNid !== 'number') {
    throw codes.ERR_INVALID_ARG_TYPE('nameOrNid', ['string', 'number'], nameOrNid);
  }
  if (typeof nameOrNid === 'number') validateInt32(nameOrNid, 'nameOrNid');
  let keyLength;
  let ivLength;
  if (options !== undefined) {
    validateObject(options, 'options');
    ({ keyLength, ivLength } = options);
    if (keyLength !== undefined) validateInt32(keyLength, 'options.keyLength');
    if (ivLength !== undefined) validateInt32(ivLength, 'options.ivLength');
  }
  const text = native.cipherInfo(nameOrNid, keyLength, ivLength);
  if (text === undefined) return undefined;
  const [mode, name, nid, blockSize, iv, key] = text.split('\n');
  const info = {};
  if (mode) info.mode = mode;
  info.name = name.toLowerCase();
  info.nid = +nid;
  if (+blockSize >= 0) info.blockSize = +blockSize;
  if (+iv !== 0) info.ivLength = +iv;
  info.keyLength = +key;
  return info;
}

module.exports = {
  setup, Cipheriv, Decipheriv, createCipheriv, createDecipheriv, getCiphers, getCipherInfo, getCurves,
};
