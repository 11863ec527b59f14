// node/internal/crypto/sig.js — signatures, RSA encryption and key
// agreement over bridge/crypto_pkey.c: crypto.sign / verify (one-shot,
// with callbacks), createSign / createVerify (Writable streams that hash
// as data comes, as Node's), publicEncrypt / privateDecrypt /
// privateEncrypt / publicDecrypt, and diffieHellman({ privateKey,
// publicKey }).
//
// The callback forms of sign and verify run on the loop's thread and
// answer on the next tick: a signature takes milliseconds, unlike a key
// pair, which keys.js makes on libuv's pool.
'use strict';

const { Buffer } = require('buffer');
const { Writable } = require('stream');
const { codes, makeNodeError } = require('../errors');
const { validateString, validateFunction, validateObject } = require('../validators');
const { natives, isView, byteSource, toBuffer } = require('./util');
const keys = require('./keys');

const native = keys.native;
const hashNative = natives('crypto');
const { RSA_PKCS1_PADDING, RSA_PKCS1_OAEP_PADDING } = require('../linux-constants').crypto;

const signKeyRequired = () => makeNodeError(Error, 'ERR_CRYPTO_SIGN_KEY_REQUIRED', 'No key provided to sign');

function intOption(name, options) {
  const value = options[name];
  if (value !== undefined) {
    if (value === value >> 0) return value;
    throw codes.ERR_INVALID_ARG_VALUE(`options.${name}`, value);
  }
  return undefined;
}

function p1363(options) {
  if (typeof options === 'object' && options !== null) {
    const { dsaEncoding = 'der' } = options;
    if (dsaEncoding === 'der') return false;
    if (dsaEncoding === 'ieee-p1363') return true;
    throw codes.ERR_INVALID_ARG_VALUE('options.dsaEncoding', dsaEncoding);
  }
  return false;
}

// The signing options of a key argument (a plain key has none).
function sigOptions(key) {
  const o = typeof key === 'object' && key !== null ? key : {};
  return { padding: intOption('padding', o), salt: intOption('saltLength', o), p1363: p1363(key) };
}

const isEdKey = (handle) => /^type=ed(25519|448)\n/.test(native.details(handle));
const unsupportedOperation = () => makeNodeError(Error, 'ERR_CRYPTO_UNSUPPORTED_OPERATION',
  'Unsupported crypto operation');

// ---- Sign / Verify streams ----------------------------------------------------

const kHash = Symbol('kHash');
const kAlgorithm = Symbol('kAlgorithm');

// DSS1, an old name of SHA-1 for DSA that Node still takes.
const digestName = (name) => (name === 'dss1' || name === 'DSS1' ? 'sha1' : name);

function newHash(algorithm) {
  try {
    return hashNative.hashNew(algorithm, -1);
  } catch {
    throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', 'Invalid digest');
  }
}

