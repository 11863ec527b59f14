// node/internal/crypto/dh.js — DiffieHellman, DiffieHellmanGroup, ECDH and
// the prime helpers (generatePrime, checkPrime) as Node 22's, over the
// states and jobs of bridge/crypto_cipher.c. Prime sizes, DH primes made
// here and prime candidates are bounded by the profile's
// crypto.max_prime_bits (the native refuses past it).
'use strict';

const { Buffer } = require('buffer');
const { codes, makeNodeError } = require('../errors');
const {
  validateString, validateInt32, validateObject, validateBoolean, validateFunction,
} = require('../validators');

const kHandle = Symbol('kHandle');
let native = null;
let byteSource = null;

function setup(deps) {
  ({ native, byteSource } = deps);
}

const isAnyArrayBuffer = (v) => v instanceof ArrayBuffer ||
  (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer);
const viewOf = (v) => (isAnyArrayBuffer(v) ? new Uint8Array(v) : v);
const toBuffer = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

// Node's getArrayBufferOrView for string arguments in an encoding.
function toBuf(value, encoding) {
  if (typeof value === 'string') return Buffer.from(value, encoding === 'buffer' ? 'utf8' : encoding);
  return value;
}

function encode(buffer, encoding) {
  const buf = typeof buffer === 'string' ? buffer : toBuffer(buffer);
  if (encoding && encoding !== 'buffer' && typeof buf !== 'string') return buf.toString(encoding);
  return buf;
}

const kSizeOrKeyTypes = ['number', 'string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'];

function DiffieHellman(sizeOrKey, keyEncoding, generator, genEncoding) {
  if (!(this instanceof DiffieHellman)) return new DiffieHellman(sizeOrKey, keyEncoding, generator, genEncoding);
  if (typeof sizeOrKey !== 'number' && typeof sizeOrKey !== 'string' && !ArrayBuffer.isView(sizeOrKey) &&
      !isAnyArrayBuffer(sizeOrKey)) {
    throw codes.ERR_INVALID_ARG_TYPE('sizeOrKey', kSizeOrKeyTypes, sizeOrKey);
  }
  // Sizes below 2 are refused by the native in OpenSSL's words, as Node's.
  if (typeof sizeOrKey === 'number') validateInt32(sizeOrKey, 'sizeOrKey');
  if (keyEncoding && !Buffer.isEncoding(keyEncoding) && keyEncoding !== 'buffer') {
    genEncoding = generator;
    generator = keyEncoding;
    keyEncoding = false;
  }
  keyEncoding = keyEncoding || 'buffer';
  genEncoding = genEncoding || 'buffer';
  if (typeof sizeOrKey !== 'number') sizeOrKey = viewOf(toBuf(sizeOrKey, keyEncoding));
  if (!generator) {
    generator = 2;
  } else if (typeof generator === 'number') {
    validateInt32(generator, 'generator');
  } else if (typeof generator === 'string') {
    generator = toBuf(generator, genEncoding);
  } else if (!ArrayBuffer.isView(generator) && !isAnyArrayBuffer(generator)) {
    throw codes.ERR_INVALID_ARG_TYPE('generator', kSizeOrKeyTypes, generator);
  }
  this[kHandle] = native.dhNew(sizeOrKey, viewOf(generator));
  Object.defineProperty(this, 'verifyError', {
    enumerable: true, value: native.dhVerifyError(this[kHandle]), writable: true, configurable: true,
  });
}

function DiffieHellmanGroup(name) {
  if (!(this instanceof DiffieHellmanGroup)) return new DiffieHellmanGroup(name);
  this[kHandle] = native.dhGroup(name);
  Object.defineProperty(this, 'verifyError', {
    enumerable: true, value: native.dhVerifyError(this[kHandle]), writable: true, configurable: true,
  });
}

