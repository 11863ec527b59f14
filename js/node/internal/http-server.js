// node/internal/http-server.js — what http.Server and https.Server share:
// their arguments, Node's HTTP options and timeouts on the server object
// (storeHTTPOptions), and setTimeout. https.Server is a TLS server in Node,
// not an http.Server, so the two only share this.
'use strict';

const { codes } = require('./errors');
const { notSupported } = require('./deferred');

function serverArgs(options, requestListener) {
  if (typeof options === 'function') return [{}, options];
  if (options == null) return [{}, requestListener];
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  return [options, requestListener];
}

function initServer(server, options, requestListener) {
  server.maxHeaderSize = options.maxHeaderSize;
  server.insecureHTTPParser = options.insecureHTTPParser;
  server.requestTimeout = options.requestTimeout ?? 300000;
  server.headersTimeout = options.headersTimeout ?? 60000;
  server.keepAliveTimeout = options.keepAliveTimeout ?? 5000;
  server.connectionsCheckingInterval = options.connectionsCheckingInterval ?? 30000;
  server.requireHostHeader = options.requireHostHeader ?? true;
  server.joinDuplicateHeaders = options.joinDuplicateHeaders;
  server.rejectNonStandardBodyWrites = options.rejectNonStandardBodyWrites ?? false;
  if (requestListener) server.on('request', requestListener);
  server.httpAllowHalfOpen = false;
  server.timeout = 0;
  server.maxHeadersCount = null;
  server.maxRequestsPerSocket = 0;
}

function serverSetTimeout(msecs, callback) {
  this.timeout = msecs;
  if (callback) this.on('timeout', callback);
  return this;
}

// An HTTP server class over net.Server (http.Server, https.Server);
// listening is deferred under the module's own name.
function serverClass(moduleName) {
  const net = require('../net');
  class Server extends net.Server {
    constructor(options, requestListener) {
      [options, requestListener] = serverArgs(options, requestListener);
      super({ noDelay: options.noDelay ?? true, ...options });
      initServer(this, options, requestListener);
      if (moduleName === 'https') {
        this.listen = () => {
          throw notSupported('https.Server.listen');
        };
      }
    }
  }
  Server.prototype.setTimeout = serverSetTimeout;
  return Server;
}

module.exports = { serverClass };
