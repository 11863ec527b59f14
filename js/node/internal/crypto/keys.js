// node/internal/crypto/keys.js — asymmetric KeyObjects over bridge/
// crypto_pkey.c: createPublicKey / createPrivateKey from PEM, DER (pkcs1,
// spki, pkcs8, sec1), JWK or another key; export() in each format;
// asymmetricKeyType / asymmetricKeyDetails / equals; generateKeyPair(Sync).
//
// A key's material lives in a native handle (an EVP_PKEY), kept in a
// WeakMap so that no property, symbol or inspection reaches it. crypto.js
// owns the KeyObject base class and hands it in (install), so that the
// class hierarchy is Node's: KeyObject > AsymmetricKeyObject >
// PublicKeyObject / PrivateKeyObject.
'use strict';

const { Buffer } = require('buffer');
const { codes, makeNodeError } = require('../errors');
const {
  validateString, validateObject, validateFunction, validateInt32, validateUint32, validateOneOf,
} = require('../validators');
const { natives, isStringOrBuffer, isView, isAnyArrayBuffer, byteSource, toBuffer } = require('./util');

const native = natives('pkey');
const hashNatives = natives('crypto');

// What a key is asked for (Node's kConsumePublic ... kCreatePrivate).
const kConsumePublic = 0;
const kConsumePrivate = 1;
const kCreatePublic = 2;
const kCreatePrivate = 3;

const handles = new WeakMap();

const invalidKeyObjectType = (actual, expected) => makeNodeError(TypeError,
  'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', `Invalid key object type ${actual}, expected ${expected}.`);
const incompatibleKeyOptions = (a, b) => makeNodeError(Error, 'ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS',
  `The selected key encoding ${a} ${b}.`);
const invalidJwk = (msg = 'Invalid JWK data') => makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_JWK', msg);

const option = (name, objName) => (objName === undefined ? `options.${name}` : `options.${objName}.${name}`);

function parseKeyFormat(formatStr, defaultFormat, optionName) {
  if (formatStr === undefined && defaultFormat !== undefined) return defaultFormat;
  if (formatStr === 'pem' || formatStr === 'der' || formatStr === 'jwk') return formatStr;
  throw codes.ERR_INVALID_ARG_VALUE(optionName, formatStr);
}

function parseKeyType(typeStr, required, keyType, isPublic, optionName) {
  if (typeStr === undefined && !required) return undefined;
  if (typeStr === 'pkcs1') {
    if (keyType !== undefined && keyType !== 'rsa') throw incompatibleKeyOptions(typeStr, 'can only be used for RSA keys');
    return typeStr;
  }
  if (typeStr === 'spki' && isPublic !== false) return typeStr;
  if (typeStr === 'pkcs8' && isPublic !== true) return typeStr;
  if (typeStr === 'sec1' && isPublic !== true) {
    if (keyType !== undefined && keyType !== 'ec') throw incompatibleKeyOptions(typeStr, 'can only be used for EC keys');
    return typeStr;
  }
  throw codes.ERR_INVALID_ARG_VALUE(optionName, typeStr);
}

// Node's parseKeyEncoding: keyType undefined for an input key.
function parseKeyEncoding(enc, keyType, isPublic, objName) {
  validateObject(enc, 'options');
  const isInput = keyType === undefined;
  const format = parseKeyFormat(enc.format, isInput ? 'pem' : undefined, option('format', objName));
  const isRequired = (!isInput || format === 'der') && format !== 'jwk';
  const type = parseKeyType(enc.type, isRequired, keyType, isPublic, option('type', objName));
  let cipher;
  let passphrase;
  let encoding;
  if (isPublic !== true) {
    ({ cipher, passphrase, encoding } = enc);
    if (!isInput) {
      if (cipher != null) {
        if (typeof cipher !== 'string') throw codes.ERR_INVALID_ARG_VALUE(option('cipher', objName), cipher);
        if (format === 'der' && (type === 'pkcs1' || type === 'sec1')) {
          throw incompatibleKeyOptions(type, 'does not support encryption');
        }
      } else if (passphrase !== undefined) {
        throw codes.ERR_INVALID_ARG_VALUE(option('cipher', objName), cipher);
      }
    }
    if ((isInput && passphrase !== undefined && !isStringOrBuffer(passphrase)) ||
        (!isInput && cipher != null && !isStringOrBuffer(passphrase))) {
      throw codes.ERR_INVALID_ARG_VALUE(option('passphrase', objName), passphrase);
    }
  }
  if (passphrase !== undefined) passphrase = byteSource(passphrase, 'key.passphrase', encoding);
  return { format, type, cipher, passphrase };
}

