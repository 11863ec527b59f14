// node/internal/webcrypto.js — the Web Crypto objects: the Crypto global
// (crypto.webcrypto), SubtleCrypto (crypto.subtle) and CryptoKey. Random
// values, UUIDs and subtle.digest come from the crypto module; the other
// SubtleCrypto operations reject with "crypto.subtle.<name> is not
// supported in sandbox" until keys are bridged. Neither class can be
// constructed by the guest, as in Node.
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
for (const name of ['encrypt', 'decrypt', 'sign', 'verify', 'generateKey', 'deriveKey', 'deriveBits',
  'importKey', 'exportKey', 'wrapKey', 'unwrapKey']) {
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
}

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
