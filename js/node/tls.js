// node/tls.js — Node's `tls` module at Tier 4 until OpenSSL's TLS bridge
// lands: it loads (database drivers require it at load and use it only
// when asked for TLS) and its constants are there; connecting, serving,
// making a context or checking a certificate throws
// "tls.<api> is not supported in sandbox" (ERR_UNSUPPORTED_SANDBOX_API).
'use strict';

const { deferredFunction, deferredClass } = require('./internal/deferred');

// Node 22's defaults (lib/tls.js): cipher list and protocol bounds
const DEFAULT_CIPHERS = [
  'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'DHE-RSA-AES128-SHA256', 'ECDHE-RSA-AES256-SHA384', 'DHE-RSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA256', 'DHE-RSA-AES256-SHA256', 'HIGH', '!aNULL', '!eNULL', '!EXPORT',
  '!DES', '!RC4', '!MD5', '!PSK', '!SRP', '!CAMELLIA',
].join(':');

module.exports = {
  CLIENT_RENEG_LIMIT: 3,
  CLIENT_RENEG_WINDOW: 600,
  DEFAULT_CIPHERS,
  DEFAULT_ECDH_CURVE: 'auto',
  DEFAULT_MIN_VERSION: 'TLSv1.2',
  DEFAULT_MAX_VERSION: 'TLSv1.3',
  checkServerIdentity: deferredFunction('tls.checkServerIdentity'),
  connect: deferredFunction('tls.connect'),
  createServer: deferredFunction('tls.createServer'),
  createSecureContext: deferredFunction('tls.createSecureContext'),
  createSecurePair: deferredFunction('tls.createSecurePair'),
  getCiphers: deferredFunction('tls.getCiphers'),
  Server: deferredClass('tls.Server'),
  TLSSocket: deferredClass('tls.TLSSocket'),
  SecureContext: deferredClass('tls.SecureContext'),
};