const keyArgTypes = (ctx) => ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView',
  ...(ctx !== kCreatePrivate ? ['KeyObject', 'CryptoKey'] : [])];

let KeyObjectBase = null;
let cryptoKeyObject = null; // (CryptoKey) -> KeyObject, when webcrypto keys exist

function isKeyObject(v) {
  return KeyObjectBase !== null && v instanceof KeyObjectBase;
}

function keyObjectHandle(key, ctx) {
  if (ctx === kCreatePrivate) {
    throw codes.ERR_INVALID_ARG_TYPE('key', ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'], key);
  }
  if (key.type !== 'private') {
    if (ctx === kConsumePrivate || ctx === kCreatePublic) throw invalidKeyObjectType(key.type, 'private');
    if (key.type !== 'public') throw invalidKeyObjectType(key.type, 'private or public');
  }
  return handles.get(key);
}

function jwkBytes(v) {
  return typeof v === 'string' ? Buffer.from(v, 'base64url') : undefined;
}

function handleFromJwk(key, ctx) {
  validateObject(key, 'key');
  validateOneOf(key.kty, 'key.kty', ['RSA', 'EC', 'OKP']);
  const isPublic = ctx === kConsumePublic || ctx === kCreatePublic;
  if (key.kty === 'OKP') {
    validateString(key.crv, 'key.crv');
    validateOneOf(key.crv, 'key.crv', ['Ed25519', 'Ed448', 'X25519', 'X448']);
    validateString(key.x, 'key.x');
    if (!isPublic) validateString(key.d, 'key.d');
    const data = Buffer.from(isPublic ? key.x : key.d, 'base64');
    const want = { Ed25519: 32, X25519: 32, Ed448: 57, X448: 56 }[key.crv];
    if (data.byteLength !== want) throw invalidJwk();
    return native.fromJwk('OKP', key.crv, !isPublic, isPublic ? data : undefined, isPublic ? undefined : data);
  }
  if (key.kty === 'EC') {
    validateString(key.crv, 'key.crv');
    validateOneOf(key.crv, 'key.crv', ['P-256', 'secp256k1', 'P-384', 'P-521']);
    validateString(key.x, 'key.x');
    validateString(key.y, 'key.y');
  }
  if (!isPublic) validateString(key.d, 'key.d');
  if (key.kty === 'RSA') {
    validateString(key.n, 'key.n');
    validateString(key.e, 'key.e');
    const names = isPublic ? ['n', 'e'] : ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'];
    if (names.some((n) => typeof key[n] !== 'string')) throw invalidJwk('Invalid JWK RSA key');
    return native.fromJwk('RSA', undefined, !isPublic, ...names.map((n) => jwkBytes(key[n])));
  }
  try {
    return native.fromJwk('EC', key.crv, !isPublic, jwkBytes(key.x), jwkBytes(key.y),
      isPublic ? undefined : jwkBytes(key.d));
  } catch {
    throw invalidJwk('Invalid JWK EC key');
  }
}

// Node's prepareAsymmetricKey: { handle } for a key object or JWK, else
// { data, format, type, passphrase } to parse.
function prepareAsymmetricKey(key, ctx) {
  if (isKeyObject(key)) return { handle: keyObjectHandle(key, ctx) };
  if (cryptoKeyObject !== null && cryptoKeyObject(key)) return { handle: keyObjectHandle(cryptoKeyObject(key), ctx) };
  if (isStringOrBuffer(key)) return { format: 'pem', data: byteSource(key, 'key') };
  if (typeof key === 'object' && key !== null) {
    const { key: data, encoding, format } = key;
    if (isKeyObject(data)) return { handle: keyObjectHandle(data, ctx) };
    if (cryptoKeyObject !== null && cryptoKeyObject(data)) {
      return { handle: keyObjectHandle(cryptoKeyObject(data), ctx) };
    }
    if (format === 'jwk') {
      validateObject(data, 'key.key');
      return { handle: handleFromJwk(data, ctx), jwk: true };
    }
    if (!isStringOrBuffer(data)) throw codes.ERR_INVALID_ARG_TYPE('key.key', keyArgTypes(ctx), data);
    const isPublic = ctx === kConsumePrivate || ctx === kCreatePrivate ? false : undefined;
    return { data: byteSource(data, 'key', encoding), ...parseKeyEncoding(key, undefined, isPublic) };
  }
  throw codes.ERR_INVALID_ARG_TYPE('key', keyArgTypes(ctx), key);
}

// A native handle for a key argument: the key object's, or one parsed.
// wantPublic: parse it as a public key (a private key's public half will
// do), as Node's consumers of public keys do.
function keyHandle(key, ctx) {
  const k = prepareAsymmetricKey(key, ctx);
  if (k.handle !== undefined) return k.handle;
  const wantPublic = ctx === kConsumePublic || ctx === kCreatePublic;
  return native.parse(k.data, k.format, k.type, k.passphrase, wantPublic);
}

// The consumers' form: the key argument checked now, parsed when the
// returned function is called (after the other arguments are checked, the
// order in which Node's natives parse).
function lazyHandle(key, ctx) {
  const k = prepareAsymmetricKey(key, ctx);
  if (k.handle !== undefined) return () => k.handle;
  return () => native.parse(k.data, k.format, k.type, k.passphrase, ctx === kConsumePublic);
}
const preparePrivateKey = (key) => lazyHandle(key, kConsumePrivate);
const preparePublicOrPrivateKey = (key) => lazyHandle(key, kConsumePublic);

function install(base) {
  KeyObjectBase = base.KeyObject;
  const { KeyObject, making } = base;
  const kDetails = Symbol('kAsymmetricKeyDetails');
  const kType = Symbol('kAsymmetricKeyType');

  class AsymmetricKeyObject extends KeyObject {
    constructor(type, handle) {
      making(() => super(type));
      handles.set(this, handle);
    }

    get asymmetricKeyType() {
      if (this[kType] === undefined) this[kType] = details(this).type || undefined;
      return this[kType];
    }

    get asymmetricKeyDetails() {
      switch (this.asymmetricKeyType) {
        case 'rsa': case 'rsa-pss': case 'dsa': case 'ec':
          if (this[kDetails] === undefined) {
            const d = details(this);
            delete d.type;
            this[kDetails] = d;
          }
          return { ...this[kDetails] };
        default:
          return {};
      }
    }

    equals(otherKeyObject) {
      if (!(otherKeyObject instanceof KeyObject)) {
        throw codes.ERR_INVALID_ARG_TYPE('otherKeyObject', 'KeyObject', otherKeyObject);
      }
      return otherKeyObject.type === this.type && native.equals(handles.get(this), handles.get(otherKeyObject));
    }
  }

  // Properties of the key's details, typed as Node gives them.
  function details(key) {
    const out = {};
    for (const line of native.details(handles.get(key)).split('\n')) {
      const at = line.indexOf('=');
      if (at < 0) continue;
      const name = line.slice(0, at);
      const value = line.slice(at + 1);
      if (name === 'publicExponent') out[name] = BigInt(`0x${value}`);
      else if (/Length$/.test(name)) out[name] = Number(value);
      else out[name] = value;
    }
    return out;
  }

  function exportJwk(key, priv) {
    const out = {};
    for (const line of native.jwk(handles.get(key), priv).split('\n')) {
      const at = line.indexOf('=');
      if (at < 0) continue;
      const name = line.slice(0, at);
      const value = line.slice(at + 1);
      out[name] = name === 'kty' || name === 'crv' ? value : Buffer.from(value, 'hex').toString('base64url');
    }
    return out;
  }

  function exportAs(key, priv, format, type, cipher, passphrase) {
    const bytes = native.export(handles.get(key), !priv, format, type, cipher, passphrase);
    return format === 'pem' ? toBuffer(bytes).toString('latin1') : toBuffer(bytes);
  }

  class PublicKeyObject extends AsymmetricKeyObject {
    constructor(handle) {
      super('public', handle);
    }

    export(options) {
      if (options && options.format === 'jwk') return exportJwk(this, false);
      const { format, type } = parseKeyEncoding(options, this.asymmetricKeyType, true);
      return exportAs(this, false, format, type);
    }
  }

  class PrivateKeyObject extends AsymmetricKeyObject {
    constructor(handle) {
      super('private', handle);
    }

    export(options) {
      if (options && options.format === 'jwk') {
        if (options.passphrase !== undefined) throw incompatibleKeyOptions('jwk', 'does not support encryption');
        return exportJwk(this, true);
      }
      const { format, type, cipher, passphrase } = parseKeyEncoding(options, this.asymmetricKeyType, false);
      return exportAs(this, true, format, type, cipher, passphrase);
    }
  }

  // The key object for a handle: private keys stay private.
  const wrap = (handle) => (native.kind(handle) === 'private' ? new PrivateKeyObject(handle)
    : new PublicKeyObject(handle));

  function createPublicKey(key) {
    const handle = keyHandle(key, kCreatePublic);
    return new PublicKeyObject(native.kind(handle) === 'private' ? native.toPublic(handle) : handle);
  }

  function createPrivateKey(key) {
    return new PrivateKeyObject(keyHandle(key, kCreatePrivate));
  }

  // ---- key pairs ----------------------------------------------------------

  function pairEncoding(keyType, options = {}) {
    const { publicKeyEncoding, privateKeyEncoding } = options;
    let pub;
    let priv;
    if (publicKeyEncoding == null) pub = undefined;
    else if (typeof publicKeyEncoding === 'object') {
      pub = parseKeyEncoding(publicKeyEncoding, keyType, keyType ? true : undefined, 'publicKeyEncoding');
    } else throw codes.ERR_INVALID_ARG_VALUE('options.publicKeyEncoding', publicKeyEncoding);
    if (privateKeyEncoding == null) priv = undefined;
    else if (typeof privateKeyEncoding === 'object') {
      priv = parseKeyEncoding(privateKeyEncoding, keyType, false, 'privateKeyEncoding');
    } else throw codes.ERR_INVALID_ARG_VALUE('options.privateKeyEncoding', privateKeyEncoding);
    return { pub, priv };
  }

  // The native's arguments: (type, bits, exponent, md, mgf1, salt|divisor,
  // name, prime, generator, named).
  function keygenArgs(type, options) {
    validateString(type, 'type');
    const encoding = pairEncoding(type, options);
    if (options !== undefined) validateObject(options, 'options');
    switch (type) {
      case 'rsa': case 'rsa-pss': {
        validateObject(options, 'options');
        const { modulusLength } = options;
        validateUint32(modulusLength, 'options.modulusLength');
        let { publicExponent } = options;
        if (publicExponent == null) publicExponent = 0x10001;
        else validateUint32(publicExponent, 'options.publicExponent');
        const exp = Buffer.alloc(4);
        exp.writeUInt32BE(publicExponent);
        if (type === 'rsa') return { encoding, args: [type, modulusLength, exp] };
        const { hash, mgf1Hash, hashAlgorithm, mgf1HashAlgorithm, saltLength } = options;
        if (saltLength !== undefined) validateInt32(saltLength, 'options.saltLength', 0);
        if (hashAlgorithm !== undefined) validateString(hashAlgorithm, 'options.hashAlgorithm');
        if (mgf1HashAlgorithm !== undefined) validateString(mgf1HashAlgorithm, 'options.mgf1HashAlgorithm');
        if (hash !== undefined) {
          process.emitWarning('"options.hash" is deprecated, use "options.hashAlgorithm" instead.',
            'DeprecationWarning', 'DEP0154');
          validateString(hash, 'options.hash');
          if (hashAlgorithm && hash !== hashAlgorithm) throw codes.ERR_INVALID_ARG_VALUE('options.hash', hash);
        }
        if (mgf1Hash !== undefined) {
          process.emitWarning('"options.mgf1Hash" is deprecated, use "options.mgf1HashAlgorithm" instead.',
            'DeprecationWarning', 'DEP0154');
          validateString(mgf1Hash, 'options.mgf1Hash');
          if (mgf1HashAlgorithm && mgf1Hash !== mgf1HashAlgorithm) {
            throw codes.ERR_INVALID_ARG_VALUE('options.mgf1Hash', mgf1Hash);
          }
        }
        const md = hashAlgorithm || hash;
        // MGF1 takes the message digest when not given, as in Node
        const mgf1 = mgf1HashAlgorithm || mgf1Hash || md;
        for (const [name, v] of [['hashAlgorithm', md], ['mgf1HashAlgorithm', mgf1]]) {
          if (v !== undefined && native.digestKnown(v) === false) {
            throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid ${name === 'hashAlgorithm' ? '' : 'MGF1 '}digest: ${v}`);
          }
        }
        // the salt is as long as the digest when not given, as in Node
        const salt = saltLength === undefined && md !== undefined ? hashNatives.digestSize(md) : saltLength;
        return { encoding, args: [type, modulusLength, exp, md, mgf1, salt >= 0 ? salt : undefined] };
      }
      case 'dsa': {
        validateObject(options, 'options');
        const { modulusLength } = options;
        validateUint32(modulusLength, 'options.modulusLength');
        let { divisorLength } = options;
        if (divisorLength == null) divisorLength = undefined;
        else validateInt32(divisorLength, 'options.divisorLength', 0);
        return { encoding, args: [type, modulusLength, undefined, undefined, undefined, divisorLength] };
      }
      case 'ec': {
        validateObject(options, 'options');
        const { namedCurve } = options;
        validateString(namedCurve, 'options.namedCurve');
        let { paramEncoding } = options;
        if (paramEncoding == null || paramEncoding === 'named') paramEncoding = true;
        else if (paramEncoding === 'explicit') paramEncoding = false;
        else throw codes.ERR_INVALID_ARG_VALUE('options.paramEncoding', paramEncoding);
        const curve = native.curveName(namedCurve);
        if (curve === undefined) throw makeNodeError(TypeError, 'ERR_CRYPTO_INVALID_CURVE', 'Invalid EC curve name');
        return { encoding, args: [type, 0, undefined, undefined, undefined, undefined, curve, undefined,
          undefined, paramEncoding] };
      }
      case 'ed25519': case 'ed448': case 'x25519': case 'x448':
        return { encoding, args: [type] };
      case 'dh': {
        validateObject(options, 'options');
        const { group, primeLength, prime, generator } = options;
        if (group != null) {
          if (prime != null) throw codes.ERR_INCOMPATIBLE_OPTION_PAIR('group', 'prime');
          if (primeLength != null) throw codes.ERR_INCOMPATIBLE_OPTION_PAIR('group', 'primeLength');
          if (generator != null) throw codes.ERR_INCOMPATIBLE_OPTION_PAIR('group', 'generator');
          validateString(group, 'options.group');
          return { encoding, args: [type, 0, undefined, undefined, undefined, undefined, group] };
        }
        if (prime != null) {
          if (primeLength != null) throw codes.ERR_INCOMPATIBLE_OPTION_PAIR('prime', 'primeLength');
          if (!isView(prime)) throw codes.ERR_INVALID_ARG_TYPE('options.prime', ['Buffer', 'TypedArray', 'DataView'], prime);
        } else if (primeLength != null) {
          validateInt32(primeLength, 'options.primeLength', 0);
        } else {
          throw makeNodeError(TypeError, 'ERR_MISSING_OPTION',
            'At least one of the group, prime, or primeLength options is required');
        }
        if (generator != null) validateInt32(generator, 'options.generator', 0);
        return { encoding, args: [type, prime != null ? 0 : primeLength, undefined, undefined, undefined, undefined,
          undefined, prime != null ? new Uint8Array(prime.buffer, prime.byteOffset, prime.byteLength) : undefined,
          generator == null ? 2 : generator] };
      }
      default:
    }
    throw codes.ERR_INVALID_ARG_VALUE('type', type, 'must be a supported key type');
  }

  function encodePair(handle, { pub, priv }) {
    const privateKey = new PrivateKeyObject(handle);
    const publicKey = new PublicKeyObject(native.toPublic(handle));
    return {
      publicKey: pub === undefined ? publicKey : publicKey.export(pub),
      privateKey: priv === undefined ? privateKey : privateKey.export(priv),
    };
  }

  function generateKeyPairSync(type, options) {
    const { encoding, args } = keygenArgs(type, options);
    return encodePair(native.generate(...args), encoding);
  }

  function generateKeyPair(type, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    validateFunction(callback, 'callback');
    const { encoding, args } = keygenArgs(type, options);
    while (args.length < 10) args.push(undefined);
    native.generate(...args, (err, der) => {
      if (err) {
        callback(err);
        return;
      }
      let pair;
      try {
        pair = encodePair(native.parse(der, 'der', 'pkcs8', undefined, false), encoding);
      } catch (e) {
        callback(e);
        return;
      } finally {
        der.fill(0);
      }
      callback(null, pair.publicKey, pair.privateKey);
    });
  }

  Object.defineProperty(generateKeyPair, require('util').promisify.custom, {
    value: (type, options) => new Promise((resolve, reject) => {
      generateKeyPair(type, options, (err, publicKey, privateKey) => (err ? reject(err)
        : resolve({ publicKey, privateKey })));
    }),
  });

  return {
    PublicKeyObject, PrivateKeyObject, AsymmetricKeyObject, createPublicKey, createPrivateKey,
    generateKeyPair, generateKeyPairSync, wrap,
    setCryptoKeyObject: (fn) => { cryptoKeyObject = fn; },
  };
}

module.exports = {
  install, preparePrivateKey, preparePublicOrPrivateKey, keyHandle, isKeyObject, native,
  handleOf: (key) => handles.get(key), kConsumePublic, kConsumePrivate, isAnyArrayBuffer,
};
