// node/tls.js — Node's `tls` module over OpenSSL's libssl (bridge/tls.c):
// TLSSocket is a net.Socket whose _handle is a TLSWrap
// (internal/tls/wrap.js) over the stream it wraps, so the encrypted bytes
// travel on a socket the broker already decided (or any Duplex) and no new
// network path exists. Certificates are checked after the handshake, as
// Node does: the verification result and checkServerIdentity decide
// `authorized`, and rejectUnauthorized turns a failure into the socket's
// error.
'use strict';

const EventEmitter = require('events');
const net = require('./net');
const binding = require('./internal/binding');
const { Buffer } = require('buffer');
const { codes } = require('./internal/errors');
const { validateFunction, validateString, validateNumber, validateInt32 } = require('./internal/validators');
const sc = require('./internal/tls/secure-context');
const { TLSWrap } = require('./internal/tls/wrap');
const { callable } = require('./internal/util');

const { DEFAULT_CIPHERS, SecureContext, createSecureContext, handleOf } = sc;

const kWrap = Symbol('kTLSWrap');
const kPendingSession = Symbol('kPendingSession');
const kErrorEmitted = Symbol('kErrorEmitted');
const kConnectOptions = Symbol('kConnectOptions');
const kEarlySessions = Symbol('kEarlySessions');

// ---- certificates as objects ------------------------------------------------------------

function nameObject(pairs) {
  const o = { __proto__: null };
  for (let i = 0; i < pairs.length; i += 2) {
    const k = pairs[i];
    const v = pairs[i + 1];
    if (o[k] === undefined) o[k] = v;
    else if (Array.isArray(o[k])) o[k].push(v);
    else o[k] = [o[k], v];
  }
  return o;
}

function infoAccessObject(text) {
  const o = { __proto__: null };
  for (const line of text.split('\n')) {
    if (!line) continue;
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i);
    (o[k] ||= []).push(line.slice(i + 1));
  }
  return o;
}

function certObject(der) {
  const a = binding.tls.x509Info(der);
  const c = {};
  c.subject = nameObject(a[0]);
  c.issuer = nameObject(a[1]);
  if (a[2] !== undefined) c.subjectaltname = a[2];
  if (a[3] !== undefined) c.infoAccess = infoAccessObject(a[3]);
  c.ca = a[16];
  if (a[12] !== undefined) {
    c.modulus = a[12];
    c.bits = a[10];
    c.exponent = a[11];
    if (a[13]) c.pubkey = Buffer.from(a[13].buffer, a[13].byteOffset, a[13].byteLength);
  } else if (a[14]) {
    c.bits = a[10];
    if (a[13]) c.pubkey = Buffer.from(a[13].buffer, a[13].byteOffset, a[13].byteLength);
    c.asn1Curve = a[14];
    if (a[15]) c.nistCurve = a[15];
  }
  c.valid_from = a[4];
  c.valid_to = a[5];
  c.fingerprint = a[7];
  c.fingerprint256 = a[8];
  c.fingerprint512 = a[9];
  if (a[17] !== undefined) c.ext_key_usage = a[17];
  c.serialNumber = a[6];
  c.raw = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  return c;
}

// ---- checkServerIdentity -------------------------------------------------------------

function unfqdn(host) {
  return host.replace(/[.]$/, '');
}

function splitHost(host) {
  return unfqdn(host).replace(/[A-Z]+/g, (s) => s.toLowerCase()).split('.');
}

function matchName(hostParts, pattern, wildcards) {
  if (!pattern) return false;
  const patternParts = splitHost(pattern);
  if (hostParts.length !== patternParts.length) return false;
  if (patternParts.includes('')) return false;
  if (patternParts.some((s) => /[^\u0021-\u007F]/u.test(s))) return false;
  for (let i = hostParts.length - 1; i > 0; i -= 1) {
    if (hostParts[i] !== patternParts[i]) return false;
  }
  const hostSub = hostParts[0];
  const patternSub = patternParts[0];
  const stars = patternSub.split('*');
  if (stars.length === 1 || patternSub.includes('xn--')) return hostSub === patternSub;
  if (!wildcards || stars.length > 2 || patternParts.length <= 2) return false;
  const [prefix, suffix] = stars;
  if (prefix.length + suffix.length > hostSub.length) return false;
  return hostSub.startsWith(prefix) && hostSub.endsWith(suffix);
}

