// node/https.js — Node's `https` module over node/http.js: an Agent for
// port 443 with its TLS session cache fields, https.Server objects, and
// requests and listening deferred until the network and TLS bridges land
// ("https.<api> is not supported in sandbox").
'use strict';

const http = require('./http');
const { deferredFunction, notSupported } = require('./internal/deferred');
const { serverClass } = require('./internal/http-server');

class Agent extends http.Agent {
  constructor(options) {
    super(options);
    this.defaultPort = 443;
    this.protocol = 'https:';
    this.maxCachedSessions = this.options.maxCachedSessions;
    if (this.maxCachedSessions === undefined) this.maxCachedSessions = 100;
    this._sessionCache = { map: {}, list: [] };
  }
}

const Server = serverClass('https');

// A URL is parsed (and refused as Node refuses it) before the request is
// found unsupported.
function requestDeferred(api) {
  return function request(input) {
    if (typeof input === 'string') new URL(input); // eslint-disable-line no-new
    throw notSupported(api);
  };
}

module.exports = {
  Agent,
  globalAgent: new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }),
  Server,
  createServer: (options, requestListener) => new Server(options, requestListener),
  get: requestDeferred('https.get'),
  request: requestDeferred('https.request'),
};
