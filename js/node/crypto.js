// node/crypto.js — Node's `crypto` module over bridge/crypto.c and
// bridge/crypto_pkey.c (OpenSSL's libcrypto, as Node's own binding).
//
// Bridged: randomBytes, randomFill(Sync), randomInt, randomUUID,
// getRandomValues, createHash / hash (every OpenSSL digest, XOF lengths for
// SHAKE), createHmac, getHashes, pbkdf2(Sync), scrypt(Sync), hkdf(Sync),
// timingSafeEqual, secret keys, and webcrypto's getRandomValues and
// randomUUID. In internal/crypto/: ciphers, Diffie-Hellman, ECDH and primes
// (cipher.js, dh.js over bridge/crypto_cipher.c and crypto_kex.c);
// asymmetric keys (keys.js: createPublicKey / createPrivateKey from PEM,
// DER, JWK, export, details, generateKeyPair(Sync)), signatures and RSA
// encryption (sig.js: sign / verify, createSign / createVerify,
// diffieHellman) and certificates (x509.js: X509Certificate, Certificate)
// over bridge/crypto_pkey.c; SubtleCrypto is internal/webcrypto.js. The
// async forms run on libuv's pool.
'use strict';

const { Buffer } = require('buffer');
const LazyTransform = require('./internal/lazy-transform');
const { codes, makeNodeError } = require('./internal/errors');
const actx = require('./internal/async-context');
const { DOMException } = require('./internal/dom-exception');
const { webcrypto, subtle } = require('./internal/webcrypto');
const { deferredFunction } = require('./internal/deferred');
const { deprecate } = require('util');
const {
  validateString, validateFunction, validateBoolean, validateNumber, validateInteger,
  validateObject, validateOneOf,
} = require('./internal/validators');

const native = require('./internal/crypto/util').natives('crypto');
const cipherNative = {
  ...require('./internal/crypto/util').natives('cryptoCipher'),
  ...require('./internal/crypto/util').natives('cryptoKex'),
};
const kMaxInt32 = 2 ** 31 - 1;
const kMaxLength = 2 ** 32; // Buffer's kMaxLength in Node 22 (v8 10.2: 4 GiB)

const isAnyArrayBuffer = (v) => v instanceof ArrayBuffer ||
  (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer);
const isView = (v) => ArrayBuffer.isView(v);
const bytesOf = (v) => (isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  : new Uint8Array(v));

const unsupported = (name) => deferredFunction(`crypto.${name}`);

// Node's getArrayBufferOrView: strings in their encoding, views as they are.
function byteSource(value, name, encoding) {
  if (isAnyArrayBuffer(value)) return new Uint8Array(value);
  if (typeof value === 'string') {
    return Buffer.from(value, encoding === 'buffer' || !Buffer.isEncoding(encoding) ? 'utf8' : encoding);
  }
  if (!isView(value)) {
    throw codes.ERR_INVALID_ARG_TYPE(name, ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'],
      value);
  }
  return bytesOf(value);
}

const validateInt32 = (v, name, min = -(2 ** 31)) => validateInteger(v, name, min, kMaxInt32);
function validateUint32(v, name) {
  if (typeof v !== 'number') throw codes.ERR_INVALID_ARG_TYPE(name, 'number', v);
  if (!Number.isInteger(v)) throw codes.ERR_OUT_OF_RANGE(name, 'an integer', v);
  if (v < 0 || v > 2 ** 32 - 1) throw codes.ERR_OUT_OF_RANGE(name, '>= 0 && <= 4294967295', v);
}

// Bytes out, in an output encoding: Buffer for none, 'buffer' or an unknown
// one (as Node's native digest), else a string.
function encodeOut(bytes, encoding) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding && encoding !== 'buffer' && Buffer.isEncoding(encoding)) return buf.toString(encoding);
  return buf;
}

// ---- random ----------------------------------------------------------------------

