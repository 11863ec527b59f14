// node/https.js — Node's `https` module: HTTP over tls.js. The client is
// http's ClientRequest with an Agent whose connections are TLS sockets
// (pooled under a name that includes the TLS options, with a cache of
// sessions to resume per name); the server is a tls.Server that hands each
// secure connection to http's connection listener.
'use strict';

const http = require('./http');
const tls = require('./tls');
const { initServer, serverArgs, serverSetTimeout } = require('./internal/http-server');
const { callable } = require('./internal/util');

const kSessionCache = '_sessionCache';

class AgentClass extends http.Agent {
  constructor(options) {
    super(options);
    this.defaultPort = 443;
    this.protocol = 'https:';
    this.maxCachedSessions = this.options.maxCachedSessions;
    if (this.maxCachedSessions === undefined) this.maxCachedSessions = 100;
    this[kSessionCache] = { map: {}, list: [] };
  }

  createConnection(port, host, options) {
    if (port !== null && typeof port === 'object') {
      options = port;
    } else if (host !== null && typeof host === 'object') {
      options = { ...host };
    } else if (options === null || typeof options !== 'object') {
      options = {};
    } else {
      options = { ...options };
    }
    if (typeof port === 'number') options.port = port;
    if (typeof host === 'string') options.host = host;
    if (options._agentKey) {
      const session = this._getSession(options._agentKey);
      if (session) options = { session, ...options };
    }
    const socket = tls.connect(options);
    if (options._agentKey) {
      socket.on('session', (session) => this._cacheSession(options._agentKey, session));
      socket.once('close', (err) => {
        if (err) this._evictSession(options._agentKey);
      });
    }
    return socket;
  }

  getName(options = {}) {
    let name = super.getName(options);
    name += ':';
    if (options.ca) name += options.ca;
    name += ':';
    if (options.cert) name += options.cert;
    name += ':';
    if (options.clientCertEngine) name += options.clientCertEngine;
    name += ':';
    if (options.ciphers) name += options.ciphers;
    name += ':';
    if (options.key) name += options.key;
    name += ':';
    if (options.pfx) name += options.pfx;
    name += ':';
    if (options.rejectUnauthorized !== undefined) name += options.rejectUnauthorized;
    name += ':';
    if (options.servername && options.servername !== options.host) name += options.servername;
    name += ':';
    if (options.minVersion) name += options.minVersion;
    name += ':';
    if (options.maxVersion) name += options.maxVersion;
    name += ':';
    if (options.secureProtocol) name += options.secureProtocol;
    name += ':';
    if (options.crl) name += options.crl;
    name += ':';
    if (options.honorCipherOrder !== undefined) name += options.honorCipherOrder;
    name += ':';
    if (options.ecdhCurve) name += options.ecdhCurve;
    name += ':';
    if (options.dhparam) name += options.dhparam;
    name += ':';
    if (options.secureOptions !== undefined) name += options.secureOptions;
    name += ':';
    if (options.sessionIdContext) name += options.sessionIdContext;
    name += ':';
    if (options.sigalgs) name += JSON.stringify(options.sigalgs);
    name += ':';
    if (options.privateKeyIdentifier) name += options.privateKeyIdentifier;
    name += ':';
    if (options.privateKeyEngine) name += options.privateKeyEngine;
    return name;
  }

  _getSession(key) {
    return this[kSessionCache].map[key];
  }

  _cacheSession(key, session) {
    if (this.maxCachedSessions === 0) return;
    const cache = this[kSessionCache];
    if (cache.map[key]) {
      cache.map[key] = session;
      return;
    }
    if (cache.list.length >= this.maxCachedSessions) {
      const oldKey = cache.list.shift();
      delete cache.map[oldKey];
    }
    cache.list.push(key);
    cache.map[key] = session;
  }

  _evictSession(key) {
    const cache = this[kSessionCache];
    const index = cache.list.indexOf(key);
    if (index === -1) return;
    cache.list.splice(index, 1);
    delete cache.map[key];
  }
}

let globalAgent;
function makeGlobalAgent() {
  return new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });
}

class ServerClass extends tls.Server {
  constructor(options, requestListener) {
    [options, requestListener] = serverArgs(options, requestListener);
    options = { ...options };
    if (!options.ALPNProtocols && !options.ALPNCallback) options.ALPNProtocols = ['http/1.1'];
    super(options);
    initServer(this, options, requestListener);
    http._setupHttpsServer(this);
    this.on('secureConnection', http._connectionListener);
    this.on('tlsClientError', (err, socket) => {
      if (!this.emit('clientError', err, socket)) socket.destroy(err);
    });
    this.timeout = 0;
  }

  closeAllConnections() {
    http.Server.prototype.closeAllConnections.call(this);
  }

  closeIdleConnections() {
    http.Server.prototype.closeIdleConnections.call(this);
  }

  close(callback) {
    this.closeIdleConnections();
    clearInterval(this[http._kConnectionsCheckingInterval]);
    return super.close(callback);
  }

  [Symbol.asyncDispose]() {
    return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
  }

  // a rejected async 'request' listener answers as http's server does
  [Symbol.for('nodejs.rejection')](err, event, ...args) {
    if (event === 'request') http.Server.prototype[Symbol.for('nodejs.rejection')].call(this, err, event, ...args);
    else super[Symbol.for('nodejs.rejection')](err, event, ...args);
  }
}
ServerClass.prototype.setTimeout = serverSetTimeout;
const Server = callable(ServerClass, { allowCall: true });
const Agent = callable(AgentClass);

// http.request with this module's global agent as the default one
function request(...args) {
  let url = null;
  if (typeof args[0] === 'string' || args[0] instanceof URL) url = args.shift();
  const options = args[0] !== null && typeof args[0] === 'object' ? { ...args.shift() } : {};
  options._defaultAgent = module.exports.globalAgent;
  return url === null ? http.request(options, args[0]) : http.request(url, options, args[0]);
}

function get(input, options, cb) {
  const req = request(input, options, cb);
  req.end();
  return req;
}

globalAgent = makeGlobalAgent();
module.exports = {
  Agent,
  globalAgent,
  Server,
  createServer: (options, requestListener) => new Server(options, requestListener),
  get,
  request,
};
