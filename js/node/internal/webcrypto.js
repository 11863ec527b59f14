// node/internal/webcrypto.js — the Web Crypto objects: the Crypto global
// (crypto.webcrypto), SubtleCrypto (crypto.subtle) and CryptoKey. Random
// values, UUIDs, subtle.digest and the secret keys of HMAC, PBKDF2 and
// HKDF (raw import and export, sign, verify, deriveBits) come from the
// crypto module; the other SubtleCrypto operations reject with
// "crypto.subtle.<name> is not supported in sandbox" until keys are
// bridged. No class can be constructed by the guest, as in Node.
'use strict';

const binding = require('./binding');
const { codes, makeNodeError } = require('./errors');
const { DOMException } = require('./dom-exception');
const { deferredFunction } = require('./deferred');

const kWebDigests = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

const illegal = () => makeNodeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
let constructing = false;

class SubtleCrypto {
  constructor() {
    if (!constructing) throw illegal();
  }

  async digest(algorithm, data) {
    if (this !== subtle) throw codes.ERR_INVALID_THIS('SubtleCrypto');
    const name = typeof algorithm === 'string' ? algorithm
      : algorithm !== null && typeof algorithm === 'object' ? algorithm.name : undefined;
    const canonical = typeof name === 'string'
      ? Object.keys(kWebDigests).find((k) => k.toLowerCase() === name.toLowerCase()) : undefined;
    if (canonical === undefined) throw new DOMException('Unrecognized algorithm name', 'NotSupportedError');
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      throw codes.ERR_INVALID_ARG_TYPE('data', ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'], data);
    }
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    return new Promise((resolve, reject) => {
      binding.crypto.digest(kWebDigests[canonical], bytes, (err, out) => (err ? reject(err) : resolve(out.buffer)));
    });
  }
}
// ---- secret keys: HMAC, PBKDF2, HKDF (raw) over the crypto module ------------
// What drivers use (pg's SCRAM-SHA-256: an HMAC key, PBKDF2 bits); other
// algorithms and formats stay "not supported in sandbox" until OpenSSL's
// key bridge lands.

const { kCryptoKey } = require('./util');
const slots = new WeakMap();
const kSecretAlgs = { HMAC: ['sign', 'verify'], PBKDF2: ['deriveBits', 'deriveKey'], HKDF: ['deriveBits', 'deriveKey'] };

function algName(algorithm) {
  const name = typeof algorithm === 'string' ? algorithm
    : algorithm !== null && typeof algorithm === 'object' ? algorithm.name : undefined;
  if (typeof name !== 'string') return undefined;
  return Object.keys(kSecretAlgs).find((k) => k.toLowerCase() === name.toLowerCase());
}

function hashName(hash) {
  const name = typeof hash === 'string' ? hash : hash !== null && typeof hash === 'object' ? hash.name : undefined;
  const canonical = typeof name === 'string'
    ? Object.keys(kWebDigests).find((k) => k.toLowerCase() === name.toLowerCase()) : undefined;
  if (canonical === undefined) throw new DOMException('Unrecognized algorithm name', 'NotSupportedError');
  return canonical;
}

