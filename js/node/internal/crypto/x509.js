// node/internal/crypto/x509.js — crypto.X509Certificate over bridge/
// crypto_pkey.c's certificate handles (OpenSSL's X509): the fields as Node
// 22 prints them, the host / email / IP checks, issuer and key checks.
// Fields are computed once, on first read.
'use strict';

const { Buffer } = require('buffer');
const { codes } = require('../errors');
const { validateString, validateObject, validateBoolean } = require('../validators');
const { isView, toBuffer, byteSource } = require('./util');
const keys = require('./keys');

const native = keys.native;
const handles = new WeakMap();
const kCache = Symbol('kCache');
const kPublicKey = Symbol('kPublicKey');

let wrapKey = null; // (handle) -> KeyObject, set by crypto.js

// X509_CHECK_FLAG_* of OpenSSL's x509v3.h
const kAlwaysCheckSubject = 0x1;
const kNoWildcards = 0x2;
const kNoPartialWildcards = 0x4;
const kMultiLabelWildcards = 0x8;
const kSingleLabelSubdomains = 0x10;
const kNeverCheckSubject = 0x20;

function checkFlags(options = {}) {
  validateObject(options, 'options');
  const {
    subject = 'default', wildcards = true, partialWildcards = true, multiLabelWildcards = false,
    singleLabelSubdomains = false,
  } = { ...options };
  let flags = 0;
  validateString(subject, 'options.subject');
  validateBoolean(wildcards, 'options.wildcards');
  validateBoolean(partialWildcards, 'options.partialWildcards');
  validateBoolean(multiLabelWildcards, 'options.multiLabelWildcards');
  validateBoolean(singleLabelSubdomains, 'options.singleLabelSubdomains');
  switch (subject) {
    case 'default': break;
    case 'always': flags |= kAlwaysCheckSubject; break;
    case 'never': flags |= kNeverCheckSubject; break;
    default: throw codes.ERR_INVALID_ARG_VALUE('options.subject', subject);
  }
  if (!wildcards) flags |= kNoWildcards;
  if (!partialWildcards) flags |= kNoPartialWildcards;
  if (multiLabelWildcards) flags |= kMultiLabelWildcards;
  if (singleLabelSubdomains) flags |= kSingleLabelSubdomains;
  return flags;
}

function field(cert, name) {
  const cache = cert[kCache];
  if (!(name in cache)) {
    const bytes = native.x509Field(handles.get(cert), name);
    cache[name] = bytes === undefined ? undefined : toBuffer(bytes).toString('utf8');
  }
  return cache[name];
}