function canonicalIP(ip) {
  if (!net.isIP(ip)) return undefined;
  if (net.isIPv4(ip)) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

// "DNS:a, DNS:\"b, c\"" as its names, quotes honoured
function splitAltNames(altNames) {
  if (!altNames.includes('"')) return altNames.split(', ');
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < altNames.length; i++) {
    const ch = altNames[i];
    if (quoted) {
      if (ch === '\\' && i + 1 < altNames.length) cur += altNames[++i];
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',' && altNames[i + 1] === ' ') {
      out.push(cur);
      cur = '';
      i++;
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

function checkServerIdentity(hostname, cert) {
  const subject = cert.subject;
  const altNames = cert.subjectaltname;
  const dnsNames = [];
  const ips = [];
  hostname = `${hostname}`;
  if (altNames) {
    for (const name of splitAltNames(altNames)) {
      if (name.startsWith('DNS:')) dnsNames.push(name.slice(4));
      else if (name.startsWith('IP Address:')) ips.push(canonicalIP(name.slice(11)));
    }
  }
  let valid = false;
  let reason = 'Unknown reason';
  hostname = unfqdn(hostname);
  if (net.isIP(hostname)) {
    valid = ips.includes(canonicalIP(hostname));
    if (!valid) reason = `IP: ${hostname} is not in the cert's list: ${ips.join(', ')}`;
  } else if (dnsNames.length > 0 || subject?.CN) {
    const hostParts = splitHost(hostname);
    const wildcard = (pattern) => matchName(hostParts, pattern, true);
    if (dnsNames.length > 0) {
      valid = dnsNames.some(wildcard);
      if (!valid) reason = `Host: ${hostname}. is not in the cert's altnames: ${altNames}`;
    } else {
      const cn = subject.CN;
      if (Array.isArray(cn)) valid = cn.some(wildcard);
      else if (cn) valid = wildcard(cn);
      if (!valid) reason = `Host: ${hostname}. is not cert's CN: ${cn}`;
    }
  } else {
    reason = 'Cert does not contain a DNS name';
  }
  if (!valid) return codes.ERR_TLS_CERT_ALTNAME_INVALID(reason, hostname, cert);
  return undefined;
}

// ---- ALPN ------------------------------------------------------------------------------

function convertALPNProtocols(protocols, out) {
  if (Array.isArray(protocols)) {
    const parts = [];
    for (let i = 0; i < protocols.length; i++) {
      const b = Buffer.from(protocols[i]);
      if (b.length > 255) {
        throw codes.ERR_OUT_OF_RANGE(`The byte length of the protocol at index ${i} exceeds the maximum length.`,
          '<= 255', b.length, true);
      }
      parts.push(Buffer.from([b.length]), b);
    }
    out.ALPNProtocols = Buffer.concat(parts);
  } else if (ArrayBuffer.isView(protocols)) {
    out.ALPNProtocols = Buffer.from(protocols.buffer.slice(protocols.byteOffset,
      protocols.byteOffset + protocols.byteLength));
  }
}

// ---- TLSSocket -------------------------------------------------------------------------

class TLSSocketClass extends net.Socket {
  constructor(socket, opts) {
    const tlsOptions = { ...opts };
    if (socket && typeof socket.write !== 'function') {
      throw codes.ERR_INVALID_ARG_TYPE('wrap', ['net.Socket', 'stream.Duplex'], socket);
    }
    let inner = socket;
    if (!(inner instanceof EventEmitter) || inner === undefined) inner = null;
    super({
      handle: {}, allowHalfOpen: socket ? socket.allowHalfOpen : tlsOptions.allowHalfOpen,
      pauseOnCreate: tlsOptions.pauseOnConnect, manualStart: true, highWaterMark: tlsOptions.highWaterMark,
      onread: !socket ? tlsOptions.onread : null, signal: tlsOptions.signal,
    });
    this._tlsOptions = tlsOptions;
    this._secureEstablished = false;
    this._controlReleased = false;
    this.secureConnecting = true;
    this.servername = null;
    this.alpnProtocol = null;
    this.authorized = false;
    this.authorizationError = null;
    this[kErrorEmitted] = false;
    this.encrypted = true;
    if (!inner) inner = new net.Socket({ allowHalfOpen: true });
    this._parent = socket || null;
    this._innerSocket = inner;
    this._handle = null;
    this._init(inner);
    if (socket && socket.connecting) {
      this.connecting = true;
      socket.once('connect', () => {
        this.connecting = false;
        this.emit('connect');
        this._tlsStartIfReady();
      });
    }
    this.on('error', this._tlsOnError);
    this.once('close', () => { this.ssl = null; });
    this.readable = true;
    this.writable = true;
  }

  _tlsOnError() {
    this[kErrorEmitted] = true;
  }

  _init(inner) {
    const options = this._tlsOptions;
    if (options.isServer && options.SNICallback !== undefined) validateFunction(options.SNICallback, 'options.SNICallback');
    const context = options.secureContext || module.exports.createSecureContext(options);
    if (!(context instanceof SecureContext) && !(context && context.context)) {
      throw codes.ERR_TLS_INVALID_CONTEXT('context');
    }
    // Node's socket.ssl (its native TLSWrap): the few methods programs call
    this.ssl = {
      verifyError: () => {
        const w = this[kWrap];
        if (!w || !w.established) return null;
        const info = binding.tls.sslInfo(w.ssl);
        if (!info[7]) return null;
        const err = new Error(info[8]);
        err.code = info[7];
        return err;
      },
      getSession: () => this.getSession(),
      isSessionReused: () => this.isSessionReused(),
      get fd() {
        return -1;
      },
    };
    const isServer = !!options.isServer;
    const requestCert = !!options.requestCert || !isServer;
    const rejectUnauthorized = !!options.rejectUnauthorized;
    this._requestCert = requestCert;
    this._rejectUnauthorized = rejectUnauthorized;
    const server = options.server;
    const pauseHello = isServer && !!(options.SNICallback || (server && (server._contexts?.length ||
      server.ALPNCallback)));
    let alpn = options.ALPNProtocols;
    if (isServer && server && server.ALPNProtocols) alpn = server.ALPNProtocols;
    if (Array.isArray(alpn)) {
      const o = {};
      convertALPNProtocols(alpn, o);
      alpn = o.ALPNProtocols;
    }
    const ssl = binding.tls.sslNew(handleOf(context), isServer, '', alpn, isServer && !!options.requestCert,
      rejectUnauthorized, pauseHello);
    this[kWrap] = new TLSWrap(this, inner, ssl, isServer);
    this._handle = this[kWrap];
    this._secureContext = context;
    if (!isServer && options.session) this.setSession(options.session);
    inner.on('error', (err) => {
      if (!this.destroyed) this.destroy(err);
    });
    inner.on('close', () => {
      if (!this.destroyed && !this._handle?.established) {
        this._tlsEndBeforeSecure();
      } else if (!this.destroyed) {
        // the stream below is gone: so is this socket, as Node's TLSWrap
        this.destroy();
      }
    });
    inner.on('timeout', () => this.emit('timeout'));
  }

  // A TLSSocket made without a socket connects its own one (Node's
  // `new TLSSocket(null, options).connect(port)`); the handshake starts
  // once it is connected.
  connect(...args) {
    const inner = this._innerSocket;
    if (this._parent || !inner) return super.connect(...args);
    const [options, cb] = net._normalizeArgs(args);
    if (cb) this.once('connect', cb);
    this.connecting = true;
    inner.once('connect', () => {
      this._afterConnect();
      this._tlsStartIfReady();
    });
    inner.connect(options);
    return this;
  }

  _tlsStartIfReady() {
    if (this.destroyed) return;
    if (this._tlsOptions.isServer) return;
    this[kWrap].start();
  }

  _start() {
    this._tlsStartIfReady();
  }

  setServername(name) {
    validateString(name, 'name');
    if (this._tlsOptions.isServer) throw codes.ERR_TLS_SNI_FROM_SERVER();
    binding.tls.sslSetServername(this[kWrap].ssl, name);
  }

  setSession(session) {
    if (typeof session === 'string') session = Buffer.from(session, 'latin1');
    this[kPendingSession] = session;
    binding.tls.sslSetSession(this[kWrap].ssl, session);
  }

  _tlsKeylog(line) {
    const server = this._tlsOptions.server;
    if (this._tlsOptions.isServer) {
      if (server && server.listenerCount('keylog')) server.emit('keylog', line, this);
    } else {
      this.emit('keylog', line);
    }
  }

  _tlsHello([servername, alpnList]) {
    const options = this._tlsOptions;
    const server = options.server;
    const w = this[kWrap];
    if (servername) this.servername = servername;
    const afterSNI = (ctx) => {
      let alpnPick;
      if (server && server.ALPNCallback) {
        const protocols = alpnList === undefined ? undefined : alpnList.split(',');
        if (protocols) {
          let pick;
          try {
            pick = server.ALPNCallback({ servername: servername || undefined, protocols });
          } catch (err) {
            this._tlsError(err);
            return;
          }
          if (pick !== undefined && !protocols.includes(pick)) {
            const err = codes.ERR_TLS_ALPN_CALLBACK_INVALID_RESULT(pick, protocols);
            process.nextTick(() => { throw err; });
            this.destroy();
            return;
          }
          alpnPick = pick === undefined ? '' : pick;
        }
      }
      w.resume(ctx ? handleOf(ctx) : undefined, alpnPick);
    };
    const sni = options.SNICallback;
    if (!servername || !sni) {
      afterSNI(undefined);
      return;
    }
    let once = false;
    sni(servername, (err, ctx) => {
      if (once) return;
      once = true;
      if (err) {
        this._tlsError(err);
        return;
      }
      if (ctx && !ctx.context) {
        this._tlsError(new Error('Invalid SNI context'));
        return;
      }
      afterSNI(ctx);
    });
  }

  _tlsHandshakeDone() {
    const info = binding.tls.sslInfo(this[kWrap].ssl);
    this._tlsInfo = info;
    this._secureEstablished = true;
    this.secureConnecting = false;
    this.alpnProtocol = info[4] || false;
    const options = this._tlsOptions;
    if (options.isServer) {
      this.servername = info[5] || false;
      if (this._requestCert && options.requestCert) {
        if (info[7]) {
          this.authorizationError = info[7];
          if (this._rejectUnauthorized) {
            this.destroy();
            return;
          }
        } else {
          this.authorized = true;
        }
      }
      this.emit('secure');
      if (!this.destroyed && options.server) options.server.emit('secureConnection', this);
      return;
    }
    this.emit('secure');
    this._onConnectSecure(info);
  }

  _onConnectSecure(info) {
    const options = this[kConnectOptions] || this._tlsOptions;
    const ek = this.getEphemeralKeyInfo();
    if (ek.type === 'DH' && ek.size < (options.minDHSize || 1024)) {
      this.destroy(codes.ERR_TLS_DH_PARAM_SIZE(ek.size));
      return;
    }
    let verifyError = null;
    if (info[7]) {
      verifyError = new Error(info[8]);
      verifyError.code = info[7];
    } else {
      const hostname = options.servername || options.host ||
        (options.socket && options.socket._host) || 'localhost';
      const cert = this.getPeerCertificate(true);
      const check = options.checkServerIdentity || checkServerIdentity;
      verifyError = check(hostname, cert) || null;
    }
    if (verifyError) {
      this.authorized = false;
      this.authorizationError = verifyError.code || verifyError.message;
      if (options.rejectUnauthorized !== false && this._rejectUnauthorized) {
        this.destroy(verifyError);
        return;
      }
    } else {
      this.authorized = true;
    }
    this.emit('secureConnect');
    const early = this[kEarlySessions];
    this[kEarlySessions] = null;
    if (early) for (const session of early) if (!this.destroyed) this.emit('session', session);
  }

  _tlsSession(session) {
    if (!this._secureEstablished) {
      // a TLS 1.2 session comes before secureConnect: it waits for it
      (this[kEarlySessions] ||= []).push(session);
      return;
    }
    this.emit('session', session);
  }

  _tlsError(err) {
    if (err && typeof err.message === 'string') {
      const m = /^error:[0-9A-F]+:([^:]*)::(.*)$/.exec(err.message);
      if (m) {
        err.library = m[1];
        err.reason = m[2];
      }
    }
    const options = this._tlsOptions;
    if (options.isServer && options.server instanceof ServerClass) {
      this._hadError = true;
      options.server.emit('tlsClientError', err, this);
      this.destroy();
      return;
    }
    this.destroy(err);
  }

  _tlsEndBeforeSecure() {
    if (this.destroyed || this._secureEstablished) return;
    const options = this[kConnectOptions] || this._tlsOptions;
    const err = new Error(options.isServer ? 'socket hang up'
      : 'Client network socket disconnected before secure TLS connection was established');
    err.code = 'ECONNRESET';
    err.path = options.path;
    err.host = options.host;
    err.port = options.port;
    err.localAddress = options.localAddress;
    this._tlsError(err);
  }

  // what waits in the Writable and the plaintext not yet encrypted
  get bufferSize() {
    return this._handle ? this.writableLength + this._handle.writeQueueSize : undefined;
  }

  get _secureContextHandle() {
    return this._secureContext;
  }

  getPeerCertificate(detailed) {
    const ssl = this[kWrap]?.ssl;
    if (!ssl || !this._handle) return null;
    const der = binding.tls.sslPeerCert(ssl, 0);
    if (!der) return this._secureEstablished ? {} : null;
    const leaf = certObject(der);
    if (detailed) {
      let cur = leaf;
      for (let i = 1; i < 10; i++) {
        const d = binding.tls.sslPeerCert(ssl, i);
        if (!d) break;
        const next = certObject(d);
        if (next.fingerprint256 === cur.fingerprint256) break;
        cur.issuerCertificate = next;
        cur = next;
      }
      if (!cur.issuerCertificate) {
        const selfSigned = JSON.stringify(cur.subject) === JSON.stringify(cur.issuer);
        if (selfSigned) cur.issuerCertificate = cur;
      }
    }
    return leaf;
  }

  getCertificate() {
    const ssl = this[kWrap]?.ssl;
    if (!ssl || !this._handle) return null;
    const der = binding.tls.sslOwnCert(ssl);
    return der ? certObject(der) : {};
  }

  getPeerX509Certificate() {
    const der = this[kWrap]?.ssl && binding.tls.sslPeerCert(this[kWrap].ssl, 0);
    if (!der) return undefined;
    const { X509Certificate } = require('./crypto');
    return X509Certificate ? new X509Certificate(Buffer.from(der)) : undefined;
  }

  getX509Certificate() {
    const der = this[kWrap]?.ssl && binding.tls.sslOwnCert(this[kWrap].ssl);
    if (!der) return undefined;
    const { X509Certificate } = require('./crypto');
    return X509Certificate ? new X509Certificate(Buffer.from(der)) : undefined;
  }

  getCipher() {
    if (!this._handle) return null;
    if (!this._secureEstablished) return null;
    const info = binding.tls.sslInfo(this[kWrap].ssl);
    return { name: info[1], standardName: info[2], version: info[3] };
  }

  getSharedSigalgs() {
    return [];
  }

  getProtocol() {
    if (!this._handle) return null;
    if (!this._secureEstablished) return null;
    return binding.tls.sslInfo(this[kWrap].ssl)[0];
  }

  getEphemeralKeyInfo() {
    if (!this._handle) return null;
    if (!this._secureEstablished) return null;
    if (this._tlsOptions.isServer) return {};
    const info = binding.tls.sslInfo(this[kWrap].ssl);
    if (!info[9]) return {};
    if (info[9] === 'DH') return { type: 'DH', size: info[11] };
    return { type: info[9], name: info[10], size: info[11] };
  }

  getSession() {
    if (!this._handle) return undefined;
    const w = this[kWrap];
    if (!w) return undefined;
    const s = binding.tls.sslSession(w.ssl);
    return s ? Buffer.from(s.buffer, s.byteOffset, s.byteLength) : undefined;
  }

  getTLSTicket() {
    if (!this._handle) return undefined;
    const w = this[kWrap];
    if (!w) return undefined;
    const t = binding.tls.sslTicket(w.ssl);
    return t ? Buffer.from(t.buffer, t.byteOffset, t.byteLength) : undefined;
  }

  isSessionReused() {
    if (!this._handle) return null;
    if (!this._secureEstablished) return false;
    return binding.tls.sslInfo(this[kWrap].ssl)[6];
  }

  getFinished() {
    if (!this._handle) return undefined;
    const f = this[kWrap] && binding.tls.sslFinished(this[kWrap].ssl, false);
    return f ? Buffer.from(f) : undefined;
  }

  getPeerFinished() {
    if (!this._handle) return undefined;
    const f = this[kWrap] && binding.tls.sslFinished(this[kWrap].ssl, true);
    return f ? Buffer.from(f) : undefined;
  }

  exportKeyingMaterial(length, label, context) {
    validateNumber(length, 'length');
    validateString(label, 'label');
    if (context !== undefined && !ArrayBuffer.isView(context)) {
      throw codes.ERR_INVALID_ARG_TYPE('context', ['Buffer', 'TypedArray', 'DataView'], context);
    }
    if (!this._secureEstablished) throw codes.ERR_TLS_INVALID_STATE();
    return Buffer.from(binding.tls.sslExportKeyingMaterial(this[kWrap].ssl, length, label, context));
  }

  setMaxSendFragment(size) {
    validateInt32(size, 'size');
    return binding.tls.sslMaxSendFragment(this[kWrap].ssl, size);
  }

  renegotiate(options, callback) {
    if (options === null || typeof options !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    if (callback !== undefined) validateFunction(callback, 'callback');
    if (this.destroyed) return false;
    const err = new Error('error:0A00010A:SSL routines::wrong ssl version');
    err.code = 'ERR_SSL_WRONG_SSL_VERSION';
    err.library = 'SSL routines';
    err.reason = 'wrong ssl version';
    if (callback) process.nextTick(callback, err);
    return false;
  }

  // Node frees its SSL here; the GC frees ours with the handle
  _destroySSL() {}

  disableRenegotiation() {
    this._disableRenegotiation = true;
  }

  enableTrace() {}

  _releaseControl() {
    this._controlReleased = true;
    return true;
  }

  get _connecting() {
    return this.connecting;
  }
}

// ---- connect -------------------------------------------------------------------------

function normalizeConnectArgs(listArgs) {
  const args = net._normalizeArgs(listArgs);
  const options = args[0];
  const cb = args[1];
  if (listArgs[1] !== null && typeof listArgs[1] === 'object') Object.assign(options, listArgs[1]);
  else if (listArgs[2] !== null && typeof listArgs[2] === 'object') Object.assign(options, listArgs[2]);
  return cb ? [options, cb] : [options];
}

function connect(...args) {
  args = normalizeConnectArgs(args);
  let options = args[0];
  const cb = args[1];
  const allowUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0';
  options = {
    rejectUnauthorized: !allowUnauthorized, ciphers: module.exports.DEFAULT_CIPHERS,
    checkServerIdentity, minDHSize: 1024, ...options,
  };
  if (!options.keepAlive) options.singleUse = true;
  validateFunction(options.checkServerIdentity, 'options.checkServerIdentity');
  validateNumber(options.minDHSize, 'options.minDHSize', 1);
  const context = options.secureContext || module.exports.createSecureContext(options);
  const tlsOpts = {
    ...options, secureContext: context, isServer: false, requestCert: true,
    rejectUnauthorized: options.rejectUnauthorized !== false, session: undefined,
  };
  convertALPNProtocols(options.ALPNProtocols, tlsOpts);
  const tlssock = new TLSSocket(options.socket, tlsOpts);
  tlssock[kConnectOptions] = options;
  options.rejectUnauthorized = options.rejectUnauthorized !== false;
  if (cb) tlssock.once('secureConnect', cb);
  if (options.session) tlssock[kPendingSession] = typeof options.session === 'string'
    ? Buffer.from(options.session, 'latin1') : options.session;
  if (tlssock[kPendingSession]) tlssock.setSession(tlssock[kPendingSession]);
  if (options.servername) {
    if (!ipServernameWarned && net.isIP(options.servername)) {
      ipServernameWarned = true;
      process.emitWarning('Setting the TLS ServerName to an IP address is not permitted by RFC 6066. ' +
        'This will be ignored in a future version.', 'DeprecationWarning', 'DEP0123');
    }
    tlssock.setServername(options.servername);
  }
  if (!options.socket) {
    if (options.timeout) tlssock.setTimeout(options.timeout);
    const connectOpts = {
      path: options.path, port: options.port, host: options.host, family: options.family,
      localAddress: options.localAddress, localPort: options.localPort, lookup: options.lookup,
      autoSelectFamily: options.autoSelectFamily, noDelay: options.noDelay, hints: options.hints,
    };
    for (const k of Object.keys(connectOpts)) if (connectOpts[k] === undefined) delete connectOpts[k];
    tlssock.connect(connectOpts);
    tlssock._host = options.host;
  } else if (!options.socket.connecting) {
    process.nextTick(() => tlssock._tlsStartIfReady());
  }
  return tlssock;
}

// ---- Server ---------------------------------------------------------------------------

let ipServernameWarned = false; // DEP0123, once per process

function tlsConnectionListener(rawSocket) {
  const socket = new TLSSocket(rawSocket, {
    secureContext: this._sharedCreds, isServer: true, server: this, requestCert: this.requestCert,
    rejectUnauthorized: this.rejectUnauthorized, handshakeTimeout: this[kHandshakeTimeout],
    ALPNProtocols: this.ALPNProtocols, SNICallback: this[kSNICallback] || SNICallback.bind(this),
    pauseOnConnect: this.pauseOnConnect,
  });
  socket.server = this;
  if (this[kHandshakeTimeout] > 0) {
    const timer = setTimeout(() => {
      if (!socket._secureEstablished && !socket.destroyed) {
        socket._tlsError(codes.ERR_TLS_HANDSHAKE_TIMEOUT());
      }
    }, this[kHandshakeTimeout]);
    timer.unref?.();
    socket.once('secure', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  }
  socket.on('error', (err) => {
    if (!socket._secureEstablished) return;
    this.emit('tlsClientError', err, socket);
  });
}

const kHandshakeTimeout = Symbol('kHandshakeTimeout');
const kSNICallback = Symbol('kSNICallback');

function SNICallback(servername, callback) {
  let ctx;
  for (const [re, context] of this._contexts) {
    if (re.test(servername)) ctx = context;
  }
  callback(null, ctx);
}

class ServerClass extends net.Server {
  constructor(options, listener) {
    if (typeof options === 'function') {
      listener = options;
      options = {};
    } else if (options == null || typeof options === 'object') {
      options ??= {};
    } else {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    super({ ...options, allowHalfOpen: options.allowHalfOpen });
    this._contexts = [];
    this.requestCert = options.requestCert === true;
    this.rejectUnauthorized = options.rejectUnauthorized !== false;
    this[kHandshakeTimeout] = options.handshakeTimeout || (120 * 1000);
    validateNumber(this[kHandshakeTimeout], 'options.handshakeTimeout');
    if (options.sessionTimeout) this.sessionTimeout = options.sessionTimeout;
    if (options.ticketKeys) this.ticketKeys = options.ticketKeys;
    if (options.SNICallback !== undefined) validateFunction(options.SNICallback, 'options.SNICallback');
    this[kSNICallback] = options.SNICallback;
    if (options.ALPNCallback) {
      validateFunction(options.ALPNCallback, 'options.ALPNCallback');
      if (options.ALPNProtocols) throw codes.ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS();
      this.ALPNCallback = options.ALPNCallback;
    }
    const alpn = {};
    convertALPNProtocols(options.ALPNProtocols, alpn);
    this.ALPNProtocols = alpn.ALPNProtocols;
    this.pauseOnConnect = !!options.pauseOnConnect;
    this.setSecureContext(options);
    this.on('connection', tlsConnectionListener);
    if (listener) this.on('secureConnection', listener);
    this.noDelay = options.noDelay;
  }

  setSecureContext(options) {
    if (options === null || typeof options !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    this.key = options.key;
    this.cert = options.cert;
    this.ca = options.ca;
    this.ciphers = options.ciphers || module.exports.DEFAULT_CIPHERS;
    this._sharedCreds = module.exports.createSecureContext({
      ...options, ciphers: this.ciphers,
    });
    if (options.ticketKeys) this._sharedCreds.context.setTicketKeys(options.ticketKeys);
  }

  _getServerData() {
    return { ticketKeys: this.getTicketKeys().toString('hex') };
  }

  _setServerData(data) {
    this.setTicketKeys(Buffer.from(data.ticketKeys, 'hex'));
  }

  getTicketKeys() {
    return this._sharedCreds.context.getTicketKeys();
  }

  setTicketKeys(keys) {
    if (!ArrayBuffer.isView(keys)) throw codes.ERR_INVALID_ARG_TYPE('buffer', ['Buffer', 'TypedArray', 'DataView'], keys);
    if (keys.byteLength !== 48) { // Node's internal assertion
      const err = new Error('Session ticket keys must be a 48-byte buffer\nThis is caused by either a bug ' +
        'in Node.js or incorrect usage of Node.js internals.\nPlease open an issue with this stack trace at ' +
        'https://github.com/nodejs/node/issues\n');
      err.code = 'ERR_INTERNAL_ASSERTION';
      throw err;
    }
    this._sharedCreds.context.setTicketKeys(keys);
  }

  // a rejected async 'secureConnection' listener destroys its socket
  [Symbol.for('nodejs.rejection')](err, event, sock) {
    if (event === 'secureConnection') sock.destroy(err);
    else super[Symbol.for('nodejs.rejection')](err, event, sock);
  }

  addContext(servername, context) {
    if (!servername) throw codes.ERR_TLS_REQUIRED_SERVER_NAME();
    const re = new RegExp(`^${servername.replace(/([.^$+?\-\\[\]{}])/g, '\\$1').replace(/\*/g, '[^.]*')}$`, 'i');
    const ctx = context instanceof SecureContext ? context : createSecureContext(context);
    this._contexts.push([re, ctx]);
  }
}

const TLSSocket = callable(TLSSocketClass, { allowCall: true });
const Server = callable(ServerClass, { allowCall: true });

function createServer(options, listener) {
  return new Server(options, listener);
}

// ---- the rest ------------------------------------------------------------------------

let ciphers = null;
function getCiphers() {
  if (!ciphers) {
    const set = new Set();
    for (const c of binding.tls.ciphers()) set.add(c.toLowerCase());
    ciphers = [...set].sort();
  }
  return ciphers.slice();
}

let roots = null;
function rootCertificates() {
  if (!roots) roots = Object.freeze(binding.tls.rootCertificates());
  return roots;
}

// The deprecated pair (DEP0064): a TLSSocket over one end of a duplex
// pair, the other end carrying the encrypted bytes.
let securePairWarned = false;
function createSecurePair(context, isServer, requestCert, rejectUnauthorized) {
  if (!securePairWarned) {
    securePairWarned = true;
    process.emitWarning('tls.createSecurePair() is deprecated. Please use tls.TLSSocket instead.',
      'DeprecationWarning', 'DEP0064');
  }
  if (!context) context = createSecureContext();
  else if (!(context instanceof SecureContext)) throw codes.ERR_TLS_INVALID_CONTEXT('context');
  const [clear, encrypted] = require('./stream').duplexPair();
  const pair = new EventEmitter();
  pair.server = null;
  pair.encrypted = encrypted;
  pair.cleartext = new TLSSocket(clear, {
    secureContext: context, isServer: !!isServer, requestCert: !!requestCert,
    rejectUnauthorized: !!rejectUnauthorized,
  });
  pair.cleartext.once('secure', () => pair.emit('secure'));
  pair.cleartext.on('error', (err) => pair.emit('error', err));
  if (!isServer) process.nextTick(() => pair.cleartext._start());
  return pair;
}

module.exports = {
  CLIENT_RENEG_LIMIT: 3,
  CLIENT_RENEG_WINDOW: 600,
  DEFAULT_CIPHERS,
  DEFAULT_ECDH_CURVE: 'auto',
  DEFAULT_MIN_VERSION: 'TLSv1.2',
  DEFAULT_MAX_VERSION: 'TLSv1.3',
  checkServerIdentity,
  connect,
  convertALPNProtocols,
  createServer,
  createSecureContext,
  createSecurePair,
  getCiphers,
  Server,
  TLSSocket,
  SecureContext,
};
Object.defineProperty(module.exports, 'rootCertificates', {
  __proto__: null, enumerable: true, configurable: false, get: rootCertificates,
});
// the defaults a context takes, writable as Node's are
for (const [key, field] of [['DEFAULT_MIN_VERSION', 'minVersion'], ['DEFAULT_MAX_VERSION', 'maxVersion'],
  ['DEFAULT_ECDH_CURVE', 'ecdhCurve'], ['DEFAULT_CIPHERS', 'ciphers']]) {
  let value = module.exports[key];
  Object.defineProperty(module.exports, key, {
    __proto__: null, enumerable: true, configurable: true,
    get: () => value,
    set: (v) => {
      value = v;
      sc.defaults[field] = v;
    },
  });
}