function assertOffset(offset, elementSize, length) {
  validateNumber(offset, 'offset');
  offset *= elementSize;
  const max = Math.min(length, kMaxInt32);
  if (Number.isNaN(offset) || offset > max || offset < 0) {
    throw codes.ERR_OUT_OF_RANGE('offset', `>= 0 && <= ${max}`, offset);
  }
  return offset >>> 0;
}

function assertSize(size, elementSize, offset, length) {
  validateNumber(size, 'size');
  size *= elementSize;
  if (Number.isNaN(size) || size > kMaxInt32 || size < 0) {
    throw codes.ERR_OUT_OF_RANGE('size', `>= 0 && <= ${kMaxInt32}`, size);
  }
  if (size + offset > length) throw codes.ERR_OUT_OF_RANGE('size + offset', `<= ${length}`, size + offset);
  return size >>> 0;
}

function checkFillTarget(buf) {
  if (!isAnyArrayBuffer(buf) && !isView(buf)) {
    throw codes.ERR_INVALID_ARG_TYPE('buf', ['ArrayBuffer', 'ArrayBufferView'], buf);
  }
}

function viewAt(buf, offset, size) {
  return isView(buf) ? new Uint8Array(buf.buffer, buf.byteOffset + offset, size)
    : new Uint8Array(buf, offset, size);
}

function randomFillSync(buf, offset = 0, size = undefined) {
  checkFillTarget(buf);
  const elementSize = buf.BYTES_PER_ELEMENT || 1;
  offset = assertOffset(offset, elementSize, buf.byteLength);
  size = size === undefined ? buf.byteLength - offset : assertSize(size, elementSize, offset, buf.byteLength);
  if (size !== 0) native.randomFill(viewAt(buf, offset, size));
  return buf;
}

function randomFill(buf, offset, size, callback) {
  checkFillTarget(buf);
  const elementSize = buf.BYTES_PER_ELEMENT || 1;
  if (typeof offset === 'function') {
    callback = offset;
    offset = 0;
    size = buf.length;
  } else if (typeof size === 'function') {
    callback = size;
    size = buf.length - offset;
  } else {
    validateFunction(callback, 'callback');
  }
  offset = assertOffset(offset, elementSize, buf.byteLength);
  size = size === undefined ? buf.byteLength - offset : assertSize(size, elementSize, offset, buf.byteLength);
  if (size === 0) {
    callback(null, buf);
    return;
  }
  native.randomBytes(size, actx.bindRequest('RANDOMBYTESREQUEST', (err, bytes) => {
    if (err) {
      callback(err);
      return;
    }
    // The guest may have detached or shrunk its buffer meanwhile.
    if (buf.byteLength >= offset + size) viewAt(buf, offset, size).set(bytes);
    callback(null, buf);
  }));
}

function randomBytes(size, callback) {
  size = assertSize(size, 1, 0, Infinity);
  if (callback !== undefined) validateFunction(callback, 'callback');
  const buf = Buffer.alloc(size);
  if (callback === undefined) return randomFillSync(buf, 0, size);
  randomFill(buf, 0, size, (err) => (err ? callback(err) : callback(null, buf)));
  return undefined;
}

// randomInt draws 48-bit values from a cache of random bytes and rejects
// those above the largest multiple of the range (no modulo bias).
const kRandMax = 0xFFFF_FFFF_FFFF;
let intCache = null;
let intCacheOffset = 0;
let intCacheFilling = false;
const intPending = [];

