// node/internal/webcrypto.js — the Web Crypto objects: the Crypto global
// (crypto.webcrypto), SubtleCrypto (crypto.subtle) and CryptoKey, as Node
// 22.14 has them. Every operation is built over the public crypto module
// (KeyObjects, sign/verify, ciphers, publicEncrypt, generateKeyPair,
// diffieHellman, pbkdf2, hkdf), as Node's own webcrypto is built over the
// same natives; the module is required lazily, as it requires this file.
// Arguments are converted as Node's WebIDL layer converts them, so a bad
// argument gives the same TypeError (with its code), and failures are the
// DOMExceptions Node gives, with its names and messages. No class can be
// constructed by the guest, as in Node. Own code after Node's behaviour.
'use strict';

const binding = require('./binding');
const { codes } = require('./errors');
const { DOMException } = require('./dom-exception');
const { kCryptoKey } = require('./util');

const lib = () => require('../crypto');

const domError = (message, name) => new DOMException(message, name);
const opFailed = (cause) => new DOMException('The operation failed for an operation-specific reason',
  cause === undefined ? 'OperationError' : { name: 'OperationError', cause });

// ---- WebIDL conversions -------------------------------------------------------
// The messages read "<prefix>: <context> <what went wrong>", with the code
// Node gives each kind (ERR_INVALID_ARG_TYPE unless said otherwise).

function idlError(message, opts, code) {
  const prefix = opts.prefix ? `${opts.prefix}: ` : '';
  const context = opts.context?.length === 0 ? '' : `${opts.context ?? 'Value'} `;
  const err = new TypeError(`${prefix}${context}${message}`);
  err.code = code || opts.code || 'ERR_INVALID_ARG_TYPE';
  return err;
}

function requiredArguments(length, required, prefix) {
  if (length < required) {
    throw idlError(`${required} argument${required === 1 ? '' : 's'} required, but only ${length} present.`,
      { prefix, context: '' }, 'ERR_MISSING_ARGS');
  }
}

const isObject = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');

function toNumber(v, opts) {
  if (typeof v === 'bigint') throw idlError('is a BigInt and cannot be converted to a number.', opts);
  if (typeof v === 'symbol') throw idlError('is a Symbol and cannot be converted to a number.', opts);
  return Number(v);
}

// WebIDL's unsigned integers of `bits` bits, with [EnforceRange] or modulo.
function unsigned(bits, enforceRange) {
  const upper = 2 ** bits - 1;
  return (v, opts) => {
    let x = toNumber(v, opts);
    if (enforceRange) {
      if (!Number.isFinite(x)) throw idlError('is not a finite number.', opts);
      x = Math.trunc(x);
      if (x < 0 || x > upper) {
        throw idlError(`is outside the expected range of 0 to ${upper}.`, opts, 'ERR_OUT_OF_RANGE');
      }
      return x;
    }
    if (!Number.isFinite(x) || x === 0) return 0;
    x = Math.trunc(x);
    return x >= 0 && x <= upper ? x : x % 2 ** bits;
  };
}

function domString(v, opts) {
  if (typeof v === 'string') return v;
  if (typeof v === 'symbol') throw idlError('is a Symbol and cannot be converted to a string.', opts);
  return String(v);
}

const isShared = (buf) => typeof SharedArrayBuffer === 'function' && buf instanceof SharedArrayBuffer;

function bufferSource(v, opts) {
  if (ArrayBuffer.isView(v)) {
    if (isShared(v.buffer)) throw idlError('is a view on a SharedArrayBuffer, which is not allowed.', opts);
    return v;
  }
  if (!(v instanceof ArrayBuffer)) {
    throw idlError('is not instance of ArrayBuffer, Buffer, TypedArray, or DataView.', opts);
  }
  return v;
}

function uint8Array(v, opts) {
  if (!ArrayBuffer.isView(v) || Object.prototype.toString.call(v) !== '[object Uint8Array]') {
    throw idlError('is not an Uint8Array object.', opts);
  }
  if (isShared(v.buffer)) throw idlError('is a view on a SharedArrayBuffer, which is not allowed.', opts);
  return v;
}

function enumConverter(name, values) {
  return (v, opts) => {
    const s = String(v);
    if (!values.includes(s)) {
      throw idlError(`value '${s}' is not a valid enum value of type ${name}.`, opts, 'ERR_INVALID_ARG_VALUE');
    }
    return s;
  };
}

function sequence(convert) {
  return (v, opts) => {
    const iter = isObject(v) ? v[Symbol.iterator]?.() : undefined;
    if (iter === undefined) throw idlError('can not be converted to sequence.', opts);
    const out = [];
    for (;;) {
      const res = iter?.next?.();
      if (res === undefined) throw idlError('can not be converted to sequence.', opts);
      if (res.done === true) break;
      out.push(convert(res.value, { ...opts, context: `${opts.context}, index ${out.length}` }));
    }
    return out;
  };
}

function cryptoKeyArg(v, opts) {
  if (!isCryptoKey(v)) throw idlError('is not of type CryptoKey.', opts);
  return v;
}

