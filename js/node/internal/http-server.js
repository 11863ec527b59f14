// node/internal/http-server.js — what http.Server and https.Server share:
// their arguments, Node's HTTP options and timeouts on the server object
// (storeHTTPOptions), and setTimeout. https.Server is a TLS server in Node,
// not an http.Server, so the two only share this.
'use strict';

const { codes } = require('./errors');
const { notSupported } = require('./deferred');
const { validateInteger, validateBoolean } = require('./validators');

function serverArgs(options, requestListener) {
  if (typeof options === 'function') return [{}, options];
  if (options == null) return [{}, requestListener];
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  return [options, requestListener];
}

const kHTTPOptions = Symbol('kHTTPOptions');

// Node's storeHTTPOptions: the HTTP options checked and kept on the server.
function initServer(server, options, requestListener) {
  server[kHTTPOptions] = options;
  const { maxHeaderSize, insecureHTTPParser, requestTimeout, headersTimeout, keepAliveTimeout,
    connectionsCheckingInterval, requireHostHeader, joinDuplicateHeaders,
    rejectNonStandardBodyWrites } = options;
  if (maxHeaderSize !== undefined) validateInteger(maxHeaderSize, 'maxHeaderSize', 0);
  server.maxHeaderSize = maxHeaderSize;
  if (insecureHTTPParser !== undefined) validateBoolean(insecureHTTPParser, 'options.insecureHTTPParser');
  server.insecureHTTPParser = insecureHTTPParser;
  if (requestTimeout !== undefined) validateInteger(requestTimeout, 'requestTimeout', 0);
  server.requestTimeout = requestTimeout ?? 300000;
  if (headersTimeout !== undefined) validateInteger(headersTimeout, 'headersTimeout', 0);
  server.headersTimeout = headersTimeout ?? Math.min(60000, server.requestTimeout);
  if (server.requestTimeout > 0 && server.headersTimeout > 0 && server.headersTimeout > server.requestTimeout) {
    throw codes.ERR_OUT_OF_RANGE('headersTimeout', '<= requestTimeout', headersTimeout);
  }
  if (keepAliveTimeout !== undefined) validateInteger(keepAliveTimeout, 'keepAliveTimeout', 0);
  server.keepAliveTimeout = keepAliveTimeout ?? 5000;
  if (connectionsCheckingInterval !== undefined) {
    validateInteger(connectionsCheckingInterval, 'connectionsCheckingInterval', 0);
  }
  server.connectionsCheckingInterval = connectionsCheckingInterval ?? 30000;
  if (requireHostHeader !== undefined) validateBoolean(requireHostHeader, 'options.requireHostHeader');
  server.requireHostHeader = requireHostHeader ?? true;
  if (joinDuplicateHeaders !== undefined) validateBoolean(joinDuplicateHeaders, 'options.joinDuplicateHeaders');
  server.joinDuplicateHeaders = joinDuplicateHeaders;
  if (rejectNonStandardBodyWrites !== undefined) {
    validateBoolean(rejectNonStandardBodyWrites, 'options.rejectNonStandardBodyWrites');
  }
  server.rejectNonStandardBodyWrites = rejectNonStandardBodyWrites ?? false;
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
      super(moduleName === 'http' ? {
        allowHalfOpen: true, noDelay: options.noDelay ?? true, keepAlive: options.keepAlive,
        keepAliveInitialDelay: options.keepAliveInitialDelay, highWaterMark: options.highWaterMark,
      } : { noDelay: options.noDelay ?? true, ...options });
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

module.exports = { serverClass, kHTTPOptions, initServer, serverArgs, serverSetTimeout };