function randomInt(min, max, callback) {
  const noMin = max === undefined || typeof max === 'function';
  if (noMin) {
    callback = max;
    max = min;
    min = 0;
  }
  const sync = callback === undefined;
  if (!sync) validateFunction(callback, 'callback');
  if (!Number.isSafeInteger(min)) throw codes.ERR_INVALID_ARG_TYPE('min', 'a safe integer', min);
  if (!Number.isSafeInteger(max)) throw codes.ERR_INVALID_ARG_TYPE('max', 'a safe integer', max);
  if (max <= min) throw codes.ERR_OUT_OF_RANGE('max', `greater than the value of "min" (${min})`, max);
  const range = max - min;
  if (!(range <= kRandMax)) throw codes.ERR_OUT_OF_RANGE(`max${noMin ? '' : ' - min'}`, `<= ${kRandMax}`, range);
  const limit = kRandMax - (kRandMax % range);
  if (intCache === null) {
    intCache = Buffer.alloc(6 * 1024);
    intCacheOffset = intCache.length;
  }
  while (sync || intCacheOffset < intCache.length) {
    if (intCacheOffset === intCache.length) {
      randomFillSync(intCache);
      intCacheOffset = 0;
    }
    const x = intCache.readUIntBE(intCacheOffset, 6);
    intCacheOffset += 6;
    if (x < limit) {
      const n = (x % range) + min;
      if (sync) return n;
      process.nextTick(callback, undefined, n);
      return undefined;
    }
  }
  intPending.push({ min, max, callback });
  if (!intCacheFilling) {
    intCacheFilling = true;
    randomFill(intCache, (err) => {
      intCacheFilling = false;
      const tasks = intPending.splice(0);
      const failed = err ? tasks.shift() : undefined;
      if (!err) intCacheOffset = 0;
      for (const t of tasks) randomInt(t.min, t.max, t.callback);
      if (failed) failed.callback(err);
    });
  }
  return undefined;
}

