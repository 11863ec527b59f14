// node/internal/tls/secure-context.js — tls.createSecureContext and the
// SecureContext class over bridge/tls.c's contexts (an SSL_CTX each): the
// options checked and applied in Node's order (protocol bounds, trust,
// certificates and keys, ciphers, curves, DH, PFX, session options).
'use strict';

const binding = require('../binding');
const { Buffer } = require('buffer');
const { codes } = require('../errors');
const { validateString, validateInteger } = require('../validators');

const DEFAULT_CIPHERS = [
  'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'DHE-RSA-AES128-SHA256', 'ECDHE-RSA-AES256-SHA384', 'DHE-RSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA256', 'DHE-RSA-AES256-SHA256', 'HIGH', '!aNULL', '!eNULL', '!EXPORT',
  '!DES', '!RC4', '!MD5', '!PSK', '!SRP', '!CAMELLIA',
].join(':');

const versions = { __proto__: null, 'TLSv1': 0x301, 'TLSv1.1': 0x302, 'TLSv1.2': 0x303, 'TLSv1.3': 0x304 };
const defaults = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ecdhCurve: 'auto', ciphers: DEFAULT_CIPHERS };

// secureProtocol names that pin one version, as Node's table
const methods = {
  __proto__: null,
  TLSv1_method: ['TLSv1', 'TLSv1'],
  TLSv1_client_method: ['TLSv1', 'TLSv1'],
  TLSv1_server_method: ['TLSv1', 'TLSv1'],
  TLSv1_1_method: ['TLSv1.1', 'TLSv1.1'],
  TLSv1_1_client_method: ['TLSv1.1', 'TLSv1.1'],
  TLSv1_1_server_method: ['TLSv1.1', 'TLSv1.1'],
  TLSv1_2_method: ['TLSv1.2', 'TLSv1.2'],
  TLSv1_2_client_method: ['TLSv1.2', 'TLSv1.2'],
  TLSv1_2_server_method: ['TLSv1.2', 'TLSv1.2'],
  TLS_method: ['TLSv1', 'TLSv1.3'],
  SSLv23_method: ['TLSv1', 'TLSv1.3'],
  TLS_client_method: ['TLSv1', 'TLSv1.3'],
  TLS_server_method: ['TLSv1', 'TLSv1.3'],
  SSLv23_client_method: ['TLSv1', 'TLSv1.3'],
  SSLv23_server_method: ['TLSv1', 'TLSv1.3'],
};

function versionOf(v, which) {
  const n = versions[v];
  if (n === undefined) throw codes.ERR_TLS_INVALID_PROTOCOL_VERSION(v, which);
  return n;
}

// A string, Buffer or view as bytes for the native.
function toBytes(value, name) {
  if (typeof value === 'string') return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return value;
  throw codes.ERR_INVALID_ARG_TYPE(name, ['string', 'Buffer', 'TypedArray', 'DataView'], value);
}

// OpenSSL's errors with Node's shape (library, reason) where a native threw.
function native(fn) {
  try {
    return fn();
  } catch (err) {
    if (err && typeof err.message === 'string') {
      const m = /^error:[0-9A-F]+:([^:]*)::(.*)$/.exec(err.message);
      if (m) {
        err.library = m[1];
        err.reason = m[2];
      }
    }
    throw err;
  }
}

const kHandle = Symbol('kHandle');

// The native context as Node's binding shows it (sc.context): its methods
// are what Node's tests and some libraries call directly.
class NativeSecureContext {
  constructor(min, max) {
    this[kHandle] = native(() => binding.tls.ctxNew(min, max));
  }

  addCACert(pem) {
    native(() => binding.tls.ctxAddCA(this[kHandle], toBytes(pem, 'ca')));
  }

  addRootCerts() {
    binding.tls.ctxAddRoots(this[kHandle]);
  }

  setCert(pem) {
    native(() => binding.tls.ctxSetCert(this[kHandle], toBytes(pem, 'cert')));
  }