function bufferSource(data, name) {
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  throw codes.ERR_INVALID_ARG_TYPE(name, ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'], data);
}

function keyOf(key, alg, usage, op) {
  const k = key !== null && typeof key === 'object' ? slots.get(key) : undefined;
  if (!k) throw codes.ERR_INVALID_ARG_TYPE('key', 'CryptoKey', key);
  if (k.algorithm.name !== alg || !k.usages.includes(usage)) {
    throw new DOMException(`Unable to use this key to ${op}`, 'InvalidAccessError');
  }
  return k;
}

function newKey(algorithm, extractable, usages, bytes) {
  const key = Object.create(CryptoKey.prototype);
  slots.set(key, { type: 'secret', algorithm, extractable: !!extractable, usages, bytes });
  Object.defineProperty(key, kCryptoKey, { value: true });
  return key;
}

function deferred(name) {
  const fail = deferredFunction(`crypto.subtle.${name}`);
  return () => fail();
}

Object.assign(SubtleCrypto.prototype, {
  async importKey(format, keyData, algorithm, extractable, keyUsages) {
    if (this !== subtle) throw codes.ERR_INVALID_THIS('SubtleCrypto');
    const name = algName(algorithm);
    if (format !== 'raw' || name === undefined) return deferred('importKey')();
    const usages = [...keyUsages];
    for (const u of usages) {
      if (!kSecretAlgs[name].includes(u)) {
        throw new DOMException(`Unsupported key usage for a${name === 'HMAC' ? 'n' : ''} ${name} key`, 'SyntaxError');
      }
    }
    const bytes = Buffer.from(bufferSource(keyData, 'keyData'));
    if (name === 'HMAC') {
      const hash = hashName(algorithm.hash);
      if (bytes.length === 0) throw new DOMException('Zero-length key is not supported', 'DataError');
      let length = bytes.length * 8;
      if (algorithm.length !== undefined) {
        if (algorithm.length > length || algorithm.length <= length - 8) {
          throw new DOMException('Invalid key length', 'DataError');
        }
        length = algorithm.length;
      }
      if (usages.length === 0) throw new DOMException('Usages cannot be empty when importing a secret key.', 'SyntaxError');
      return newKey({ name: 'HMAC', hash: { name: hash }, length }, extractable, usages, bytes);
    }
    if (extractable) throw new DOMException(`${name} keys are not extractable`, 'SyntaxError');
    return newKey({ name }, false, usages, bytes);
  },

  async exportKey(format, key) {
    if (this !== subtle) throw codes.ERR_INVALID_THIS('SubtleCrypto');
    const k = key !== null && typeof key === 'object' ? slots.get(key) : undefined;
    if (!k || format !== 'raw') return deferred('exportKey')();
    if (!k.extractable) throw new DOMException('key is not extractable', 'InvalidAccessError');
    return new Uint8Array(k.bytes).buffer;
  },

  async sign(algorithm, key, data) {
    if (this !== subtle) throw codes.ERR_INVALID_THIS('SubtleCrypto');
    if (algName(algorithm) !== 'HMAC') return deferred('sign')();
    const k = keyOf(key, 'HMAC', 'sign', 'sign');
    const mac = require('../crypto').createHmac(kWebDigests[k.algorithm.hash.name], k.bytes)
      .update(bufferSource(data, 'data')).digest();
    return new Uint8Array(mac).buffer;
  },

  async verify(algorithm, key, signature, data) {
    if (this !== subtle) throw codes.ERR_INVALID_THIS('SubtleCrypto');
    if (algName(algorithm) !== 'HMAC') return deferred('verify')();
    const k = keyOf(key, 'HMAC', 'verify', 'verify');
    const crypto = require('../crypto');
    const mac = crypto.createHmac(kWebDigests[k.algorithm.hash.name], k.bytes)
      .update(bufferSource(data, 'data')).digest();
    const sig = bufferSource(signature, 'signature');
    return sig.length === mac.length && crypto.timingSafeEqual(sig, mac);
  },

  async deriveBits(algorithm, baseKey, length) {
    if (this !== subtle) throw codes.ERR_INVALID_THIS('SubtleCrypto');
    const name = algName(algorithm);
    if (name !== 'PBKDF2' && name !== 'HKDF') return deferred('deriveBits')();
    const k = keyOf(baseKey, name, 'deriveBits', 'deriveBits');
    if (typeof length !== 'number' || length === 0 || length % 8) {
      throw new DOMException('length must be a multiple of 8', 'OperationError');
    }
    const hash = kWebDigests[hashName(algorithm.hash)];
    const salt = bufferSource(algorithm.salt, 'algorithm.salt');
    const crypto = require('../crypto');
    return new Promise((resolve, reject) => {
      const done = (err, out) => (err ? reject(new DOMException('The operation failed for an operation-specific reason', 'OperationError')) : resolve(new Uint8Array(out).buffer));
      if (name === 'PBKDF2') {
        if (algorithm.iterations === 0) {
          reject(new DOMException('iterations cannot be zero', 'OperationError'));
          return;
        }
        crypto.pbkdf2(k.bytes, salt, algorithm.iterations, length / 8, hash, done);
      } else {
        crypto.hkdf(hash, k.bytes, salt, bufferSource(algorithm.info, 'algorithm.info'), length / 8, done);
      }
    });
  },
});
for (const name of ['importKey', 'exportKey', 'sign', 'verify', 'deriveBits']) {
  Object.defineProperty(SubtleCrypto.prototype, name, { enumerable: true });
}
for (const name of ['encrypt', 'decrypt', 'generateKey', 'deriveKey', 'wrapKey', 'unwrapKey']) {
  const fail = deferredFunction(`crypto.subtle.${name}`);
  Object.defineProperty(SubtleCrypto.prototype, name, {
    value: { async [name]() { fail(); } }[name], writable: true, configurable: true, enumerable: true,
  });
}
Object.defineProperty(SubtleCrypto.prototype, Symbol.toStringTag, { value: 'SubtleCrypto', configurable: true });

class CryptoKey {
  constructor() {
    throw illegal();
  }

  get type() { return slots.get(this)?.type; }

  get extractable() { return slots.get(this)?.extractable; }

  get algorithm() { return slots.get(this)?.algorithm; }

  get usages() { return slots.get(this)?.usages; }
}
Object.defineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: 'CryptoKey', configurable: true });

class Crypto {
  constructor() {
    if (!constructing) throw illegal();
  }

  get subtle() {
    if (this !== webcrypto) throw codes.ERR_INVALID_THIS('Crypto');
    return subtle;
  }

  getRandomValues(array) {
    if (this !== webcrypto) throw codes.ERR_INVALID_THIS('Crypto');
    return require('../crypto').getRandomValues(array);
  }

  randomUUID() {
    if (this !== webcrypto) throw codes.ERR_INVALID_THIS('Crypto');
    return require('../crypto').randomUUID();
  }
}
Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: 'Crypto', configurable: true });

constructing = true;
const subtle = new SubtleCrypto();
const webcrypto = new Crypto();
constructing = false;

module.exports = { Crypto, CryptoKey, SubtleCrypto, webcrypto, subtle };