const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function formatUUID(b, o) {
  const h = (i) => hexByte[b[o + i]];
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${hexByte[(b[o + 6] & 0x0f) | 0x40]}${h(7)}-` +
    `${hexByte[(b[o + 8] & 0x3f) | 0x80]}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

// Version 4 UUIDs; random bytes are drawn for 128 at a time unless the
// caller turns the entropy cache off.
let uuidPool = null;
let uuidNext = 0;
function randomUUID(options) {
  if (options !== undefined) validateObject(options, 'options');
  const { disableEntropyCache = false } = options || {};
  validateBoolean(disableEntropyCache, 'options.disableEntropyCache');
  if (disableEntropyCache) return formatUUID(randomFillSync(new Uint8Array(16)), 0);
  if (uuidPool === null) uuidPool = new Uint8Array(16 * 128);
  if (uuidNext === 0) randomFillSync(uuidPool);
  const at = uuidNext * 16;
  uuidNext = (uuidNext + 1) % 128;
  return formatUUID(uuidPool, at);
}

function getRandomValues(data) {
  const integerTyped = isView(data) && !(data instanceof DataView) &&
    !(data instanceof Float32Array) && !(data instanceof Float64Array);
  if (!integerTyped) {
    throw new DOMException('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
  }
  if (data.byteLength > 65536) {
    throw new DOMException('The requested length exceeds 65,536 bytes', 'QuotaExceededError');
  }
  randomFillSync(data, 0);
  return data;
}

function timingSafeEqual(a, b) {
  // Node checks these natively, with a message that shows no value.
  for (const [name, v] of [['buf1', a], ['buf2', b]]) {
    if (!isAnyArrayBuffer(v) && !isView(v)) {
      throw makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
        `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
    }
  }
  if (a.byteLength !== b.byteLength) {
    throw makeNodeError(RangeError, 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH',
      'Input buffers must have the same byte length');
  }
  return native.timingSafeEqual(bytesOf(a), bytesOf(b));
}

// ---- digests -------------------------------------------------------------------

const kHandle = Symbol('kHandle');
const kFinalized = Symbol('kFinalized');

const hashFinalized = () => makeNodeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');

function updateBytes(data, encoding) {
  if (typeof data === 'string') {
    if (encoding === 'hex' && data.length % 2 !== 0) {
      throw codes.ERR_INVALID_ARG_VALUE('encoding', encoding, `is invalid for data of length ${data.length}`);
    }
    return Buffer.from(data, Buffer.isEncoding(encoding) ? encoding : 'utf8');
  }
  if (!isView(data)) {
    throw codes.ERR_INVALID_ARG_TYPE('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
  }
  return bytesOf(data);
}

function xofLength(options) {
  const len = typeof options === 'object' && options !== null ? options.outputLength : undefined;
  if (len !== undefined) validateUint32(len, 'options.outputLength');
  return len;
}

function Hash(algorithm, options) {
  if (!new.target) return new Hash(algorithm, options);
  const from = algorithm instanceof Hash ? algorithm : null;
  if (from === null) validateString(algorithm, 'algorithm');
  const len = xofLength(options);
  this[kHandle] = from !== null ? native.hashCopy(from[kHandle], len === undefined ? -1 : len)
    : native.hashNew(algorithm, len === undefined ? -1 : len);
  this[kFinalized] = false;
  LazyTransform.call(this, options);
}
Object.setPrototypeOf(Hash.prototype, LazyTransform.prototype);
Object.setPrototypeOf(Hash, LazyTransform);

Hash.prototype.copy = function copy(options) {
  if (this[kFinalized]) throw hashFinalized();
  return new Hash(this, options);
};

// update() of Hash and Hmac, over their native's update.
function updater(nativeUpdate) {
  return function update(data, encoding) {
    if (this[kFinalized]) throw hashFinalized();
    if (!nativeUpdate(this[kHandle], updateBytes(data, encoding))) {
      throw makeNodeError(Error, 'ERR_CRYPTO_HASH_UPDATE_FAILED', 'Hash update failed');
    }
    return this;
  };
}

Hash.prototype.update = updater(native.hashUpdate);

Hash.prototype.digest = function digest(outputEncoding) {
  if (this[kFinalized]) throw hashFinalized();
  const out = native.hashDigest(this[kHandle]);
  this[kFinalized] = true;
  return encodeOut(out, outputEncoding && `${outputEncoding}`);
};

// The stream side works on the native state directly, as Node's does: a
// digest() after the stream flushed answers the same value (Hash) or an
// empty one (Hmac).
function streamSide(nativeUpdate, nativeDigest) {
  return {
    _transform(chunk, encoding, callback) {
      nativeUpdate(this[kHandle], updateBytes(chunk, encoding));
      callback();
    },
    _flush(callback) {
      const out = nativeDigest(this[kHandle]);
      this.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
      callback();
    },
  };
}
Object.assign(Hash.prototype, streamSide(native.hashUpdate, native.hashDigest));

// ---- secret keys -------------------------------------------------------------------

const kKeyType = Symbol('kKeyType');
// The key material stays out of the object (inspect, getOwnPropertySymbols).
const keyBytes = new WeakMap();
let makingKey = false;

// KeyObject as Node exposes it; only secret keys can be made here yet
// (asymmetric keys wait for the key bridge).
class KeyObject {
  constructor(type, handle) {
    if (!makingKey) {
      if (type !== 'secret' && type !== 'public' && type !== 'private') {
        throw codes.ERR_INVALID_ARG_VALUE('type', type);
      }
      // a KeyObjectHandle, which the guest never holds
      throw codes.ERR_INVALID_ARG_TYPE('handle', 'object', handle);
    }
    this[kKeyType] = type;
  }

  get type() {
    return this[kKeyType];
  }

  static from(key) {
    if (!(key instanceof require('./internal/webcrypto').CryptoKey)) {
      throw codes.ERR_INVALID_ARG_TYPE('key', 'CryptoKey', key);
    }
    return unsupported('KeyObject.from')(key);
  }

  equals(otherKeyObject) {
    if (!(otherKeyObject instanceof KeyObject)) {
      throw codes.ERR_INVALID_ARG_TYPE('otherKeyObject', 'KeyObject', otherKeyObject);
    }
    const a = keyBytes.get(this);
    const b = keyBytes.get(otherKeyObject);
    return otherKeyObject.type === this.type && a.byteLength === b.byteLength && native.timingSafeEqual(a, b);
  }
}

Object.defineProperty(KeyObject.prototype, Symbol.toStringTag, { value: 'KeyObject', configurable: true });

class SecretKeyObject extends KeyObject {
  constructor(bytes) {
    makingKey = true;
    try {
      super('secret');
    } finally {
      makingKey = false;
    }
    keyBytes.set(this, bytes);
  }

  get symmetricKeySize() {
    return keyBytes.get(this).byteLength;
  }

  get asymmetricKeyType() {
    return undefined;
  }

  export(options) {
    if (options !== undefined) validateObject(options, 'options');
    const format = options ? options.format : undefined;
    if (format === 'jwk') return { kty: 'oct', k: Buffer.from(keyBytes.get(this)).toString('base64url') };
    if (format !== undefined && format !== 'buffer') {
      throw codes.ERR_INVALID_ARG_VALUE('options.format', format, "must be one of: undefined, 'buffer', 'jwk'");
    }
    return Buffer.from(keyBytes.get(this));
  }
}

// generateKey(Sync) for secret keys: 'hmac' (8 to 2^31-1 bits) and 'aes'
// (128, 192, 256); the bytes are random values.
function secretKeyLength(type, options) {
  validateString(type, 'type');
  validateObject(options, 'options');
  const { length } = options;
  if (type === 'hmac') validateInteger(length, 'options.length', 8, 2 ** 31 - 1);
  else if (type === 'aes') validateOneOf(length, 'options.length', [128, 192, 256]);
  else throw codes.ERR_INVALID_ARG_VALUE('type', type, 'must be a supported key type');
  return Math.floor(length / 8);
}

function generateKeySync(type, options) {
  return new SecretKeyObject(randomFillSync(new Uint8Array(secretKeyLength(type, options))));
}

function generateKey(type, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  validateFunction(callback, 'callback');
  const bytes = new Uint8Array(secretKeyLength(type, options));
  randomFill(bytes, (err) => (err ? callback(err) : callback(null, new SecretKeyObject(bytes))));
}

function createSecretKey(key, encoding) {
  if (typeof key !== 'string' && !isView(key) && !isAnyArrayBuffer(key)) {
    throw codes.ERR_INVALID_ARG_TYPE('key', ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'], key);
  }
  return new SecretKeyObject(new Uint8Array(byteSource(key, 'key', encoding)));
}

// A key as Node's prepareSecretKey takes it for Hmac.
function secretKeyBytes(key, encoding) {
  if (key instanceof KeyObject) {
    if (key.type !== 'secret') {
      throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
        `Invalid key object type ${key.type}, expected secret.`);
    }
    return keyBytes.get(key);
  }
  if (typeof key !== 'string' && !isView(key) && !isAnyArrayBuffer(key)) {
    throw codes.ERR_INVALID_ARG_TYPE('key',
      ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView', 'string', 'KeyObject', 'CryptoKey'], key);
  }
  return byteSource(key, 'key', encoding);
}

function Hmac(algorithm, key, options) {
  if (!(this instanceof Hmac)) return new Hmac(algorithm, key, options);
  validateString(algorithm, 'hmac');
  let encoding;
  if (options !== null && typeof options === 'object' && options.encoding !== undefined) {
    validateString(options.encoding, 'options.encoding');
    encoding = options.encoding;
  }
  this[kHandle] = native.hmacNew(algorithm, secretKeyBytes(key, encoding));
  this[kFinalized] = false;
  LazyTransform.call(this, options);
}
Object.setPrototypeOf(Hmac.prototype, LazyTransform.prototype);
Object.setPrototypeOf(Hmac, LazyTransform);

Hmac.prototype.update = updater(native.hmacUpdate);

Hmac.prototype.digest = function digest(outputEncoding) {
  // A second digest gives an empty result, as Node's.
  const out = this[kFinalized] ? new Uint8Array(0) : native.hmacDigest(this[kHandle]);
  this[kFinalized] = true;
  return encodeOut(out, outputEncoding && `${outputEncoding}`);
};
Object.assign(Hmac.prototype, streamSide(native.hmacUpdate, native.hmacDigest));

function hash(algorithm, input, outputEncoding = 'hex') {
  validateString(algorithm, 'algorithm');
  if (typeof input !== 'string' && !isView(input)) {
    throw codes.ERR_INVALID_ARG_TYPE('input', ['Buffer', 'TypedArray', 'DataView', 'string'], input);
  }
  let enc = outputEncoding;
  if (enc !== 'hex') {
    validateString(enc, 'outputEncoding');
    if (enc.toLowerCase() === 'buffer') enc = 'buffer';
    else if (!Buffer.isEncoding(enc)) throw codes.ERR_INVALID_ARG_VALUE('outputEncoding', outputEncoding);
  }
  const name = algorithm.toLowerCase().replace('-', '');
  if (name === 'shake128' || name === 'shake256') return new Hash(algorithm).update(input).digest(enc);
  return encodeOut(native.digest(algorithm, typeof input === 'string' ? Buffer.from(input) : bytesOf(input)), enc);
}

let hashNames = null;
function getHashes() {
  if (hashNames === null) hashNames = native.hashes().split('\n').filter(Boolean);
  return hashNames.slice();
}

// ---- key derivation --------------------------------------------------------------

function pbkdf2Check(password, salt, iterations, keylen, digest) {
  validateString(digest, 'digest');
  password = byteSource(password, 'password');
  salt = byteSource(salt, 'salt');
  validateInt32(iterations, 'iterations', 1);
  validateInt32(keylen, 'keylen', 0);
  return [password, salt, iterations, keylen, digest];
}

function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  const out = native.pbkdf2(...pbkdf2Check(password, salt, iterations, keylen, digest));
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function pbkdf2(password, salt, iterations, keylen, digest, callback) {
  if (typeof digest === 'function') {
    callback = digest;
    digest = undefined;
  }
  const args = pbkdf2Check(password, salt, iterations, keylen, digest);
  validateFunction(callback, 'callback');
  native.pbkdf2(...args, (err, out) => (err ? callback(err)
    : callback(null, Buffer.from(out.buffer, out.byteOffset, out.byteLength))));
}

const scryptDefaults = { N: 16384, r: 8, p: 1, maxmem: 32 << 20 };

function scryptCheck(password, salt, keylen, options) {
  password = byteSource(password, 'password');
  salt = byteSource(salt, 'salt');
  validateInt32(keylen, 'keylen', 0);
  let { N, r, p, maxmem } = scryptDefaults;
  if (options && options !== scryptDefaults) {
    const both = () => makeNodeError(Error, 'ERR_CRYPTO_SCRYPT_INVALID_PARAMETER',
      'Invalid scrypt parameter');
    if (options.N !== undefined) validateUint32(N = options.N, 'N');
    if (options.cost !== undefined) {
      if (options.N !== undefined) throw both();
      validateUint32(N = options.cost, 'cost');
    }
    if (options.r !== undefined) validateUint32(r = options.r, 'r');
    if (options.blockSize !== undefined) {
      if (options.r !== undefined) throw both();
      validateUint32(r = options.blockSize, 'blockSize');
    }
    if (options.p !== undefined) validateUint32(p = options.p, 'p');
    if (options.parallelization !== undefined) {
      if (options.p !== undefined) throw both();
      validateUint32(p = options.parallelization, 'parallelization');
    }
    if (options.maxmem !== undefined) validateInteger(maxmem = options.maxmem, 'maxmem', 0);
    if (N === 0) N = scryptDefaults.N;
    if (r === 0) r = scryptDefaults.r;
    if (p === 0) p = scryptDefaults.p;
    if (maxmem === 0) maxmem = scryptDefaults.maxmem;
  }
  const refused = native.scryptCheck(N, r, p, maxmem); // '' when accepted
  if (refused !== '') {
    throw makeNodeError(RangeError, 'ERR_CRYPTO_INVALID_SCRYPT_PARAMS',
      `Invalid scrypt params${refused === true ? '' : `: ${refused}`}`);
  }
  return [password, salt, keylen, N, r, p, maxmem];
}

function scryptSync(password, salt, keylen, options = scryptDefaults) {
  const out = native.scrypt(...scryptCheck(password, salt, keylen, options));
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function scrypt(password, salt, keylen, options, callback = scryptDefaults) {
  if (callback === scryptDefaults) {
    callback = options;
    options = scryptDefaults;
  }
  const args = scryptCheck(password, salt, keylen, options);
  validateFunction(callback, 'callback');
  native.scrypt(...args, (err, out) => (err ? callback(err)
    : callback(null, Buffer.from(out.buffer, out.byteOffset, out.byteLength))));
}

function hkdfCheck(digest, key, salt, info, length) {
  validateString(digest, 'digest');
  if (key instanceof KeyObject) {
    key = secretKeyBytes(key);
  } else if (!isAnyArrayBuffer(key) && typeof key !== 'string' && !isView(key)) {
    throw codes.ERR_INVALID_ARG_TYPE('ikm',
      ['string', 'SecretKeyObject', 'ArrayBuffer', 'TypedArray', 'DataView', 'Buffer'], key);
  } else {
    key = byteSource(key, 'ikm');
  }
  const source = (v, name) => {
    if (typeof v === 'string' || isAnyArrayBuffer(v) || isView(v)) return byteSource(v, name);
    throw codes.ERR_INVALID_ARG_TYPE(name, ['string', 'ArrayBuffer', 'TypedArray', 'DataView', 'Buffer'], v);
  };
  salt = source(salt, 'salt');
  info = source(info, 'info');
  validateInteger(length, 'length', 0, kMaxLength);
  if (info.byteLength > 1024) {
    throw codes.ERR_OUT_OF_RANGE('info', 'must not contain more than 1024 bytes', info.byteLength);
  }
  const size = native.digestSize(digest);
  if (size < 0) throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${digest}`);
  if (length > 255 * size) throw makeNodeError(RangeError, 'ERR_CRYPTO_INVALID_KEYLEN', 'Invalid key length');
  return [digest, key, salt, info, length];
}

// hkdf answers an ArrayBuffer, as Node's.
const arrayBufferOf = (u8) => (u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength
  ? u8.buffer : u8.slice().buffer);

function hkdfSync(digest, key, salt, info, length) {
  return arrayBufferOf(native.hkdf(...hkdfCheck(digest, key, salt, info, length)));
}

function hkdf(digest, key, salt, info, length, callback) {
  const args = hkdfCheck(digest, key, salt, info, length);
  validateFunction(callback, 'callback');
  native.hkdf(...args, (err, out) => (err ? callback(err) : callback(null, arrayBufferOf(out))));
}

// ---- ciphers, Diffie-Hellman, ECDH, primes (internal/crypto/) ------------------------

const cipher = require('./internal/crypto/cipher');
const dh = require('./internal/crypto/dh');

cipher.setup({ native: cipherNative, prepareSecretKey: secretKeyBytes, byteSource });
dh.setup({ native: cipherNative, byteSource });

// No engine can be loaded: OpenSSL runs without its configuration and
// engines (bridge/crypto.c), as a Node built without engine support.
function setEngine(id, flags) {
  validateString(id, 'id');
  if (flags) validateNumber(flags, 'flags');
  throw makeNodeError(Error, 'ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED', 'Custom engines not supported by this OpenSSL');
}

// ---- asymmetric keys, signatures, certificates (internal/crypto/) ---------------

const asymmetric = require('./internal/crypto/keys').install({
  KeyObject,
  making(fn) {
    makingKey = true;
    try {
      return fn();
    } finally {
      makingKey = false;
    }
  },
});
const sig = require('./internal/crypto/sig');
const x509 = require('./internal/crypto/x509');
x509.setWrapKey(asymmetric.wrap);

// ---- the module ------------------------------------------------------------------

const constants = Object.freeze({ ...require('./internal/linux-constants').crypto });

const notBridged = [
  'setFips',
];

const crypto = {
  createHash: (algorithm, options) => new Hash(algorithm, options),
  createHmac: (algorithm, key, options) => new Hmac(algorithm, key, options),
  getHashes,
  hash,
  hkdf,
  hkdfSync,
  pbkdf2,
  pbkdf2Sync,
  randomBytes,
  randomFill,
  randomFillSync,
  randomInt,
  randomUUID,
  scrypt,
  scryptSync,
  timingSafeEqual,
  getFips: () => 0,
  getRandomValues,
  secureHeapUsed: () => ({ total: 0, min: 0, used: 0, utilization: 0 }),
  createSecretKey,
  createCipheriv: cipher.createCipheriv,
  createDecipheriv: cipher.createDecipheriv,
  getCiphers: cipher.getCiphers,
  getCipherInfo: cipher.getCipherInfo,
  getCurves: cipher.getCurves,
  Cipheriv: cipher.Cipheriv,
  Decipheriv: cipher.Decipheriv,
  createDiffieHellman: dh.createDiffieHellman,
  createDiffieHellmanGroup: dh.createDiffieHellmanGroup,
  getDiffieHellman: dh.getDiffieHellman,
  createECDH: dh.createECDH,
  DiffieHellman: dh.DiffieHellman,
  DiffieHellmanGroup: dh.DiffieHellmanGroup,
  ECDH: dh.ECDH,
  generatePrime: dh.generatePrime,
  generatePrimeSync: dh.generatePrimeSync,
  checkPrime: dh.checkPrime,
  checkPrimeSync: dh.checkPrimeSync,
  setEngine,
  generateKey,
  generateKeySync,
  // Node 22 deprecates calling or constructing these directly.
  Hash: deprecate(Hash, 'crypto.Hash constructor is deprecated.', 'DEP0179'),
  Hmac: deprecate(Hmac, 'crypto.Hmac constructor is deprecated.', 'DEP0181'),
  KeyObject,
  createPublicKey: asymmetric.createPublicKey,
  createPrivateKey: asymmetric.createPrivateKey,
  generateKeyPair: asymmetric.generateKeyPair,
  generateKeyPairSync: asymmetric.generateKeyPairSync,
  createSign: (algorithm, options) => new sig.Sign(algorithm, options),
  createVerify: (algorithm, options) => new sig.Verify(algorithm, options),
  sign: sig.signOneShot,
  verify: sig.verifyOneShot,
  publicEncrypt: sig.publicEncrypt,
  privateDecrypt: sig.privateDecrypt,
  privateEncrypt: sig.privateEncrypt,
  publicDecrypt: sig.publicDecrypt,
  diffieHellman: sig.diffieHellman,
  X509Certificate: x509.X509Certificate,
  Certificate: x509.Certificate,
  Sign: sig.Sign,
  Verify: sig.Verify,
  constants,
  webcrypto,
  subtle,
};
for (const name of notBridged) crypto[name] = unsupported(name);
// The old names of randomBytes, hidden from enumeration as in Node.
for (const name of ['prng', 'pseudoRandomBytes', 'rng']) {
  Object.defineProperty(crypto, name, { value: randomBytes, enumerable: false, configurable: true, writable: true });
}
Object.defineProperty(crypto, 'fips', {
  get: () => 0, set: unsupported('fips'), enumerable: false, configurable: true,
});

module.exports = crypto;

// ---- KeyObject.from and keyObject.toCryptoKey: between KeyObjects and Web ------
// Crypto's CryptoKeys (internal/webcrypto.js does both; kept apart from the
// key code above, which may give toCryptoKey its own).
Object.defineProperty(crypto.KeyObject, 'from', {
  value: function from(key) {
    return require('./internal/webcrypto').keyObjectOf(key);
  },
  writable: true,
  configurable: true,
});
// Where the asymmetric key code is there (internal/crypto/keys.js), a
// CryptoKey is taken wherever Node takes one as a key (sign, createPublicKey).
if (typeof asymmetric === 'object' && typeof asymmetric.setCryptoKeyObject === 'function') {
  const wc = require('./internal/webcrypto');
  asymmetric.setCryptoKeyObject((key) => (wc.isCryptoKey(key) ? wc.keyObjectOf(key) : null));
}
if (typeof crypto.KeyObject.prototype.toCryptoKey !== 'function') {
  Object.defineProperty(crypto.KeyObject.prototype, 'toCryptoKey', {
    value: function toCryptoKey(algorithm, extractable, keyUsages) {
      return require('./internal/webcrypto').toCryptoKey(this, algorithm, extractable, keyUsages);
    },
    writable: true,
    configurable: true,
  });
}