class X509Certificate {
  constructor(buffer) {
    if (typeof buffer === 'string') buffer = Buffer.from(buffer);
    if (!isView(buffer)) {
      throw codes.ERR_INVALID_ARG_TYPE('buffer', ['string', 'Buffer', 'TypedArray', 'DataView'], buffer);
    }
    handles.set(this, native.x509Parse(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)));
    Object.defineProperty(this, kCache, { value: Object.create(null) });
  }

  get subject() { return field(this, 'subject'); }

  get subjectAltName() { return field(this, 'subjectAltName'); }

  get issuer() { return field(this, 'issuer'); }

  get issuerCertificate() { return undefined; }

  get infoAccess() { return field(this, 'infoAccess'); }

  get validFrom() { return field(this, 'validFrom'); }

  get validTo() { return field(this, 'validTo'); }

  get validFromDate() { return new Date(field(this, 'validFromTime')); }

  get validToDate() { return new Date(field(this, 'validToTime')); }

  get fingerprint() { return field(this, 'fingerprint'); }

  get fingerprint256() { return field(this, 'fingerprint256'); }

  get fingerprint512() { return field(this, 'fingerprint512'); }

  get keyUsage() {
    const v = field(this, 'keyUsage');
    return v === undefined ? undefined : v.split('\n').filter(Boolean);
  }

  get serialNumber() { return field(this, 'serialNumber'); }

  get raw() {
    if (!('raw' in this[kCache])) this[kCache].raw = toBuffer(native.x509Field(handles.get(this), 'raw'));
    return this[kCache].raw;
  }

  get publicKey() {
    if (this[kPublicKey] === undefined) {
      Object.defineProperty(this, kPublicKey, { value: wrapKey(native.x509PublicKey(handles.get(this))) });
    }
    return this[kPublicKey];
  }

  toString() { return field(this, 'pem'); }

  toJSON() { return this.toString(); }

  get ca() { return field(this, 'ca') === '1'; }

  checkHost(name, options) {
    validateString(name, 'name');
    return native.x509Check(handles.get(this), 'host', name, checkFlags(options));
  }

  checkEmail(email, options) {
    validateString(email, 'email');
    return native.x509Check(handles.get(this), 'email', email, checkFlags(options));
  }

  checkIP(ip, options) {
    validateString(ip, 'ip');
    return native.x509Check(handles.get(this), 'ip', ip, 0);
  }

  checkIssued(otherCert) {
    if (!(otherCert instanceof X509Certificate)) {
      throw codes.ERR_INVALID_ARG_TYPE('otherCert', 'X509Certificate', otherCert);
    }
    return native.x509Issued(handles.get(this), handles.get(otherCert));
  }

  checkPrivateKey(pkey) {
    if (!keys.isKeyObject(pkey)) throw codes.ERR_INVALID_ARG_TYPE('pkey', 'KeyObject', pkey);
    if (pkey.type !== 'private') throw codes.ERR_INVALID_ARG_VALUE('pkey', pkey);
    return native.x509KeyCheck(handles.get(this), keys.handleOf(pkey), true);
  }

  verify(pkey) {
    if (!keys.isKeyObject(pkey)) throw codes.ERR_INVALID_ARG_TYPE('pkey', 'KeyObject', pkey);
    if (pkey.type !== 'public') throw codes.ERR_INVALID_ARG_VALUE('pkey', pkey);
    return native.x509KeyCheck(handles.get(this), keys.handleOf(pkey), false);
  }

  // The peer certificate object of tls's getPeerCertificate().
  toLegacyObject() {
    const nameObject = (text) => {
      if (text === undefined) return undefined;
      const out = Object.create(null);
      for (const line of text.split('\n')) {
        const at = line.indexOf('=');
        if (at < 0) continue;
        const k = line.slice(0, at);
        const v = line.slice(at + 1).replace(/\\(.)/g, '$1');
        if (k in out) out[k] = Array.isArray(out[k]) ? [...out[k], v] : [out[k], v];
        else out[k] = v;
      }
      return out;
    };
    const out = {
      subject: nameObject(this.subject),
      issuer: nameObject(this.issuer),
    };
    if (this.subjectAltName !== undefined) out.subjectaltname = this.subjectAltName;
    if (this.infoAccess !== undefined) {
      const ia = Object.create(null);
      for (const line of this.infoAccess.split('\n')) {
        const at = line.indexOf(':');
        if (at < 0) continue;
        const k = line.slice(0, at);
        (ia[k] ||= []).push(line.slice(at + 1));
      }
      out.infoAccess = ia;
    }
    out.ca = this.ca;
    const key = this.publicKey;
    const d = key.asymmetricKeyDetails;
    if (key.asymmetricKeyType === 'rsa') {
      const jwk = key.export({ format: 'jwk' });
      out.modulus = Buffer.from(jwk.n, 'base64url').toString('hex').toUpperCase();
      out.bits = d.modulusLength;
      out.exponent = `0x${d.publicExponent.toString(16)}`;
      out.pubkey = key.export({ format: 'der', type: 'spki' });
    } else if (key.asymmetricKeyType === 'ec') {
      const jwk = key.export({ format: 'jwk' });
      const x = Buffer.from(jwk.x, 'base64url');
      out.bits = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256 }[d.namedCurve];
      out.pubkey = Buffer.concat([Buffer.from([4]), x, Buffer.from(jwk.y, 'base64url')]);
      out.asn1Curve = d.namedCurve;
      const nist = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[d.namedCurve];
      if (nist) out.nistCurve = nist;
    }
    out.valid_from = this.validFrom;
    out.valid_to = this.validTo;
    out.fingerprint = this.fingerprint;
    out.fingerprint256 = this.fingerprint256;
    out.fingerprint512 = this.fingerprint512;
    if (this.keyUsage !== undefined) out.ext_key_usage = this.keyUsage;
    out.serialNumber = this.serialNumber;
    out.raw = this.raw;
    return out;
  }
}

Object.defineProperty(X509Certificate.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(depth, options, inspect) {
    if (depth < 0) return this;
    const fields = {
      subject: this.subject, subjectAltName: this.subjectAltName, issuer: this.issuer,
      infoAccess: this.infoAccess, validFrom: this.validFrom, validTo: this.validTo,
      validFromDate: this.validFromDate, validToDate: this.validToDate,
      fingerprint: this.fingerprint, fingerprint256: this.fingerprint256, fingerprint512: this.fingerprint512,
      keyUsage: this.keyUsage, serialNumber: this.serialNumber,
    };
    return `X509Certificate ${inspect(fields, { ...options, depth: options.depth == null ? null : options.depth - 1 })}`;
  },
});

// ---- crypto.Certificate: Netscape SPKACs (HTML5 keygen) ------------------------

function spkacOp(op, spkac, encoding) {
  const bytes = byteSource(spkac, 'spkac', encoding);
  const out = native.spkac(op, bytes);
  if (op === 0) return out;
  return out === undefined ? '' : toBuffer(out);
}
const verifySpkac = (spkac, encoding) => spkacOp(0, spkac, encoding);
const exportPublicKey = (spkac, encoding) => spkacOp(1, spkac, encoding);
const exportChallenge = (spkac, encoding) => spkacOp(2, spkac, encoding);

function Certificate() {
  if (!(this instanceof Certificate)) return new Certificate();
}
Certificate.prototype.verifySpkac = verifySpkac;
Certificate.prototype.exportPublicKey = exportPublicKey;
Certificate.prototype.exportChallenge = exportChallenge;
Certificate.verifySpkac = verifySpkac;
Certificate.exportPublicKey = exportPublicKey;
Certificate.exportChallenge = exportChallenge;

module.exports = {
  X509Certificate,
  Certificate,
  setWrapKey: (fn) => { wrapKey = fn; },
};