const dhProto = {
  generateKeys(encoding) {
    return encode(native.dhGenerateKeys(this[kHandle]), encoding);
  },
  computeSecret(key, inEnc, outEnc) {
    key = viewOf(byteSource(key, 'key', inEnc));
    const ret = native.dhCompute(this[kHandle], key);
    if (typeof ret === 'string') {
      throw makeNodeError(Error, 'ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY', 'Public key is not valid for specified curve');
    }
    return encode(ret, outEnc);
  },
  getPrime(encoding) {
    return encode(native.dhGet(this[kHandle], 0), encoding);
  },
  getGenerator(encoding) {
    return encode(native.dhGet(this[kHandle], 1), encoding);
  },
  getPublicKey(encoding) {
    return encode(native.dhGet(this[kHandle], 2), encoding);
  },
  getPrivateKey(encoding) {
    return encode(native.dhGet(this[kHandle], 3), encoding);
  },
  setPublicKey(key, encoding) {
    native.dhSet(this[kHandle], 2, viewOf(byteSource(key, 'key', encoding)));
    return this;
  },
  setPrivateKey(key, encoding) {
    native.dhSet(this[kHandle], 3, viewOf(byteSource(key, 'key', encoding)));
    return this;
  },
};
for (const [name, fn] of Object.entries(dhProto)) {
  Object.defineProperty(DiffieHellman.prototype, name, { value: fn, writable: true, configurable: true, enumerable: true });
  if (name !== 'setPublicKey' && name !== 'setPrivateKey') {
    Object.defineProperty(DiffieHellmanGroup.prototype, name, { value: fn, writable: true, configurable: true, enumerable: true });
  }
}

// ---- ECDH ------------------------------------------------------------------------

const POINT_CONVERSION_COMPRESSED = 2;
const POINT_CONVERSION_UNCOMPRESSED = 4;
const POINT_CONVERSION_HYBRID = 6;

function getFormat(format) {
  if (format) {
    if (format === 'compressed') return POINT_CONVERSION_COMPRESSED;
    if (format === 'hybrid') return POINT_CONVERSION_HYBRID;
    if (format !== 'uncompressed') {
      throw makeNodeError(TypeError, 'ERR_CRYPTO_ECDH_INVALID_FORMAT', `Invalid ECDH format: ${format}`);
    }
  }
  return POINT_CONVERSION_UNCOMPRESSED;
}

function ECDH(curve) {
  if (!(this instanceof ECDH)) return new ECDH(curve);
  validateString(curve, 'curve');
  this[kHandle] = native.ecdhNew(curve);
}

Object.assign(ECDH.prototype, {
  computeSecret(key, inEnc, outEnc) {
    key = viewOf(byteSource(key, 'key', inEnc));
    const ret = native.ecdhCompute(this[kHandle], key);
    if (typeof ret === 'string') {
      throw makeNodeError(Error, 'ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY', 'Public key is not valid for specified curve');
    }
    return encode(ret, outEnc);
  },
  setPrivateKey(key, encoding) {
    native.ecdhSetPrivate(this[kHandle], viewOf(byteSource(key, 'key', encoding)));
    return this;
  },
  setPublicKey(key, encoding) {
    native.ecdhSetPublic(this[kHandle], viewOf(byteSource(key, 'key', encoding)));
    return this;
  },
  getPrivateKey(encoding) {
    return encode(native.ecdhGetPrivate(this[kHandle]), encoding);
  },
  generateKeys(encoding, format) {
    native.ecdhGenerateKeys(this[kHandle]);
    return this.getPublicKey(encoding, format);
  },
  getPublicKey(encoding, format) {
    const f = getFormat(format);
    return encode(native.ecdhGetPublic(this[kHandle], f), encoding);
  },
});

ECDH.convertKey = function convertKey(key, curve, inEnc, outEnc, format) {
  validateString(curve, 'curve');
  key = viewOf(byteSource(key, 'key', inEnc));
  const f = getFormat(format);
  return encode(native.ecdhConvert(key, curve, f), outEnc);
};

// ---- primes ----------------------------------------------------------------------