const keyFormat = enumConverter('KeyFormat', ['raw', 'pkcs8', 'spki', 'jwk']);
const keyUsages = sequence(enumConverter('KeyUsage',
  ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey']));

function algorithmIdentifier(v, opts) {
  return isObject(v) ? v : domString(v, opts);
}

// A dictionary's members are read in the order of their names, as WebIDL
// says; `members` maps a name to [converter, required].
function dictionary(name, members) {
  const keys = Object.keys(members).sort();
  const anyRequired = keys.some((k) => members[k][1]);
  return (v, opts) => {
    if (v !== undefined && v !== null && !isObject(v)) throw idlError('can not be converted to a dictionary', opts);
    const out = {};
    if (v == null && !anyRequired) return out;
    for (const key of keys) {
      const value = v == null ? undefined : v[key];
      if (value !== undefined) {
        const context = `'${key}' of '${name}'${opts.context ? ` (${opts.context})` : ''}`;
        out[key] = members[key][0](value, { ...opts, context });
      } else if (members[key][1]) {
        throw idlError(`can not be converted to '${name}' because '${key}' is required in '${name}'.`,
          opts, 'ERR_MISSING_OPTION');
      }
    }
    return out;
  };
}

const u8 = unsigned(8, true);
const u16 = unsigned(16, true);
const u32 = unsigned(32, true);
const nameMember = { name: [domString, true] };
const hashMember = { hash: [algorithmIdentifier, true] };
const jwkString = [domString, false];
const dictionaries = {
  Algorithm: dictionary('Algorithm', nameMember),
  RsaHashedKeyGenParams: dictionary('RsaHashedKeyGenParams', {
    ...nameMember, modulusLength: [u32, true], publicExponent: [uint8Array, true], ...hashMember,
  }),
  RsaHashedImportParams: dictionary('RsaHashedImportParams', { ...nameMember, ...hashMember }),
  EcKeyGenParams: dictionary('EcKeyGenParams', { ...nameMember, namedCurve: [domString, true] }),
  EcKeyImportParams: dictionary('EcKeyImportParams', { ...nameMember, namedCurve: [domString, true] }),
  AesKeyGenParams: dictionary('AesKeyGenParams', { ...nameMember, length: [u16, true] }),
  HmacKeyGenParams: dictionary('HmacKeyGenParams', { ...nameMember, ...hashMember, length: [u32, false] }),
  HmacImportParams: dictionary('HmacImportParams', { ...nameMember, ...hashMember, length: [u32, false] }),
  RsaPssParams: dictionary('RsaPssParams', { ...nameMember, saltLength: [u32, true] }),
  RsaOaepParams: dictionary('RsaOaepParams', { ...nameMember, label: [bufferSource, false] }),
  EcdsaParams: dictionary('EcdsaParams', { ...nameMember, ...hashMember }),
  HkdfParams: dictionary('HkdfParams', {
    ...nameMember, ...hashMember, salt: [bufferSource, true], info: [bufferSource, true],
  }),
  Pbkdf2Params: dictionary('Pbkdf2Params', {
    ...nameMember, ...hashMember, iterations: [u32, true], salt: [bufferSource, true],
  }),
  AesDerivedKeyParams: dictionary('AesDerivedKeyParams', { ...nameMember, length: [u16, true] }),
  AesCbcParams: dictionary('AesCbcParams', { ...nameMember, iv: [bufferSource, true] }),
  AesGcmParams: dictionary('AesGcmParams', {
    ...nameMember, iv: [bufferSource, true], tagLength: [u8, false], additionalData: [bufferSource, false],
  }),
  AesCtrParams: dictionary('AesCtrParams', { ...nameMember, counter: [bufferSource, true], length: [u8, true] }),
  EcdhKeyDeriveParams: dictionary('EcdhKeyDeriveParams', { ...nameMember, public: [cryptoKeyArg, true] }),
  Ed448Params: dictionary('Ed448Params', { ...nameMember, context: [bufferSource, false] }),
};
const otherPrimes = sequence(dictionary('RsaOtherPrimesInfo', { r: jwkString, d: jwkString, t: jwkString }));
const jsonWebKey = dictionary('JsonWebKey', {
  kty: jwkString, use: jwkString, key_ops: [sequence(domString), false], alg: jwkString,
  ext: [(v) => !!v, false], crv: jwkString, x: jwkString, y: jwkString, d: jwkString, n: jwkString,
  e: jwkString, p: jwkString, q: jwkString, dp: jwkString, dq: jwkString, qi: jwkString,
  oth: [otherPrimes, false], k: jwkString,
});

// ---- algorithm normalization ------------------------------------------------
// Per operation, the algorithms Node 22 knows and the dictionary each takes.

const kSupported = {
  digest: { 'SHA-1': null, 'SHA-256': null, 'SHA-384': null, 'SHA-512': null },
  generateKey: {
    'RSASSA-PKCS1-v1_5': 'RsaHashedKeyGenParams', 'RSA-PSS': 'RsaHashedKeyGenParams',
    'RSA-OAEP': 'RsaHashedKeyGenParams', 'ECDSA': 'EcKeyGenParams', 'ECDH': 'EcKeyGenParams',
    'AES-CTR': 'AesKeyGenParams', 'AES-CBC': 'AesKeyGenParams', 'AES-GCM': 'AesKeyGenParams',
    'AES-KW': 'AesKeyGenParams', 'HMAC': 'HmacKeyGenParams', 'Ed25519': null, 'X25519': null,
  },
  sign: { 'RSASSA-PKCS1-v1_5': null, 'RSA-PSS': 'RsaPssParams', 'ECDSA': 'EcdsaParams', 'HMAC': null, 'Ed25519': null },
  verify: { 'RSASSA-PKCS1-v1_5': null, 'RSA-PSS': 'RsaPssParams', 'ECDSA': 'EcdsaParams', 'HMAC': null, 'Ed25519': null },
  importKey: {
    'RSASSA-PKCS1-v1_5': 'RsaHashedImportParams', 'RSA-PSS': 'RsaHashedImportParams',
    'RSA-OAEP': 'RsaHashedImportParams', 'ECDSA': 'EcKeyImportParams', 'ECDH': 'EcKeyImportParams',
    'HMAC': 'HmacImportParams', 'HKDF': null, 'PBKDF2': null, 'AES-CTR': null, 'AES-CBC': null,
    'AES-GCM': null, 'AES-KW': null, 'Ed25519': null, 'X25519': null,
  },
  deriveBits: { HKDF: 'HkdfParams', PBKDF2: 'Pbkdf2Params', ECDH: 'EcdhKeyDeriveParams', X25519: 'EcdhKeyDeriveParams' },
  encrypt: { 'RSA-OAEP': 'RsaOaepParams', 'AES-CBC': 'AesCbcParams', 'AES-GCM': 'AesGcmParams', 'AES-CTR': 'AesCtrParams' },
  decrypt: { 'RSA-OAEP': 'RsaOaepParams', 'AES-CBC': 'AesCbcParams', 'AES-GCM': 'AesGcmParams', 'AES-CTR': 'AesCtrParams' },
  'get key length': {
    'AES-CBC': 'AesDerivedKeyParams', 'AES-CTR': 'AesDerivedKeyParams', 'AES-GCM': 'AesDerivedKeyParams',
    'AES-KW': 'AesDerivedKeyParams', 'HMAC': 'HmacImportParams', 'HKDF': null, 'PBKDF2': null,
  },
  wrapKey: { 'AES-KW': null },
  unwrapKey: { 'AES-KW': null },
};
// Ed448 and X448 are experimental in Node 22: their first use warns.
const kExperimental = {
  X448: { generateKey: null, importKey: null, deriveBits: 'EcdhKeyDeriveParams' },
  Ed448: { generateKey: null, sign: 'Ed448Params', verify: 'Ed448Params', importKey: null },
};
const warned = new Set();
for (const [name, ops] of Object.entries(kExperimental)) {
  for (const [op, dict] of Object.entries(ops)) {
    Object.defineProperty(kSupported[op], name, {
      enumerable: true,
      get() {
        if (!warned.has(name)) {
          warned.add(name);
          process.emitWarning(`The ${name} Web Crypto API algorithm is an experimental feature and might change at any time`,
            'ExperimentalWarning');
        }
        return dict;
      },
    });
  }
}
// The members each dictionary normalizes further: buffers are copied,
// hashes normalized as digest algorithms.
const kMemberKinds = {
  AesGcmParams: { iv: 'buffer', additionalData: 'buffer' },
  RsaHashedKeyGenParams: { hash: 'hash' },
  HmacKeyGenParams: { hash: 'hash' },
  EcdsaParams: { hash: 'hash' },
  HmacImportParams: { hash: 'hash' },
  HkdfParams: { hash: 'hash', salt: 'buffer', info: 'buffer' },
  Ed448Params: { context: 'buffer' },
  Pbkdf2Params: { hash: 'hash', salt: 'buffer' },
  RsaOaepParams: { label: 'buffer' },
  RsaHashedImportParams: { hash: 'hash' },
};
const normOpts = { prefix: 'Failed to normalize algorithm', context: 'passed algorithm' };

function copyBytes(v) {
  return ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() : new Uint8Array(v).slice();
}

function normalizeAlgorithm(algorithm, op) {
  if (typeof algorithm === 'string') return normalizeAlgorithm({ name: algorithm }, op);
  const registered = kSupported[op];
  const initial = dictionaries.Algorithm(algorithm, normOpts);
  let name = initial.name;
  let desired;
  for (const key in registered) {
    if (Object.prototype.hasOwnProperty.call(registered, key) && key.toUpperCase() === name.toUpperCase()) {
      name = key;
      desired = registered[key];
    }
  }
  if (desired === undefined) throw domError('Unrecognized algorithm name', 'NotSupportedError');
  if (desired === null) return { name };
  const out = dictionaries[desired](algorithm, normOpts);
  out.name = name;
  const kinds = kMemberKinds[desired] || {};
  for (const member of Object.keys(kinds)) {
    const value = out[member];
    if (kinds[member] === 'buffer' && value) out[member] = copyBytes(value);
    else if (kinds[member] === 'hash') out[member] = normalizeAlgorithm(value, 'digest');
  }
  return out;
}

// ---- helpers ----------------------------------------------------------------

const kNodeHash = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const kHashBytes = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const kBlockBits = { 'SHA-1': 512, 'SHA-256': 512, 'SHA-384': 1024, 'SHA-512': 1024 };
const kCurves = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const kMaxBufferLength = 2 ** 31 - 1;

const toBuffer = (v) => (ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.from(v));
const arrayBufferOf = (buf) => new Uint8Array(buf).buffer;

function hasAnyNotIn(usages, allowed) {
  for (const u of usages) if (!allowed.includes(u)) return true;
  return false;
}

function usagesUnion(set, ...usages) {
  return usages.filter((u) => set.has(u));
}

function validateMaxBufferLength(data, name) {
  if (data.byteLength > kMaxBufferLength) {
    throw domError(`${name} must be less than ${kMaxBufferLength + 1} bits`, 'OperationError');
  }
}

// Runs a job on the crypto module; any error it throws or reports becomes
// Node's OperationError with that error as its cause.
function job(fn) {
  return new Promise((resolve, reject) => {
    try {
      fn((err, out) => (err ? reject(opFailed(err)) : resolve(out)));
    } catch (err) {
      reject(opFailed(err));
    }
  });
}

const kKeyOps = ['sign', 'verify', 'encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'deriveKey', 'deriveBits'];

// A JWK's key_ops, use and ext checked against the requested usages.
function checkJwkCommon(jwk, usagesSet, extractable, use) {
  if (usagesSet.size > 0 && jwk.use !== undefined && use !== undefined && jwk.use !== use) {
    throw domError('Invalid JWK "use" Parameter', 'DataError');
  }
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops)) throw codes.ERR_INVALID_ARG_TYPE('keyData.key_ops', 'Array', jwk.key_ops);
    const seen = new Set();
    for (const op of jwk.key_ops) {
      if (!kKeyOps.includes(op)) continue;
      if (seen.has(op)) throw domError('Duplicate key operation', 'DataError');
      seen.add(op);
    }
    for (const u of usagesSet) {
      if (!jwk.key_ops.includes(u)) throw domError('Key operations and usage mismatch', 'DataError');
    }
  }
  if (jwk.ext !== undefined && jwk.ext === false && extractable === true) {
    throw domError('JWK "ext" Parameter and extractable mismatch', 'DataError');
  }
}