  setKey(pem, passphrase) {
    native(() => binding.tls.ctxSetKey(this[kHandle], toBytes(pem, 'key'), passphrase));
  }

  setCiphers(list) {
    native(() => binding.tls.ctxSetCiphers(this[kHandle], `${list}`, undefined));
  }

  setCipherSuites(suites) {
    native(() => binding.tls.ctxSetCiphers(this[kHandle], undefined, `${suites}`));
  }

  setECDHCurve(curve) {
    if (curve !== 'auto') native(() => binding.tls.ctxSetCurves(this[kHandle], curve));
  }

  setDHParam(pem) {
    return native(() => binding.tls.ctxSetDH(this[kHandle], toBytes(pem, 'dhparam')));
  }

  setSessionTimeout(timeout) {
    binding.tls.ctxSetOptions(this[kHandle], timeout, true, undefined);
  }

  setOptions(options) {
    binding.tls.ctxSetOptions(this[kHandle], -1, true, options);
  }

  getTicketKeys() {
    return Buffer.from(binding.tls.ctxTicketKeys(this[kHandle], undefined));
  }

  setTicketKeys(keys) {
    binding.tls.ctxTicketKeys(this[kHandle], keys);
  }

  enableTicketKeyCallback() {}

  getCertificate() {
    const der = binding.tls.ctxOwnCert(this[kHandle]);
    return der ? Buffer.from(der) : null;
  }

  close() {}
}

function handleOf(context) {
  return context && context.context ? context.context[kHandle] : undefined;
}

class SecureContext {
  constructor(secureProtocol, secureOptions, minVersion, maxVersion) {
    let min = minVersion;
    let max = maxVersion;
    if (secureProtocol) {
      validateString(secureProtocol, 'options.secureProtocol');
      if (min !== undefined) throw codes.ERR_TLS_PROTOCOL_VERSION_CONFLICT(min, secureProtocol);
      if (max !== undefined) throw codes.ERR_TLS_PROTOCOL_VERSION_CONFLICT(max, secureProtocol);
      const m = methods[secureProtocol];
      const disabled = /^SSLv[23]_(?:client_|server_)?method$/.exec(secureProtocol);
      if (!m) {
        const err = new TypeError(disabled ? `${secureProtocol.slice(0, 5)} methods disabled`
          : `Unknown method: ${secureProtocol}`);
        err.code = 'ERR_TLS_INVALID_PROTOCOL_METHOD';
        throw err;
      }
      [min, max] = m;
    }
    if (min === undefined) min = module.exports.defaults.minVersion;
    if (max === undefined) max = module.exports.defaults.maxVersion;
    const minN = versionOf(min, 'minimum');
    const maxN = versionOf(max, 'maximum');
    this.context = new NativeSecureContext(minN, maxN);
    if (secureOptions !== undefined) {
      validateInteger(secureOptions, 'secureOptions');
      this.context.setOptions(secureOptions);
    }
  }
}

function asList(v) {
  return Array.isArray(v) ? v : [v];
}

function setCiphers(ctx, ciphers) {
  validateString(ciphers, 'options.ciphers');
  const parts = ciphers.split(':');
  const suites = parts.filter((c) => c.startsWith('TLS_')).join(':');
  const list = parts.filter((c) => !c.startsWith('TLS_')).join(':');
  if (suites === '' && list === '') {
    throw codes.ERR_INVALID_ARG_VALUE('options.ciphers', ciphers);
  }
  // TLS 1.3's suites change only when the list names some, as Node's
  native(() => binding.tls.ctxSetCiphers(ctx, list, suites === '' ? undefined : suites));
}