function unsignedBigIntToBuffer(bigint, name) {
  if (bigint < 0) throw codes.ERR_OUT_OF_RANGE(name, '>= 0', bigint);
  const hex = bigint.toString(16);
  return Buffer.from(hex.padStart(hex.length + (hex.length % 2), '0'), 'hex');
}

function arrayBufferToUnsignedBigInt(buf) {
  const hex = Buffer.from(buf).toString('hex');
  return BigInt(`0x${hex || '0'}`);
}

const kPrimeTypes = ['ArrayBuffer', 'TypedArray', 'Buffer', 'DataView', 'bigint'];

function primeOption(value, name) {
  if (value === undefined) return undefined;
  if (typeof value === 'bigint') return unsignedBigIntToBuffer(value, name);
  if (!isAnyArrayBuffer(value) && !ArrayBuffer.isView(value)) throw codes.ERR_INVALID_ARG_TYPE(name, kPrimeTypes, value);
  return viewOf(value);
}

function primeJobArgs(size, options) {
  validateObject(options, 'options');
  const { safe = false, bigint = false } = options;
  validateBoolean(safe, 'options.safe');
  validateBoolean(bigint, 'options.bigint');
  const add = primeOption(options.add, 'options.add');
  const rem = primeOption(options.rem, 'options.rem');
  return { args: [size, safe, add, rem], bigint };
}

// The prime's bytes as Node answers them: an ArrayBuffer, or a bigint.
function primeResult(bytes, bigint) {
  const ab = bytes.buffer.byteLength === bytes.byteLength ? bytes.buffer : bytes.slice().buffer;
  return bigint ? arrayBufferToUnsignedBigInt(ab) : ab;
}

function generatePrime(size, options, callback) {
  validateInt32(size, 'size', 1);
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  validateFunction(callback, 'callback');
  const { args, bigint } = primeJobArgs(size, options);
  native.generatePrime(...args, (err, bytes) => {
    if (err) callback(err);
    else callback(undefined, primeResult(bytes, bigint));
  });
}

function generatePrimeSync(size, options = {}) {
  validateInt32(size, 'size', 1);
  const { args, bigint } = primeJobArgs(size, options);
  return primeResult(native.generatePrime(...args), bigint);
}

function checkPrimeArgs(candidate, options) {
  if (typeof candidate === 'bigint') candidate = unsignedBigIntToBuffer(candidate, 'candidate');
  if (!isAnyArrayBuffer(candidate) && !ArrayBuffer.isView(candidate)) {
    throw codes.ERR_INVALID_ARG_TYPE('candidate', kPrimeTypes, candidate);
  }
  return viewOf(candidate);
}

function checkPrime(candidate, options = {}, callback) {
  candidate = checkPrimeArgs(candidate);
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  validateFunction(callback, 'callback');
  validateObject(options, 'options');
  const { checks = 0 } = options;
  validateInt32(checks, 'options.checks', 0);
  native.checkPrime(candidate, checks, (err, res) => {
    if (err) callback(err);
    else callback(undefined, res[0] === 1);
  });
}

function checkPrimeSync(candidate, options = {}) {
  candidate = checkPrimeArgs(candidate);
  validateObject(options, 'options');
  const { checks = 0 } = options;
  validateInt32(checks, 'options.checks', 0);
  return native.checkPrime(candidate, checks)[0] === 1;
}

module.exports = {
  setup,
  DiffieHellman,
  DiffieHellmanGroup,
  ECDH,
  createDiffieHellman: (sizeOrKey, keyEncoding, generator, genEncoding) =>
    new DiffieHellman(sizeOrKey, keyEncoding, generator, genEncoding),
  createDiffieHellmanGroup: (name) => new DiffieHellmanGroup(name),
  getDiffieHellman: (name) => new DiffieHellmanGroup(name),
  createECDH: (curve) => new ECDH(curve),
  generatePrime,
  generatePrimeSync,
  checkPrime,
  checkPrimeSync,
};