// DER: just enough to wrap raw EC points and CFRG keys into SPKI and
// PKCS#8, which is how the public crypto API takes them.
function der(tag, ...parts) {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  const n = body.length;
  const len = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) len.unshift(rest % 256);
  const head = n < 0x80 ? [n] : [0x80 | len.length, ...len];
  return Buffer.concat([Buffer.from([tag, ...head]), body]);
}
const kOids = {
  ec: [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
  'P-256': [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
  'P-384': [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
  'P-521': [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
  X25519: [0x06, 0x03, 0x2b, 0x65, 0x6e],
  X448: [0x06, 0x03, 0x2b, 0x65, 0x6f],
  Ed25519: [0x06, 0x03, 0x2b, 0x65, 0x70],
  Ed448: [0x06, 0x03, 0x2b, 0x65, 0x71],
};
const kCfrgBytes = { Ed25519: 32, X25519: 32, Ed448: 57, X448: 56 };
const kPointBytes = { 'P-256': 65, 'P-384': 97, 'P-521': 133 };

// ---- CryptoKey ----------------------------------------------------------------

const slots = new WeakMap();

class CryptoKey {
  constructor() {
    throw codes.ERR_ILLEGAL_CONSTRUCTOR();
  }

  get type() {
    if (!(this instanceof CryptoKey)) throw codes.ERR_INVALID_THIS('CryptoKey');
    return slots.get(this)?.keyObject.type;
  }

  get extractable() {
    if (!(this instanceof CryptoKey)) throw codes.ERR_INVALID_THIS('CryptoKey');
    return slots.get(this)?.extractable;
  }

  get algorithm() {
    if (!(this instanceof CryptoKey)) throw codes.ERR_INVALID_THIS('CryptoKey');
    return slots.get(this)?.algorithm;
  }

  get usages() {
    if (!(this instanceof CryptoKey)) throw codes.ERR_INVALID_THIS('CryptoKey');
    return slots.get(this)?.usages;
  }

  [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) {
    if (depth < 0) return this;
    const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
    const show = inspect || require('../util').inspect;
    return `CryptoKey ${show({
      type: this.type, extractable: this.extractable, algorithm: this.algorithm, usages: this.usages,
    }, opts)}`;
  }
}
for (const name of ['type', 'extractable', 'algorithm', 'usages']) {
  Object.defineProperty(CryptoKey.prototype, name, { enumerable: true });
}
Object.defineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: 'CryptoKey', configurable: true });

function isCryptoKey(v) {
  return v !== null && typeof v === 'object' && slots.has(v);
}

function newKey(keyObject, algorithm, usages, extractable) {
  const key = Object.create(CryptoKey.prototype);
  slots.set(key, { keyObject, algorithm, usages, extractable });
  Object.defineProperty(key, kCryptoKey, { value: true });
  return key;
}

const slot = (key) => slots.get(key);

// The KeyObject behind a CryptoKey (KeyObject.from).
function keyObjectOf(key) {
  if (!isCryptoKey(key)) throw codes.ERR_INVALID_ARG_TYPE('key', 'CryptoKey', key);
  return slot(key).keyObject;
}

const secretBytes = (key) => slot(key).keyObject.export();

// ---- secret keys: HMAC, AES, PBKDF2, HKDF -----------------------------------

function hmacImport(format, keyData, algorithm, extractable, usages) {
  const usagesSet = new Set(usages);
  if (hasAnyNotIn(usagesSet, ['sign', 'verify'])) {
    throw domError('Unsupported key usage for an HMAC key', 'SyntaxError');
  }
  let keyObject;
  if (format === 'raw' || format === 'KeyObject') {
    const bits = format === 'raw' ? keyData.byteLength * 8 : keyData.symmetricKeySize * 8;
    if (bits === 0 || algorithm.length === 0) throw domError('Zero-length key is not supported', 'DataError');
    if (algorithm.length !== undefined && algorithm.length !== bits) throw domError('Invalid key length', 'DataError');
    keyObject = format === 'raw' ? lib().createSecretKey(toBuffer(keyData)) : keyData;
  } else if (format === 'jwk') {
    if (!keyData.kty) throw domError('Invalid keyData', 'DataError');
    if (keyData.kty !== 'oct') throw domError('Invalid JWK "kty" Parameter', 'DataError');
    checkJwkCommon(keyData, usagesSet, extractable, 'sig');
    if (keyData.alg !== undefined) {
      const expected = { 'SHA-1': 'HS1', 'SHA-256': 'HS256', 'SHA-384': 'HS384', 'SHA-512': 'HS512' }[algorithm.hash.name];
      if (keyData.alg !== expected) throw domError('JWK "alg" does not match the requested algorithm', 'DataError');
    }
    keyObject = lib().createSecretKey(jwkSecretBytes(keyData));
  } else {
    throw domError(`Unable to import HMAC key with format ${format}`);
  }
  return newKey(keyObject, { name: 'HMAC', hash: algorithm.hash, length: keyObject.symmetricKeySize * 8 },
    usages, extractable);
}

function jwkSecretBytes(jwk) {
  if (typeof jwk.k !== 'string') throw domError('Invalid keyData', 'DataError');
  return Buffer.from(jwk.k, 'base64url');
}

const aesJwkAlg = (name, length) => `A${length}${name.slice(4)}`;

function aesImport(algorithm, format, keyData, extractable, usages) {
  const { name } = algorithm;
  const allowed = name === 'AES-KW' ? ['wrapKey', 'unwrapKey'] : ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'];
  const usagesSet = new Set(usages);
  if (hasAnyNotIn(usagesSet, allowed)) throw domError('Unsupported key usage for an AES key', 'SyntaxError');
  const checkLength = (bits) => {
    if (bits !== 128 && bits !== 192 && bits !== 256) throw domError('Invalid key length', 'DataError');
  };
  let keyObject;
  if (format === 'raw') {
    checkLength(keyData.byteLength * 8);
    keyObject = lib().createSecretKey(toBuffer(keyData));
  } else if (format === 'KeyObject') {
    checkLength(keyData.symmetricKeySize * 8);
    keyObject = keyData;
  } else if (format === 'jwk') {
    if (!keyData.kty) throw domError('Invalid keyData', 'DataError');
    if (keyData.kty !== 'oct') throw domError('Invalid JWK "kty" Parameter', 'DataError');
    checkJwkCommon(keyData, usagesSet, extractable, 'enc');
    const bytes = jwkSecretBytes(keyData);
    checkLength(bytes.length * 8);
    if (keyData.alg !== undefined && keyData.alg !== aesJwkAlg(name, bytes.length * 8)) {
      throw domError('JWK "alg" does not match the requested algorithm', 'DataError');
    }
    keyObject = lib().createSecretKey(bytes);
  } else {
    throw domError(`Unable to import AES key with format ${format}`, 'NotSupportedError');
  }
  return newKey(keyObject, { name, length: keyObject.symmetricKeySize * 8 }, usages, extractable);
}

function genericSecretImport({ name, length }, format, keyData, extractable, usages) {
  if (extractable) throw domError(`${name} keys are not extractable`, 'SyntaxError');
  if (hasAnyNotIn(new Set(usages), ['deriveKey', 'deriveBits'])) {
    throw domError(`Unsupported key usage for a ${name} key`, 'SyntaxError');
  }
  if (format === 'raw' || format === 'KeyObject') {
    const bits = format === 'raw' ? keyData.byteLength * 8 : keyData.symmetricKeySize * 8;
    if (length !== undefined && length !== bits) throw domError('Invalid key length', 'DataError');
    return newKey(format === 'raw' ? lib().createSecretKey(toBuffer(keyData)) : keyData, { name }, usages, false);
  }
  throw domError(`Unable to import ${name} key with format ${format}`, 'NotSupportedError');
}

async function hmacGenerate(algorithm, extractable, usages) {
  const { hash, name } = algorithm;
  let { length } = algorithm;
  if (length === undefined) length = kBlockBits[hash.name];
  if (typeof length !== 'number') throw codes.ERR_INVALID_ARG_TYPE('algorithm.length', 'number', length);
  if (length < 0) throw codes.ERR_OUT_OF_RANGE('algorithm.length', '> 0', length);
  if (length % 8) throw codes.ERR_INVALID_ARG_VALUE('algorithm.length', length, 'must be a multiple of 8');
  const usageSet = new Set(usages);
  if (hasAnyNotIn(usageSet, ['sign', 'verify'])) throw domError('Unsupported key usage for an HMAC key', 'SyntaxError');
  const keyObject = await job((done) => lib().generateKey('hmac', { length }, done));
  return newKey(keyObject, { name, length, hash: { name: hash.name } }, [...usageSet], extractable);
}

async function aesGenerate(algorithm, extractable, usages) {
  const { name, length } = algorithm;
  if (length !== 128 && length !== 192 && length !== 256) {
    throw domError('AES key length must be 128, 192, or 256 bits', 'OperationError');
  }
  const allowed = name === 'AES-KW' ? ['wrapKey', 'unwrapKey'] : ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'];
  const usageSet = new Set(usages);
  if (hasAnyNotIn(usageSet, allowed)) throw domError('Unsupported key usage for an AES key', 'SyntaxError');
  let keyObject;
  try {
    keyObject = await new Promise((resolve, reject) => {
      lib().generateKey('aes', { length }, (err, key) => (err ? reject(err) : resolve(key)));
    });
  } catch (err) {
    throw new DOMException(`The operation failed for an operation-specific reason[${err.message}]`,
      { name: 'OperationError', cause: err });
  }
  return newKey(keyObject, { name, length }, [...usageSet], extractable);
}

function hmacSignVerify(key, data, signature) {
  const crypto = lib();
  const mac = crypto.createHmac(kNodeHash[key.algorithm.hash.name], secretBytes(key)).update(toBuffer(data)).digest();
  if (signature === undefined) return arrayBufferOf(mac);
  const sig = toBuffer(signature);
  return sig.length === mac.length && crypto.timingSafeEqual(sig, mac);
}

// ---- AES ciphers -------------------------------------------------------------

const kTagLengths = [32, 64, 96, 104, 112, 120, 128];

function aesRun(encrypt, cipherName, keyBytes, iv, data, options) {
  const crypto = lib();
  const c = encrypt ? crypto.createCipheriv(cipherName, keyBytes, iv, options)
    : crypto.createDecipheriv(cipherName, keyBytes, iv, options);
  return Buffer.concat([c.update(data), c.final()]);
}

// AES-CTR where only the low `length` bits of the counter block count:
// past their wrap the counter starts again from those bits zeroed, which
// OpenSSL's CTR (a 128-bit counter) does not do on its own.
function aesCtr(encrypt, cipherName, keyBytes, counter, length, data) {
  const blocks = BigInt(Math.ceil(data.length / 16));
  const mask = (1n << BigInt(length)) - 1n;
  const ctr = BigInt(`0x${Buffer.from(counter).toString('hex')}`);
  const room = (1n << BigInt(length)) - (ctr & mask);
  if (blocks > (1n << BigInt(length))) throw opFailed();
  if (blocks <= room) return aesRun(encrypt, cipherName, keyBytes, counter, data);
  const first = Number(room) * 16;
  const wrapped = ctr & ~mask & ((1n << 128n) - 1n);
  const wrappedBlock = Buffer.from(wrapped.toString(16).padStart(32, '0'), 'hex');
  return Buffer.concat([
    aesRun(encrypt, cipherName, keyBytes, counter, data.subarray(0, first)),
    aesRun(encrypt, cipherName, keyBytes, wrappedBlock, data.subarray(first)),
  ]);
}

async function aesCipher(encrypt, key, data, algorithm) {
  const { name } = algorithm;
  const length = key.algorithm.length;
  const keyBytes = secretBytes(key);
  const input = toBuffer(data);
  switch (name) {
    case 'AES-CTR': {
      if (algorithm.counter.byteLength !== 16) {
        throw domError('algorithm.counter must contain exactly 16 bytes', 'OperationError');
      }
      if (algorithm.length === 0 || algorithm.length > 128) {
        throw domError('AES-CTR algorithm.length must be between 1 and 128', 'OperationError');
      }
      return job((done) => done(null, arrayBufferOf(
        aesCtr(encrypt, `aes-${length}-ctr`, keyBytes, toBuffer(algorithm.counter), algorithm.length, input))));
    }
    case 'AES-CBC':
      if (algorithm.iv.byteLength !== 16) throw domError('algorithm.iv must contain exactly 16 bytes', 'OperationError');
      return job((done) => done(null, arrayBufferOf(
        aesRun(encrypt, `aes-${length}-cbc`, keyBytes, toBuffer(algorithm.iv), input))));
    case 'AES-GCM': {
      const { iv, additionalData, tagLength = 128 } = algorithm;
      if (!kTagLengths.includes(tagLength)) {
        throw domError(`${tagLength} is not a valid AES-GCM tag length`, 'OperationError');
      }
      validateMaxBufferLength(iv, 'algorithm.iv');
      if (additionalData !== undefined) validateMaxBufferLength(additionalData, 'algorithm.additionalData');
      const tagBytes = tagLength / 8;
      if (!encrypt && input.length < tagBytes) throw domError('The provided data is too small.', 'OperationError');
      return job((done) => {
        const crypto = lib();
        const cipherName = `aes-${length}-gcm`;
        const options = { authTagLength: tagBytes };
        if (encrypt) {
          const c = crypto.createCipheriv(cipherName, keyBytes, toBuffer(iv), options);
          if (additionalData !== undefined) c.setAAD(toBuffer(additionalData));
          const out = Buffer.concat([c.update(input), c.final(), c.getAuthTag()]);
          done(null, arrayBufferOf(out));
        } else {
          const d = crypto.createDecipheriv(cipherName, keyBytes, toBuffer(iv), options);
          d.setAuthTag(input.subarray(input.length - tagBytes));
          if (additionalData !== undefined) d.setAAD(toBuffer(additionalData));
          const out = Buffer.concat([d.update(input.subarray(0, input.length - tagBytes)), d.final()]);
          done(null, arrayBufferOf(out));
        }
      });
    }
    case 'AES-KW':
      return job((done) => done(null, arrayBufferOf(
        aesRun(encrypt, `id-aes${length}-wrap`, keyBytes, Buffer.alloc(8, 0xa6), input))));
  }
  return undefined;
}

// ---- RSA ----------------------------------------------------------------------

function rsaCheckUse(name, isPublic, usages) {
  let allowed;
  if (name === 'RSA-OAEP') allowed = isPublic ? ['encrypt', 'wrapKey'] : ['decrypt', 'unwrapKey'];
  else allowed = isPublic ? ['verify'] : ['sign'];
  if (hasAnyNotIn(usages, allowed)) throw domError(`Unsupported key usage for an ${name} key`, 'SyntaxError');
}

const kRsaJwkAlgs = {
  'RSASSA-PKCS1-v1_5': { 'SHA-1': 'RS1', 'SHA-256': 'RS256', 'SHA-384': 'RS384', 'SHA-512': 'RS512' },
  'RSA-PSS': { 'SHA-1': 'PS1', 'SHA-256': 'PS256', 'SHA-384': 'PS384', 'SHA-512': 'PS512' },
  'RSA-OAEP': { 'SHA-1': 'RSA-OAEP', 'SHA-256': 'RSA-OAEP-256', 'SHA-384': 'RSA-OAEP-384', 'SHA-512': 'RSA-OAEP-512' },
};

// Node reads a JWK's "alg" as any of its names of a hash.
function hashOfJwkAlg(alg) {
  const lower = String(alg).toLowerCase();
  for (const hash of Object.keys(kNodeHash)) {
    const names = [kNodeHash[hash], hash, ...Object.values(kRsaJwkAlgs).map((t) => t[hash]), `HS${hash.slice(4)}`];
    if (names.some((n) => n.toLowerCase() === lower)) return hash;
  }
  return lower;
}

function bigintBytes(n) {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function importAsymmetric(format, keyData, isPrivate) {
  const crypto = lib();
  try {
    if (format === 'jwk') {
      return isPrivate ? crypto.createPrivateKey({ key: keyData, format: 'jwk' })
        : crypto.createPublicKey({ key: keyData, format: 'jwk' });
    }
    return format === 'spki' ? crypto.createPublicKey({ key: toBuffer(keyData), format: 'der', type: 'spki' })
      : crypto.createPrivateKey({ key: toBuffer(keyData), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new DOMException('Invalid keyData', { name: 'DataError', cause: err });
  }
}

// What every asymmetric import starts with: SPKI and PKCS#8 are parsed once
// their usages are checked; a JWK must name the key type expected.
function importDerOrCheckJwk(format, keyData, kty, checkUse) {
  if (format === 'KeyObject') {
    checkUse(keyData.type === 'public');
    return keyData;
  }
  if (format === 'spki' || format === 'pkcs8') {
    checkUse(format === 'spki');
    return importAsymmetric(format, keyData, format === 'pkcs8');
  }
  if (format === 'jwk') {
    if (!keyData.kty) throw domError('Invalid keyData', 'DataError');
    if (keyData.kty !== kty) throw domError('Invalid JWK "kty" Parameter', 'DataError');
  }
  return undefined;
}

function rsaImport(format, keyData, algorithm, extractable, usages) {
  const usagesSet = new Set(usages);
  let keyObject = importDerOrCheckJwk(format, keyData, 'RSA', (isPublic) => rsaCheckUse(algorithm.name, isPublic, usagesSet));
  switch (format) {
    case 'KeyObject':
    case 'spki':
    case 'pkcs8':
      break;
    case 'jwk': {
      rsaCheckUse(algorithm.name, keyData.d === undefined, usagesSet);
      checkJwkCommon(keyData, usagesSet, extractable, algorithm.name === 'RSA-OAEP' ? 'enc' : 'sig');
      if (keyData.alg !== undefined && hashOfJwkAlg(keyData.alg) !== algorithm.hash.name) {
        throw domError('JWK "alg" does not match the requested algorithm', 'DataError');
      }
      keyObject = importAsymmetric('jwk', keyData, keyData.d !== undefined);
      break;
    }
    default:
      throw domError(`Unable to import RSA key with format ${format}`, 'NotSupportedError');
  }
  if (keyObject.asymmetricKeyType !== 'rsa') throw domError('Invalid key type', 'DataError');
  const { modulusLength, publicExponent } = keyObject.asymmetricKeyDetails;
  return newKey(keyObject, {
    name: algorithm.name, modulusLength, publicExponent: bigintBytes(publicExponent), hash: algorithm.hash,
  }, usages, extractable);
}

async function rsaGenerate(algorithm, extractable, usages) {
  const { name, modulusLength, publicExponent, hash } = algorithm;
  const usageSet = new Set(usages);
  let exponent = 0;
  for (let i = 0; i < publicExponent.length; i++) {
    if (publicExponent.length - i - 1 >= 4 && publicExponent[i]) { exponent = undefined; break; }
    exponent |= publicExponent[i] << 8 * (publicExponent.length - i - 1);
  }
  if (exponent === undefined) {
    throw domError('The publicExponent must be equivalent to an unsigned 32-bit value', 'OperationError');
  }
  const allowed = name === 'RSA-OAEP' ? ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] : ['sign', 'verify'];
  if (hasAnyNotIn(usageSet, allowed)) throw domError('Unsupported key usage for a RSA key', 'SyntaxError');
  const pair = await job((done) => lib().generateKeyPair('rsa', { modulusLength, publicExponent: exponent },
    (err, publicKey, privateKey) => done(err, { publicKey, privateKey })));
  const keyAlgorithm = { name, modulusLength, publicExponent, hash: { name: hash.name } };
  const [pub, priv] = name === 'RSA-OAEP' ? [['encrypt', 'wrapKey'], ['decrypt', 'unwrapKey']] : [['verify'], ['sign']];
  return {
    __proto__: null,
    publicKey: newKey(pair.publicKey, keyAlgorithm, usagesUnion(usageSet, ...pub), true),
    privateKey: newKey(pair.privateKey, keyAlgorithm, usagesUnion(usageSet, ...priv), extractable),
  };
}

function asymmetricSignVerify(key, data, algorithm, signature) {
  const type = signature === undefined ? 'private' : 'public';
  if (key.type !== type) throw domError(`Key must be a ${type} key`, 'InvalidAccessError');
  const keyAlg = key.algorithm;
  const keyObject = slot(key).keyObject;
  const crypto = lib();
  let hash = null;
  const options = { key: keyObject };
  if (keyAlg.name === 'ECDSA') {
    hash = kNodeHash[algorithm.hash.name];
    options.dsaEncoding = 'ieee-p1363';
  } else if (keyAlg.name === 'Ed448' && algorithm.context?.byteLength) {
    throw domError('Non zero-length context is not yet supported.', 'NotSupportedError');
  } else if (keyAlg.name === 'RSA-PSS' || keyAlg.name === 'RSASSA-PKCS1-v1_5') {
    hash = kNodeHash[keyAlg.hash.name];
  }
  return job((done) => {
    if (keyAlg.name === 'RSA-PSS') {
      const max = Math.ceil((keyAlg.modulusLength - 1) / 8) - kHashBytes[keyAlg.hash.name] - 2;
      const { saltLength } = algorithm;
      if (typeof saltLength !== 'number') throw codes.ERR_INVALID_ARG_TYPE('algorithm.saltLength', 'number', saltLength);
      if (!Number.isInteger(saltLength)) {
        throw codes.ERR_OUT_OF_RANGE('algorithm.saltLength', 'an integer', saltLength);
      }
      if (saltLength < 0 || saltLength > max) {
        throw codes.ERR_OUT_OF_RANGE('algorithm.saltLength', `>= 0 && <= ${max}`, saltLength);
      }
      options.padding = crypto.constants.RSA_PKCS1_PSS_PADDING;
      options.saltLength = saltLength;
    }
    if (signature === undefined) {
      crypto.sign(hash, toBuffer(data), options, (err, sig) => done(err, err ? undefined : arrayBufferOf(sig)));
    } else {
      crypto.verify(hash, toBuffer(data), options, toBuffer(signature), done);
    }
  });
}

function rsaOaepCipher(encrypt, key, data, { label }) {
  const type = encrypt ? 'public' : 'private';
  if (key.type !== type) {
    throw domError('The requested operation is not valid for the provided key', 'InvalidAccessError');
  }
  if (label !== undefined) validateMaxBufferLength(label, 'algorithm.label');
  return job((done) => {
    const crypto = lib();
    const options = {
      key: slot(key).keyObject,
      padding: crypto.constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: kNodeHash[key.algorithm.hash.name],
    };
    if (label !== undefined && label.byteLength) options.oaepLabel = toBuffer(label);
    const out = encrypt ? crypto.publicEncrypt(options, toBuffer(data)) : crypto.privateDecrypt(options, toBuffer(data));
    done(null, arrayBufferOf(out));
  });
}

// ---- EC and CFRG (Ed25519, Ed448, X25519, X448) --------------------------------

function ecCheckUse(name, isPublic, usages) {
  let allowed;
  if (name === 'ECDH' || name === 'X25519' || name === 'X448') allowed = isPublic ? [] : ['deriveKey', 'deriveBits'];
  else allowed = isPublic ? ['verify'] : ['sign'];
  if (hasAnyNotIn(usages, allowed)) throw domError(`Unsupported key usage for a ${name} key`, 'SyntaxError');
}

// The order of each curve: a private scalar must lie in 1 .. order - 1,
// which OpenSSL's decoders do not check (Node checks the key as a whole).
const kCurveOrders = {
  prime256v1: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
  secp384r1: 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  secp521r1: '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
};

function validEcScalar(keyObject) {
  const order = kCurveOrders[keyObject.asymmetricKeyDetails.namedCurve];
  if (order === undefined) return true;
  let d;
  try {
    d = BigInt(`0x${Buffer.from(keyObject.export({ format: 'jwk' }).d, 'base64url').toString('hex') || '0'}`);
  } catch {
    return false;
  }
  return d > 0n && d < BigInt(`0x${order}`);
}

// A public key given with a compressed point is kept uncompressed, as Node
// exports it (raw and SPKI).
function uncompressed(keyObject, namedCurve) {
  const spki = keyObject.export({ format: 'der', type: 'spki' });
  if (spki.length > kPointBytes[namedCurve] && spki[spki.length - kPointBytes[namedCurve]] === 4) return keyObject;
  try {
    return lib().createPublicKey({ key: keyObject.export({ format: 'jwk' }), format: 'jwk' });
  } catch (err) {
    throw new DOMException('Invalid keyData', { name: 'DataError', cause: err });
  }
}

function ecImport(format, keyData, algorithm, extractable, usages) {
  const { name, namedCurve } = algorithm;
  if (!Object.keys(kCurves).includes(namedCurve)) throw domError('Unrecognized namedCurve', 'NotSupportedError');
  const usagesSet = new Set(usages);
  let keyObject = importDerOrCheckJwk(format, keyData, 'EC', (isPublic) => ecCheckUse(name, isPublic, usagesSet));
  switch (format) {
    case 'jwk': {
      if (keyData.crv !== namedCurve) throw domError('JWK "crv" does not match the requested algorithm', 'DataError');
      ecCheckUse(name, keyData.d === undefined, usagesSet);
      checkJwkCommon(keyData, usagesSet, extractable, name === 'ECDH' ? 'enc' : 'sig');
      if (name === 'ECDSA' && keyData.alg !== undefined) {
        const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[keyData.alg];
        if (curve !== namedCurve) throw domError('JWK "alg" does not match the requested algorithm', 'DataError');
      }
      keyObject = importAsymmetric('jwk', keyData, keyData.d !== undefined);
      break;
    }
    case 'raw': {
      ecCheckUse(name, true, usagesSet);
      const spki = der(0x30, der(0x30, kOids.ec, kOids[namedCurve]), der(0x03, [0], toBuffer(keyData)));
      try {
        keyObject = lib().createPublicKey({ key: spki, format: 'der', type: 'spki' });
      } catch {
        throw domError('Invalid keyData', 'DataError');
      }
      break;
    }
  }
  if (keyObject.asymmetricKeyType !== 'ec') throw domError('Invalid key type', 'DataError');
  if (keyObject.type === 'private' && !validEcScalar(keyObject)) throw domError('Invalid keyData', 'DataError');
  if (keyObject.type === 'public') keyObject = uncompressed(keyObject, namedCurve);
  if (keyObject.asymmetricKeyDetails.namedCurve !== kCurves[namedCurve]) {
    throw domError('Named curve mismatch', 'DataError');
  }
  return newKey(keyObject, { name, namedCurve }, usages, extractable);
}

function cfrgRawKey(name, bytes, isPublic) {
  if (bytes.length !== kCfrgBytes[name]) {
    throw domError(`${name} raw keys must be exactly ${kCfrgBytes[name]}-bytes`, 'DataError');
  }
  const crypto = lib();
  try {
    if (isPublic) {
      return crypto.createPublicKey({
        key: der(0x30, der(0x30, kOids[name]), der(0x03, [0], bytes)), format: 'der', type: 'spki',
      });
    }
    return crypto.createPrivateKey({
      key: der(0x30, [2, 1, 0], der(0x30, kOids[name]), der(0x04, der(0x04, bytes))), format: 'der', type: 'pkcs8',
    });
  } catch {
    throw domError('Invalid keyData', 'DataError');
  }
}

function cfrgImport(format, keyData, algorithm, extractable, usages) {
  const { name } = algorithm;
  const usagesSet = new Set(usages);
  let keyObject = importDerOrCheckJwk(format, keyData, 'OKP', (isPublic) => ecCheckUse(name, isPublic, usagesSet));
  switch (format) {
    case 'jwk': {
      if (keyData.crv !== name) throw domError('JWK "crv" Parameter and algorithm name mismatch', 'DataError');
      const isPublic = keyData.d === undefined;
      checkJwkCommon(keyData, usagesSet, extractable, name.startsWith('Ed') ? 'sig' : 'enc');
      if (!isPublic && typeof keyData.x !== 'string') throw domError('Invalid JWK', 'DataError');
      ecCheckUse(name, isPublic, usagesSet);
      try {
        const publicKey = cfrgRawKey(name, Buffer.from(keyData.x, 'base64'), true);
        if (isPublic) {
          keyObject = publicKey;
        } else {
          keyObject = cfrgRawKey(name, Buffer.from(keyData.d, 'base64'), false);
          if (!lib().createPublicKey(keyObject).equals(publicKey)) {
            throw new TypeError('Invalid JWK data');
          }
        }
      } catch (err) {
        throw new DOMException('Invalid keyData', { name: 'DataError', cause: err });
      }
      break;
    }
    case 'raw':
      ecCheckUse(name, true, usagesSet);
      keyObject = cfrgRawKey(name, toBuffer(keyData), true);
      break;
  }
  if (keyObject.asymmetricKeyType !== name.toLowerCase()) throw domError('Invalid key type', 'DataError');
  return newKey(keyObject, { name }, usages, extractable);
}

async function ecGenerate(algorithm, extractable, usages) {
  const { name, namedCurve } = algorithm;
  const isEc = name === 'ECDSA' || name === 'ECDH';
  if (isEc && !Object.keys(kCurves).includes(namedCurve)) {
    throw domError('Unrecognized namedCurve', 'NotSupportedError');
  }
  const usageSet = new Set(usages);
  const derive = name === 'ECDH' || name === 'X25519' || name === 'X448';
  if (hasAnyNotIn(usageSet, derive ? ['deriveKey', 'deriveBits'] : ['sign', 'verify'])) {
    throw domError(`Unsupported key usage for an ${name} key`, 'SyntaxError');
  }
  const pair = await job((done) => {
    const cb = (err, publicKey, privateKey) => done(err, { publicKey, privateKey });
    if (isEc) lib().generateKeyPair('ec', { namedCurve }, cb);
    else lib().generateKeyPair(name.toLowerCase(), cb);
  });
  const keyAlgorithm = isEc ? { name, namedCurve } : { name };
  const publicUsages = derive ? [] : usagesUnion(usageSet, 'verify');
  const privateUsages = derive ? usagesUnion(usageSet, 'deriveKey', 'deriveBits') : usagesUnion(usageSet, 'sign');
  const publicKey = newKey(pair.publicKey, keyAlgorithm, publicUsages, true);
  const privateKey = newKey(pair.privateKey, keyAlgorithm, privateUsages, extractable);
  return isEc ? { __proto__: null, publicKey, privateKey } : { __proto__: null, privateKey, publicKey };
}

const kMasks = [0, 0b10000000, 0b11000000, 0b11100000, 0b11110000, 0b11111000, 0b11111100, 0b11111110];

async function ecdhDeriveBits(algorithm, baseKey, length) {
  const pub = algorithm.public;
  if (pub.type !== 'public') throw domError('algorithm.public must be a public key', 'InvalidAccessError');
  if (baseKey.type !== 'private') throw domError('baseKey must be a private key', 'InvalidAccessError');
  const pubName = pub.algorithm.name;
  if (pubName !== 'ECDH' && pubName !== 'X25519' && pubName !== 'X448') {
    throw domError('Keys must be ECDH, X25519, or X448 keys', 'InvalidAccessError');
  }
  if (pubName !== baseKey.algorithm.name) {
    throw domError('The public and private keys must be of the same type', 'InvalidAccessError');
  }
  if (pubName === 'ECDH' && pub.algorithm.namedCurve !== baseKey.algorithm.namedCurve) {
    throw domError('Named curve mismatch', 'InvalidAccessError');
  }
  const bits = await job((done) => done(null, arrayBufferOf(lib().diffieHellman({
    privateKey: slot(baseKey).keyObject, publicKey: slot(pub).keyObject,
  }))));
  if (length === null) return bits;
  const sliceLength = Math.ceil(length / 8);
  if (bits.byteLength < sliceLength) throw domError('derived bit length is too small', 'OperationError');
  const slice = bits.slice(0, sliceLength);
  const mod = length % 8;
  if (mod === 0) return slice;
  const masked = new Uint8Array(slice);
  masked[sliceLength - 1] &= kMasks[mod];
  return masked.buffer;
}

// ---- HKDF, PBKDF2 -------------------------------------------------------------

async function kdfDeriveBits(algorithm, baseKey, length) {
  if (algorithm.name === 'PBKDF2' && algorithm.iterations === 0) {
    throw domError('iterations cannot be zero', 'OperationError');
  }
  if (length === 0) return new ArrayBuffer(0);
  if (length === null) throw domError('length cannot be null', 'OperationError');
  if (length % 8) throw domError('length must be a multiple of 8', 'OperationError');
  const hash = kNodeHash[algorithm.hash.name];
  const out = await job((done) => {
    if (algorithm.name === 'PBKDF2') {
      lib().pbkdf2(secretBytes(baseKey), algorithm.salt, algorithm.iterations, length / 8, hash, done);
    } else {
      lib().hkdf(hash, slot(baseKey).keyObject, algorithm.salt, algorithm.info, length / 8, done);
    }
  });
  return out instanceof ArrayBuffer ? out : arrayBufferOf(out);
}

// ---- export --------------------------------------------------------------------

// The family of each algorithm, which decides how its keys are handled.
const kFamily = {
  'RSASSA-PKCS1-v1_5': 'rsa', 'RSA-PSS': 'rsa', 'RSA-OAEP': 'rsa', 'ECDSA': 'ec', 'ECDH': 'ec',
  'Ed25519': 'cfrg', 'Ed448': 'cfrg', 'X25519': 'cfrg', 'X448': 'cfrg', 'HMAC': 'hmac',
  'AES-CTR': 'aes', 'AES-CBC': 'aes', 'AES-GCM': 'aes', 'AES-KW': 'aes', 'HKDF': 'kdf', 'PBKDF2': 'kdf',
};
const isAsymmetric = (name) => ['rsa', 'ec', 'cfrg'].includes(kFamily[name]);

function spkiOrPkcs8(key, type) {
  return job((done) => done(null, arrayBufferOf(slot(key).keyObject.export({ format: 'der', type }))));
}

async function exportRaw(key) {
  const { name } = key.algorithm;
  const family = kFamily[name];
  if ((family === 'ec' || family === 'cfrg') && key.type === 'public') {
    return job((done) => {
      const spki = slot(key).keyObject.export({ format: 'der', type: 'spki' });
      const n = kPointBytes[key.algorithm.namedCurve] || kCfrgBytes[name];
      done(null, arrayBufferOf(spki.subarray(spki.length - n)));
    });
  }
  if (family === 'aes' || family === 'hmac') return arrayBufferOf(secretBytes(key));
  throw domError(`Unable to export a raw ${name} ${key.type} key`, 'InvalidAccessError');
}

function exportJwk(key) {
  const jwk = { key_ops: key.usages, ext: key.extractable };
  const { name } = key.algorithm;
  if (key.type === 'secret') {
    Object.assign(jwk, { kty: 'oct', k: secretBytes(key).toString('base64url') });
  } else {
    Object.assign(jwk, slot(key).keyObject.export({ format: 'jwk' }));
  }
  switch (kFamily[name]) {
    case 'rsa':
      jwk.alg = kRsaJwkAlgs[name][key.algorithm.hash.name];
      return jwk;
    case 'ec':
      jwk.crv ||= key.algorithm.namedCurve;
      return jwk;
    case 'cfrg':
      jwk.crv ||= name;
      return jwk;
    case 'aes':
      jwk.alg = aesJwkAlg(name, key.algorithm.length);
      return jwk;
    case 'hmac':
      jwk.alg = `HS${key.algorithm.hash.name.slice(4)}`;
      return jwk;
  }
  throw domError('Not yet supported', 'NotSupportedError');
}

async function doExportKey(format, key) {
  if (!key.extractable) throw domError('key is not extractable', 'InvalidAccessException');
  const { name } = key.algorithm;
  switch (format) {
    case 'spki':
      if (isAsymmetric(name) && key.type === 'public') return spkiOrPkcs8(key, 'spki');
      throw domError(`Unable to export a raw ${name} ${key.type} key`, 'InvalidAccessError');
    case 'pkcs8':
      if (isAsymmetric(name) && key.type === 'private') return spkiOrPkcs8(key, 'pkcs8');
      throw domError(`Unable to export a pkcs8 ${name} ${key.type} key`, 'InvalidAccessError');
    case 'jwk':
      return exportJwk(key);
    case 'raw':
      return exportRaw(key);
  }
  throw domError('Export format is unsupported', 'NotSupportedError');
}

// ---- import, cipher ------------------------------------------------------------

const kImporters = {
  rsa: rsaImport,
  ec: ecImport,
  cfrg: cfrgImport,
  hmac: hmacImport,
  aes: (format, keyData, algorithm, extractable, usages) => aesImport(algorithm, format, keyData, extractable, usages),
  kdf: (format, keyData, algorithm, extractable, usages) => genericSecretImport(algorithm, format, keyData, extractable, usages),
};

function doImportKey(format, keyData, algorithm, extractable, usages) {
  const importer = kImporters[kFamily[algorithm.name]];
  if (importer === undefined) throw domError('Unrecognized algorithm name', 'NotSupportedError');
  const result = importer(format, keyData, algorithm, extractable, usages);
  if ((result.type === 'secret' || result.type === 'private') && result.usages.length === 0) {
    throw domError(`Usages cannot be empty when importing a ${result.type} key.`, 'SyntaxError');
  }
  return result;
}

async function cipherOrWrap(encrypt, algorithm, key, data, op) {
  if (key.algorithm.name !== algorithm.name || !key.usages.includes(op)) {
    throw domError('The requested operation is not valid for the provided key', 'InvalidAccessError');
  }
  validateMaxBufferLength(data, 'data');
  if (algorithm.name === 'RSA-OAEP') return rsaOaepCipher(encrypt, key, data, algorithm);
  if (algorithm.name === 'AES-KW' ? op === 'wrapKey' || op === 'unwrapKey' : kFamily[algorithm.name] === 'aes') {
    return aesCipher(encrypt, key, data, algorithm);
  }
  throw domError('Unrecognized algorithm name', 'NotSupportedError');
}

// KeyObject's toCryptoKey: the key imported as it is, with the arguments
// converted as WebIDL says (without a prefix or context of their own).
function toCryptoKey(keyObject, algorithm, extractable, usages) {
  algorithm = normalizeAlgorithm(algorithmIdentifier(algorithm, {}), 'importKey');
  usages = keyUsages(usages, {});
  const family = kFamily[algorithm.name];
  const secret = family === 'hmac' || family === 'aes' || family === 'kdf';
  if (family === undefined || secret !== (keyObject.type === 'secret')) {
    throw domError('Unrecognized algorithm name', 'NotSupportedError');
  }
  return doImportKey('KeyObject', keyObject, algorithm, !!extractable, usages);
}

// ---- SubtleCrypto -----------------------------------------------------------------

const illegal = () => codes.ERR_ILLEGAL_CONSTRUCTOR();
let constructing = false;

function digestBytes(algorithm, data) {
  validateMaxBufferLength(data, 'data');
  const hash = kNodeHash[algorithm.name];
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  return new Promise((resolve, reject) => {
    if (binding.crypto?.digest) {
      binding.crypto.digest(hash, bytes, (err, out) => (err ? reject(opFailed(err)) : resolve(out.buffer)));
    } else {
      resolve(arrayBufferOf(lib().createHash(hash).update(bytes).digest()));
    }
  });
}

function getKeyLength({ name, length, hash }) {
  if (kFamily[name] === 'aes') {
    if (length !== 128 && length !== 192 && length !== 256) throw domError('Invalid key length', 'OperationError');
    return length;
  }
  if (name === 'HMAC') {
    if (length === undefined) return kBlockBits[hash?.name];
    if (typeof length === 'number' && length !== 0) return length;
    throw domError('Invalid key length', 'OperationError');
  }
  return null;
}

function deriveBitsOf(algorithm, baseKey, length) {
  const family = kFamily[algorithm.name];
  if (family === 'kdf') return kdfDeriveBits(algorithm, baseKey, length);
  if (algorithm.name === 'ECDH' || algorithm.name === 'X25519' || algorithm.name === 'X448') {
    return ecdhDeriveBits(algorithm, baseKey, length);
  }
  throw domError('Unrecognized algorithm name', 'NotSupportedError');
}

function checkDeriveKey(baseKey, algorithm, usage) {
  if (!baseKey.usages.includes(usage)) throw domError(`baseKey does not have ${usage} usage`, 'InvalidAccessError');
  if (baseKey.algorithm.name !== algorithm.name) throw domError('Key algorithm mismatch', 'InvalidAccessError');
}

function signVerify(algorithm, key, data, signature) {
  const usage = signature === undefined ? 'sign' : 'verify';
  algorithm = normalizeAlgorithm(algorithm, usage);
  if (!key.usages.includes(usage) || algorithm.name !== key.algorithm.name) {
    throw domError(`Unable to use this key to ${usage}`, 'InvalidAccessError');
  }
  if (algorithm.name === 'HMAC') return hmacSignVerify(key, data, signature);
  return asymmetricSignVerify(key, data, algorithm, signature);
}

async function generate(algorithm, extractable, usages) {
  switch (kFamily[algorithm.name]) {
    case 'rsa':
      return rsaGenerate(algorithm, extractable, usages);
    case 'ec':
    case 'cfrg':
      return ecGenerate(algorithm, extractable, usages);
    case 'hmac':
      return hmacGenerate(algorithm, extractable, usages);
    case 'aes':
      return aesGenerate(algorithm, extractable, usages);
  }
  throw domError('Unrecognized algorithm name', 'NotSupportedError');
}

class SubtleCrypto {
  constructor() {
    if (!constructing) throw illegal();
  }
}

// Each method: its WebIDL argument conversions (in order; `required` of
// them must be given) and what it does with the converted arguments.
const algorithmArg = algorithmIdentifier;
const booleanArg = (v) => !!v;
const keyDataArg = (v, opts, args) => (args[0] === 'jwk' ? jsonWebKey(v, opts) : bufferSource(v, opts));
const optionalLength = (v, opts) => (v === undefined || v === null ? null : unsigned(32, false)(v, opts));
const kMethods = {
  encrypt: [3, [algorithmArg, cryptoKeyArg, bufferSource],
    (algorithm, key, data) => cipherOrWrap(true, normalizeAlgorithm(algorithm, 'encrypt'), key, data, 'encrypt')],
  decrypt: [3, [algorithmArg, cryptoKeyArg, bufferSource],
    (algorithm, key, data) => cipherOrWrap(false, normalizeAlgorithm(algorithm, 'decrypt'), key, data, 'decrypt')],
  sign: [3, [algorithmArg, cryptoKeyArg, bufferSource], (algorithm, key, data) => signVerify(algorithm, key, data)],
  verify: [4, [algorithmArg, cryptoKeyArg, bufferSource, bufferSource],
    (algorithm, key, signature, data) => signVerify(algorithm, key, data, signature)],
  digest: [2, [algorithmArg, bufferSource], (algorithm, data) => digestBytes(normalizeAlgorithm(algorithm, 'digest'), data)],
  async generateKey(algorithm, extractable, usages) {
    const result = await generate(normalizeAlgorithm(algorithm, 'generateKey'), extractable, usages);
    const empty = isCryptoKey(result) ? result.usages.length === 0 : result.privateKey.usages.length === 0;
    if (empty) throw domError('Usages cannot be empty when creating a key.', 'SyntaxError');
    return result;
  },
  async deriveKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, usages) {
    algorithm = normalizeAlgorithm(algorithm, 'deriveBits');
    normalizeAlgorithm(derivedKeyAlgorithm, 'importKey');
    checkDeriveKey(baseKey, algorithm, 'deriveKey');
    const bits = await deriveBitsOf(algorithm, baseKey, getKeyLength(normalizeAlgorithm(derivedKeyAlgorithm, 'get key length')));
    return importKey('raw', bits, derivedKeyAlgorithm, extractable, usages);
  },
  deriveBits(algorithm, baseKey, length) {
    algorithm = normalizeAlgorithm(algorithm, 'deriveBits');
    checkDeriveKey(baseKey, algorithm, 'deriveBits');
    return deriveBitsOf(algorithm, baseKey, length);
  },
  importKey,
  exportKey: [2, [keyFormat, cryptoKeyArg], doExportKey],
  async wrapKey(format, key, wrappingKey, algorithm) {
    try {
      algorithm = normalizeAlgorithm(algorithm, 'wrapKey');
    } catch {
      algorithm = normalizeAlgorithm(algorithm, 'encrypt');
    }
    let keyData = await doExportKey(format, key);
    if (format === 'jwk') {
      const raw = JSON.stringify(keyData);
      const padded = algorithm.name === 'AES-KW' && raw.length % 8 !== 0 ? raw + ' '.repeat(8 - (raw.length % 8)) : raw;
      keyData = new TextEncoder().encode(padded);
    }
    return cipherOrWrap(true, algorithm, wrappingKey, keyData, 'wrapKey');
  },
  async unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgo, unwrappedKeyAlgo, extractable, usages) {
    try {
      unwrapAlgo = normalizeAlgorithm(unwrapAlgo, 'unwrapKey');
    } catch {
      unwrapAlgo = normalizeAlgorithm(unwrapAlgo, 'decrypt');
    }
    let keyData = await cipherOrWrap(false, unwrapAlgo, unwrappingKey, wrappedKey, 'unwrapKey');
    if (format === 'jwk') {
      try {
        keyData = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(keyData));
      } catch {
        throw domError('Invalid wrapped JWK key', 'DataError');
      }
    }
    return importKey(format, keyData, unwrappedKeyAlgo, extractable, usages);
  },
};
function importKey(format, keyData, algorithm, extractable, usages) {
  return doImportKey(format, keyData, normalizeAlgorithm(algorithm, 'importKey'), extractable, usages);
}
const kConversions = {
  generateKey: [3, [algorithmArg, booleanArg, keyUsages]],
  deriveKey: [5, [algorithmArg, cryptoKeyArg, algorithmArg, booleanArg, keyUsages]],
  deriveBits: [2, [algorithmArg, cryptoKeyArg, optionalLength]],
  importKey: [4, [keyFormat, keyDataArg, algorithmArg, booleanArg, keyUsages]],
  wrapKey: [4, [keyFormat, cryptoKeyArg, cryptoKeyArg, algorithmArg]],
  unwrapKey: [7, [keyFormat, bufferSource, cryptoKeyArg, algorithmArg, algorithmArg, booleanArg, keyUsages]],
};

for (const name of Object.keys(kMethods)) {
  const [required, converters, body] = Array.isArray(kMethods[name]) ? kMethods[name]
    : [...kConversions[name], kMethods[name]];
  const prefix = `Failed to execute '${name}' on 'SubtleCrypto'`;
  const method = {
    async [name](...args) {
      if (this !== subtle) throw codes.ERR_INVALID_THIS('SubtleCrypto');
      requiredArguments(args.length, required, prefix);
      for (let i = 0; i < converters.length; i++) {
        const context = `${i + 1}${['st', 'nd', 'rd'][i] || 'th'} argument`;
        args[i] = converters[i](args[i], { prefix, context }, args);
      }
      return body(...args);
    },
  }[name];
  Object.defineProperty(method, 'length', { value: name === 'deriveBits' ? 2 : converters.length });
  Object.defineProperty(SubtleCrypto.prototype, name, {
    value: method, writable: true, configurable: true, enumerable: true,
  });
}
Object.defineProperty(SubtleCrypto.prototype, Symbol.toStringTag, { value: 'SubtleCrypto', configurable: true });

// ---- Crypto -----------------------------------------------------------------------

class Crypto {
  constructor() {
    if (!constructing) throw illegal();
  }

  get subtle() {
    if (this !== webcrypto) throw codes.ERR_INVALID_THIS('Crypto');
    return subtle;
  }
}
Object.defineProperty(Crypto.prototype, 'subtle', { enumerable: true });
Object.defineProperties(Crypto.prototype, {
  [Symbol.toStringTag]: { value: 'Crypto', configurable: true },
  getRandomValues: {
    enumerable: true,
    configurable: true,
    writable: true,
    value: function getRandomValues(array) {
      if (this !== webcrypto) throw codes.ERR_INVALID_THIS('Crypto');
      requiredArguments(arguments.length, 1, "Failed to execute 'getRandomValues' on 'Crypto'");
      return lib().getRandomValues(array);
    },
  },
  randomUUID: {
    enumerable: true,
    configurable: true,
    writable: true,
    value: function randomUUID() {
      if (this !== webcrypto) throw codes.ERR_INVALID_THIS('Crypto');
      return lib().randomUUID();
    },
  },
});

constructing = true;
const subtle = new SubtleCrypto();
const webcrypto = new Crypto();
constructing = false;

module.exports = { Crypto, CryptoKey, SubtleCrypto, webcrypto, subtle, isCryptoKey, keyObjectOf, toCryptoKey };