function createSecureContext(options) {
  if (!options) options = {};
  const { honorCipherOrder, minVersion, maxVersion, secureProtocol, secureOptions } = options;
  const sc = new SecureContext(secureProtocol, secureOptions, minVersion, maxVersion);
  const ctx = sc.context[kHandle];
  const { ca, cert, key, passphrase, ciphers, ecdhCurve, dhparam, pfx, sessionTimeout, ticketKeys,
    sigalgs, privateKeyIdentifier, privateKeyEngine, crl, clientCertEngine } = options;
  if (ca) {
    for (const c of asList(ca)) native(() => binding.tls.ctxAddCA(ctx, toBytes(c, 'options.ca')));
  } else {
    binding.tls.ctxAddRoots(ctx);
  }
  if (cert) {
    for (const c of asList(cert)) {
      if (c === undefined || c === null) continue;
      native(() => binding.tls.ctxSetCert(ctx, toBytes(c, 'options.cert')));
    }
  }
  if (key) {
    // an array may hold { pem, passphrase } objects; a lone key is the key
    for (const k of Array.isArray(key) ? key : [key]) {
      const pem = Array.isArray(key) && k?.pem !== undefined ? k.pem : k;
      const pass = (Array.isArray(key) && k?.passphrase) || passphrase;
      if (pass !== undefined && pass !== null) validateString(pass, 'options.passphrase');
      native(() => binding.tls.ctxSetKey(ctx, toBytes(pem, 'options.key'), pass ?? undefined));
    }
  }
  if (sigalgs !== undefined && sigalgs !== null) validateString(sigalgs, 'options.sigalgs');
  if (privateKeyIdentifier != null || privateKeyEngine != null || clientCertEngine != null) {
    throw codes.ERR_FEATURE_UNAVAILABLE_ON_PLATFORM
      ? codes.ERR_FEATURE_UNAVAILABLE_ON_PLATFORM('Custom engines')
      : new Error('Custom engines not supported by this OpenSSL');
  }
  setCiphers(ctx, ciphers == null ? module.exports.defaults.ciphers : ciphers);
  const curve = ecdhCurve === undefined ? module.exports.defaults.ecdhCurve : ecdhCurve;
  validateString(curve, 'options.ecdhCurve');
  if (curve !== 'auto') native(() => binding.tls.ctxSetCurves(ctx, curve));
  if (dhparam === 'auto') {
    native(() => binding.tls.ctxSetDHAuto(ctx));
  } else if (dhparam !== undefined && dhparam !== null) {
    const bits = native(() => binding.tls.ctxSetDH(ctx, toBytes(dhparam, 'options.dhparam')));
    if (bits < 2048) process.emitWarning(`DH parameter is less than 2048 bits`);
  }
  if (pfx !== undefined && pfx !== null) {
    for (const p of asList(pfx)) {
      const buf = p.buf !== undefined ? p.buf : p;
      const pass = p.passphrase !== undefined ? p.passphrase : passphrase;
      native(() => binding.tls.ctxPfx(ctx, toBytes(buf, 'options.pfx'), pass));
    }
  }
  if (crl !== undefined) {
    // certificate revocation lists are not checked in sandbox
  }
  if (sessionTimeout != null) validateInteger(sessionTimeout, 'options.sessionTimeout');
  binding.tls.ctxSetOptions(ctx, sessionTimeout == null ? -1 : sessionTimeout,
    honorCipherOrder === undefined ? true : !!honorCipherOrder, undefined);
  if (ticketKeys !== undefined && ticketKeys !== null) {
    if (!ArrayBuffer.isView(ticketKeys)) {
      throw codes.ERR_INVALID_ARG_TYPE('options.ticketKeys', ['Buffer', 'TypedArray', 'DataView'], ticketKeys);
    }
    if (ticketKeys.byteLength !== 48) {
      throw codes.ERR_INVALID_ARG_VALUE('options.ticketKeys', ticketKeys.byteLength, 'must be exactly 48 bytes');
    }
    binding.tls.ctxTicketKeys(ctx, ticketKeys);
  }
  return sc;
}

function isSecureContext(value) {
  return value instanceof SecureContext;
}

module.exports = {
  DEFAULT_CIPHERS, SecureContext, createSecureContext, isSecureContext, toBytes, native, handleOf,
  defaults,
};