function updateData(self, data, encoding) {
  if (typeof data === 'string') {
    data = Buffer.from(data, Buffer.isEncoding(encoding) ? encoding : 'utf8');
  } else if (!isView(data)) {
    throw codes.ERR_INVALID_ARG_TYPE('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
  }
  hashNative.hashUpdate(self[kHash], new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return self;
}

function Sign(algorithm, options) {
  if (!(this instanceof Sign)) return new Sign(algorithm, options);
  validateString(algorithm, 'algorithm');
  this[kAlgorithm] = digestName(algorithm);
  this[kHash] = newHash(this[kAlgorithm]);
  Writable.call(this, options);
}
Object.setPrototypeOf(Sign.prototype, Writable.prototype);
Object.setPrototypeOf(Sign, Writable);

Sign.prototype._write = function _write(chunk, encoding, callback) {
  this.update(chunk, encoding);
  callback();
};

Sign.prototype.update = function update(data, encoding) {
  return updateData(this, data, encoding);
};

function digestOnce(self) {
  try {
    return hashNative.hashDigest(self[kHash]);
  } catch {
    throw makeNodeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
  }
}

Sign.prototype.sign = function sign(options, encoding) {
  if (!options) throw signKeyRequired();
  const key = keys.preparePrivateKey(options);
  const { padding, salt, p1363: ieee } = sigOptions(options);
  const handle = key();
  if (isEdKey(handle)) throw unsupportedOperation();
  const sig = toBuffer(native.sign(handle, this[kAlgorithm], digestOnce(this), padding, salt, ieee, true));
  if (encoding && encoding !== 'buffer') return sig.toString(encoding);
  return sig;
};

function Verify(algorithm, options) {
  if (!(this instanceof Verify)) return new Verify(algorithm, options);
  validateString(algorithm, 'algorithm');
  this[kAlgorithm] = digestName(algorithm);
  this[kHash] = newHash(this[kAlgorithm]);
  Writable.call(this, options);
}
Object.setPrototypeOf(Verify.prototype, Writable.prototype);
Object.setPrototypeOf(Verify, Writable);

Verify.prototype._write = Sign.prototype._write;
Verify.prototype.update = Sign.prototype.update;

Verify.prototype.verify = function verify(options, signature, sigEncoding) {
  const key = keys.preparePublicOrPrivateKey(options);
  const { padding, salt, p1363: ieee } = sigOptions(options);
  signature = byteSource(signature, 'signature', sigEncoding);
  const handle = key();
  if (isEdKey(handle)) throw unsupportedOperation();
  return native.verify(handle, this[kAlgorithm], digestOnce(this), signature, padding, salt, ieee, true);
};

// ---- one-shot ---------------------------------------------------------------

function answer(callback, fn) {
  if (callback === undefined) return fn();
  let err = null;
  let value;
  try {
    value = fn();
  } catch (e) {
    err = e;
  }
  process.nextTick(() => (err ? callback(err) : callback(null, value)));
  return undefined;
}

// The one-shot forms name an unknown digest at once, also with a callback.
function checkDigest(algorithm) {
  if (algorithm != null && !native.digestKnown(algorithm)) {
    throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${algorithm}`);
  }
}

function signOneShot(algorithm, data, key, callback) {
  if (algorithm != null) validateString(algorithm, 'algorithm');
  if (callback !== undefined) validateFunction(callback, 'callback');
  algorithm = algorithm == null ? algorithm : digestName(algorithm);
  data = byteSource(data, 'data');
  if (!key) throw signKeyRequired();
  const { padding, salt, p1363: ieee } = sigOptions(key);
  const handle = keys.preparePrivateKey(key);
  checkDigest(algorithm);
  return answer(callback, () => toBuffer(native.sign(handle(), algorithm, data, padding, salt, ieee, false)));
}

function verifyOneShot(algorithm, data, key, signature, callback) {
  if (algorithm != null) validateString(algorithm, 'algorithm');
  if (callback !== undefined) validateFunction(callback, 'callback');
  algorithm = algorithm == null ? algorithm : digestName(algorithm);
  data = byteSource(data, 'data');
  if (!isView(data)) throw codes.ERR_INVALID_ARG_TYPE('data', ['Buffer', 'TypedArray', 'DataView'], data);
  const { padding, salt, p1363: ieee } = sigOptions(key);
  if (!isView(signature)) {
    throw codes.ERR_INVALID_ARG_TYPE('signature', ['Buffer', 'TypedArray', 'DataView'], signature);
  }
  const handle = keys.preparePublicOrPrivateKey(key);
  checkDigest(algorithm);
  const sig = new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength);
  return answer(callback, () => native.verify(handle(), algorithm, data, sig, padding, salt, ieee, false));
}

// ---- RSA encryption -----------------------------------------------------------

const kPublicEncrypt = 0;
const kPrivateDecrypt = 1;
const kPrivateEncrypt = 2;
const kPublicDecrypt = 3;

function rsaFunctionFor(op, defaultPadding, keyType) {
  return (options, buffer) => {
    const handle = keyType === 'private' ? keys.preparePrivateKey(options) : keys.preparePublicOrPrivateKey(options);
    const padding = options.padding || defaultPadding;
    const { oaepHash, encoding } = options;
    let { oaepLabel } = options;
    if (oaepHash !== undefined) validateString(oaepHash, 'key.oaepHash');
    if (oaepLabel !== undefined) oaepLabel = byteSource(oaepLabel, 'key.oaepLabel', encoding);
    buffer = byteSource(buffer, 'buffer', encoding);
    if (oaepHash !== undefined && !native.digestKnown(oaepHash)) {
      throw makeNodeError(TypeError, 'ERR_OSSL_EVP_INVALID_DIGEST', 'Invalid digest used');
    }
    return toBuffer(native.crypt(op, handle(), buffer, padding, oaepHash, oaepLabel));
  };
}

const publicEncrypt = rsaFunctionFor(kPublicEncrypt, RSA_PKCS1_OAEP_PADDING, 'public');
const publicDecrypt = rsaFunctionFor(kPublicDecrypt, RSA_PKCS1_PADDING, 'public');
const privateEncrypt = rsaFunctionFor(kPrivateEncrypt, RSA_PKCS1_PADDING, 'private');
const privateDecrypt = rsaFunctionFor(kPrivateDecrypt, RSA_PKCS1_OAEP_PADDING, 'private');

// ---- key agreement ------------------------------------------------------------

function diffieHellman(options) {
  validateObject(options, 'options');
  const { privateKey, publicKey } = options;
  if (!keys.isKeyObject(privateKey)) {
    throw codes.ERR_INVALID_ARG_VALUE('options.privateKey', privateKey);
  }
  if (!keys.isKeyObject(publicKey)) {
    throw codes.ERR_INVALID_ARG_VALUE('options.publicKey', publicKey);
  }
  if (privateKey.type !== 'private') {
    throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
      `Invalid key object type ${privateKey.type}, expected private.`);
  }
  if (publicKey.type !== 'public' && publicKey.type !== 'private') {
    throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE',
      `Invalid key object type ${publicKey.type}, expected private or public.`);
  }
  const privateType = privateKey.asymmetricKeyType;
  const publicType = publicKey.asymmetricKeyType;
  if (privateType !== publicType || !['dh', 'ec', 'x448', 'x25519'].includes(privateType)) {
    throw makeNodeError(Error, 'ERR_CRYPTO_INCOMPATIBLE_KEY',
      `Incompatible key types for Diffie-Hellman: ${privateType} and ${publicType}`);
  }
  return toBuffer(native.derive(keys.handleOf(privateKey), keys.handleOf(publicKey)));
}

module.exports = {
  Sign, Verify, signOneShot, verifyOneShot, publicEncrypt, publicDecrypt, privateEncrypt, privateDecrypt,
  diffieHellman,
};
