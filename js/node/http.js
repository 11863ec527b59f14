// node/http.js — Node's `http` module, the part that needs no socket:
// METHODS, STATUS_CODES, maxHeaderSize, validateHeaderName/Value, the
// header API of OutgoingMessage / ServerResponse (set, append, get, list,
// remove, as Node keeps them), IncomingMessage's header views built from
// rawHeaders with Node's duplicate rules, Agent with its options and
// getName(), and http.Server objects (a net.Server carrying Node's
// timeouts). Listening, requests and anything that writes to a connection
// throw "http.<api> is not supported in sandbox" (or net's) until the
// network bridge lands: compat-matrix Tier 4 today, Tier 1 is the target.
'use strict';

const EventEmitter = require('events');
const { Readable, Stream } = require('stream');
const net = require('./net');
const { codes } = require('./internal/errors');
const { validateString, validateInteger, validateNumber } = require('./internal/validators');
const { deferredFunction, notSupported } = require('./internal/deferred');
const { serverClass } = require('./internal/http-server');

const METHODS = [
  'ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH',
  'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND',
  'PROPPATCH', 'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE',
  'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE',
];

const STATUS_CODES = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed',
  413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable',
  417: 'Expectation Failed', 418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity',
  423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required',
  428: 'Precondition Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended',
  511: 'Network Authentication Required',
};

const maxHeaderSize = 16384;

// ---- header checks -----------------------------------------------------------------

const tokenRe = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const badHeaderCharRe = /[^\t\x20-\x7e\x80-\xff]/;

function validateHeaderName(name, label) {
  if (typeof name !== 'string' || !name || !tokenRe.test(name)) {
    throw codes.ERR_INVALID_HTTP_TOKEN(label || 'Header name', name);
  }
}

function validateHeaderValue(name, value) {
  if (value === undefined) throw codes.ERR_HTTP_INVALID_HEADER_VALUE(value, name);
  if (badHeaderCharRe.test(value)) throw codes.ERR_INVALID_CHAR('header content', name);
}

// ---- OutgoingMessage -----------------------------------------------------------------

const kOutHeaders = Symbol('kOutHeaders');

function OutgoingMessage(options) {
  Stream.call(this);
  this.outputData = [];
  this.outputSize = 0;
  this.writable = true;
  this.destroyed = false;
  this._last = false;
  this.chunkedEncoding = false;
  this.shouldKeepAlive = true;
  this.maxRequestsOnConnectionReached = false;
  this._defaultKeepAlive = true;
  this.useChunkedEncodingByDefault = true;
  this.sendDate = false;
  this._removedConnection = false;
  this._removedContLen = false;
  this._removedTE = false;
  this.strictContentLength = false;
  this._contentLength = null;
  this._hasBody = true;
  this._trailer = '';
  this.finished = false;
  this._headerSent = false;
  this._closed = false;
  this.socket = null;
  this._header = null;
  this[kOutHeaders] = null;
  this._keepAliveTimeout = 0;
  this._onPendingData = () => {};
  this._highWaterMark = options?.highWaterMark ?? 16384;
}
Object.setPrototypeOf(OutgoingMessage.prototype, Stream.prototype);
Object.setPrototypeOf(OutgoingMessage, Stream);

function headersSentCheck(msg, action) {
  if (msg._header) throw codes.ERR_HTTP_HEADERS_SENT(action);
}

OutgoingMessage.prototype.setHeader = function setHeader(name, value) {
  headersSentCheck(this, 'set');
  validateHeaderName(name);
  validateHeaderValue(name, value);
  if (this[kOutHeaders] === null) this[kOutHeaders] = { __proto__: null };
  this[kOutHeaders][name.toLowerCase()] = [name, value];
  return this;
};

OutgoingMessage.prototype.setHeaders = function setHeaders(headers) {
  headersSentCheck(this, 'set');
  if (!headers || Array.isArray(headers) || typeof headers.keys !== 'function' ||
      typeof headers.get !== 'function') {
    throw codes.ERR_INVALID_ARG_TYPE('headers', ['Headers', 'Map'], headers);
  }
  // set-cookie values are kept apart: a Headers object would join them.
  const cookies = [];
  for (const [key, value] of headers) {
    if (key === 'set-cookie') cookies.push(...(Array.isArray(value) ? value : [value]));
    else this.setHeader(key, value);
  }
  if (cookies.length) this.setHeader('set-cookie', cookies);
  return this;
};

OutgoingMessage.prototype.appendHeader = function appendHeader(name, value) {
  headersSentCheck(this, 'append');
  validateHeaderName(name);
  validateHeaderValue(name, value);
  const field = name.toLowerCase();
  const headers = this[kOutHeaders];
  if (headers === null || !headers[field]) return this.setHeader(name, value);
  if (!Array.isArray(headers[field][1])) headers[field][1] = [headers[field][1]];
  headers[field][1].push(...(Array.isArray(value) ? value : [value]));
  return this;
};

OutgoingMessage.prototype.getHeader = function getHeader(name) {
  validateString(name, 'name');
  const entry = this[kOutHeaders] === null ? undefined : this[kOutHeaders][name.toLowerCase()];
  return entry && entry[1];
};

OutgoingMessage.prototype.getHeaderNames = function getHeaderNames() {
  return this[kOutHeaders] !== null ? Object.keys(this[kOutHeaders]) : [];
};

OutgoingMessage.prototype.getRawHeaderNames = function getRawHeaderNames() {
  return this[kOutHeaders] !== null ? Object.values(this[kOutHeaders]).map((e) => e[0]) : [];
};

OutgoingMessage.prototype.getHeaders = function getHeaders() {
  const out = { __proto__: null };
  if (this[kOutHeaders] !== null) {
    for (const key of Object.keys(this[kOutHeaders])) out[key] = this[kOutHeaders][key][1];
  }
  return out;
};

OutgoingMessage.prototype.hasHeader = function hasHeader(name) {
  validateString(name, 'name');
  return this[kOutHeaders] !== null && !!this[kOutHeaders][name.toLowerCase()];
};

OutgoingMessage.prototype.removeHeader = function removeHeader(name) {
  validateString(name, 'name');
  headersSentCheck(this, 'remove');
  const key = name.toLowerCase();
  if (key === 'connection') this._removedConnection = true;
  else if (key === 'content-length') this._removedContLen = true;
  else if (key === 'transfer-encoding') this._removedTE = true;
  else if (key === 'date') this.sendDate = false;
  if (this[kOutHeaders] !== null) delete this[kOutHeaders][key];
};

OutgoingMessage.prototype._implicitHeader = function _implicitHeader() {
  throw codes.ERR_METHOD_NOT_IMPLEMENTED('_implicitHeader()');
};

Object.defineProperty(OutgoingMessage.prototype, 'headersSent', {
  configurable: true, enumerable: true, get() { return !!this._header; },
});
Object.defineProperty(OutgoingMessage.prototype, 'writableEnded', {
  get() { return this.finished; },
});

// Writing needs a connection.
for (const name of ['write', 'end', 'flushHeaders', 'addTrailers', 'cork', 'uncork', 'setTimeout', 'destroy']) {
  OutgoingMessage.prototype[name] = deferredFunction(`http.OutgoingMessage.${name}`);
}

// ---- ServerResponse ----------------------------------------------------------------

function ServerResponse(req, options) {
  OutgoingMessage.call(this, options);
  if (req.method === 'HEAD') this._hasBody = false;
  this.req = req;
  this.sendDate = true;
  this._sent100 = false;
  this._expect_continue = false;
  if (req.httpVersionMajor < 1 || req.httpVersionMinor < 1) {
    this.useChunkedEncodingByDefault = /(?:^|\W)te(?:\W|$)/i.test(req.headers.te);
    this.shouldKeepAlive = false;
  }
  this.statusCode = 200;
  this.statusMessage = undefined;
}
Object.setPrototypeOf(ServerResponse.prototype, OutgoingMessage.prototype);
Object.setPrototypeOf(ServerResponse, OutgoingMessage);

ServerResponse.prototype.writeHead = deferredFunction('http.ServerResponse.writeHead');
ServerResponse.prototype.writeContinue = deferredFunction('http.ServerResponse.writeContinue');
ServerResponse.prototype.writeProcessing = deferredFunction('http.ServerResponse.writeProcessing');
ServerResponse.prototype.writeEarlyHints = deferredFunction('http.ServerResponse.writeEarlyHints');
ServerResponse.prototype.assignSocket = deferredFunction('http.ServerResponse.assignSocket');
ServerResponse.prototype.detachSocket = deferredFunction('http.ServerResponse.detachSocket');

// ---- IncomingMessage ----------------------------------------------------------------

// Headers Node keeps once (a duplicate is dropped), and the ones it joins
// with '; ' (cookie) or keeps as an array (set-cookie); the rest join with ', '.
const singleHeaders = new Set(['content-type', 'content-length', 'user-agent', 'referer', 'host',
  'authorization', 'proxy-authorization', 'if-modified-since', 'if-unmodified-since', 'from',
  'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires']);

function addHeaderLine(dest, field, value, joinDuplicates) {
  const key = field.toLowerCase();
  if (key === 'set-cookie') {
    if (dest[key] === undefined) dest[key] = [value];
    else dest[key].push(value);
  } else if (dest[key] === undefined) {
    dest[key] = value;
  } else if (key === 'cookie') {
    dest[key] += `; ${value}`;
  } else if (joinDuplicates || !singleHeaders.has(key)) {
    dest[key] += `, ${value}`;
  }
}

// The views read the first `count` entries of the raw list: the parser
// sets the count (_addHeaderLines); rawHeaders assigned by hand count for
// nothing, as in Node.
function headersFromRaw(raw, count, joinDuplicates) {
  const out = {};
  for (let i = 0; i < count; i += 2) addHeaderLine(out, raw[i], raw[i + 1], joinDuplicates);
  return out;
}

function headersDistinctFromRaw(raw, count) {
  const out = { __proto__: null };
  for (let i = 0; i < count; i += 2) {
    const key = raw[i].toLowerCase();
    if (out[key] === undefined) out[key] = [raw[i + 1]];
    else out[key].push(raw[i + 1]);
  }
  return out;
}

const kHeaders = Symbol('kHeaders');
const kHeadersDistinct = Symbol('kHeadersDistinct');
const kTrailers = Symbol('kTrailers');
const kTrailersDistinct = Symbol('kTrailersDistinct');
const kHeadersCount = Symbol('kHeadersCount');
const kTrailersCount = Symbol('kTrailersCount');

function IncomingMessage(socket) {
  let streamOptions;
  if (socket) streamOptions = { highWaterMark: socket.readableHighWaterMark };
  Readable.call(this, streamOptions);
  this._readableState.readingMore = true;
  this.socket = socket;
  this.httpVersionMajor = null;
  this.httpVersionMinor = null;
  this.httpVersion = null;
  this.complete = false;
  this.rawHeaders = [];
  this.rawTrailers = [];
  this.joinDuplicateHeaders = false;
  this.aborted = false;
  this.upgrade = null;
  this.url = '';
  this.method = null;
  this.statusCode = null;
  this.statusMessage = null;
  this.client = socket;
  this._consuming = false;
  this._dumped = false;
  this[kHeaders] = null;
  this[kHeadersDistinct] = null;
  this[kTrailers] = null;
  this[kTrailersDistinct] = null;
  this[kHeadersCount] = 0;
  this[kTrailersCount] = 0;
}
Object.setPrototypeOf(IncomingMessage.prototype, Readable.prototype);
Object.setPrototypeOf(IncomingMessage, Readable);

function lazyHeaderView(name, key, build, source, count) {
  Object.defineProperty(IncomingMessage.prototype, name, {
    configurable: true,
    enumerable: true,
    get() {
      if (!this[key]) this[key] = build(this[source], this[count], this.joinDuplicateHeaders);
      return this[key];
    },
    set(value) {
      this[key] = value;
    },
  });
}
lazyHeaderView('headers', kHeaders, headersFromRaw, 'rawHeaders', kHeadersCount);
lazyHeaderView('headersDistinct', kHeadersDistinct, headersDistinctFromRaw, 'rawHeaders', kHeadersCount);
lazyHeaderView('trailers', kTrailers, headersFromRaw, 'rawTrailers', kTrailersCount);
lazyHeaderView('trailersDistinct', kTrailersDistinct, headersDistinctFromRaw, 'rawTrailers', kTrailersCount);

Object.defineProperty(IncomingMessage.prototype, 'connection', {
  configurable: true,
  enumerable: true,
  get() { return this.socket; },
  set(value) { this.socket = value; },
});

IncomingMessage.prototype.setTimeout = deferredFunction('http.IncomingMessage.setTimeout');
// No connection feeds it yet: reading waits for a push that only the
// network bridge will make.
IncomingMessage.prototype._read = function _read() {};
// What the parser calls with a header (or, once complete, trailer) block.
IncomingMessage.prototype._addHeaderLines = function _addHeaderLines(headers, n) {
  if (!headers || !headers.length) return;
  let dest;
  if (this.complete) {
    this.rawTrailers = headers;
    this[kTrailersCount] = n;
    dest = this[kTrailers];
  } else {
    this.rawHeaders = headers;
    this[kHeadersCount] = n;
    dest = this[kHeaders];
  }
  if (dest) for (let i = 0; i < n; i += 2) this._addHeaderLine(headers[i], headers[i + 1], dest);
};
IncomingMessage.prototype._addHeaderLine = function _addHeaderLine(field, value, dest) {
  addHeaderLine(dest, field, value, this.joinDuplicateHeaders);
};

// ---- Agent ----------------------------------------------------------------------------

class Agent extends EventEmitter {
  constructor(options) {
    super();
    this.defaultPort = 80;
    this.protocol = 'http:';
    this.options = { __proto__: null, ...options };
    if (this.options.noDelay === undefined) this.options.noDelay = true;
    this.options.path = null;
    this.requests = { __proto__: null };
    this.sockets = { __proto__: null };
    this.freeSockets = { __proto__: null };
    this.keepAliveMsecs = this.options.keepAliveMsecs || 1000;
    this.keepAlive = this.options.keepAlive || false;
    this.maxSockets = this.options.maxSockets || Agent.defaultMaxSockets;
    this.maxFreeSockets = this.options.maxFreeSockets || 256;
    this.scheduling = this.options.scheduling || 'lifo';
    this.maxTotalSockets = this.options.maxTotalSockets;
    this.totalSocketCount = 0;
    if (this.scheduling !== 'fifo' && this.scheduling !== 'lifo') {
      throw codes.ERR_INVALID_ARG_VALUE('scheduling', this.scheduling, "must be one of: 'fifo', 'lifo'");
    }
    if (this.maxTotalSockets !== undefined) {
      validateNumber(this.maxTotalSockets, 'maxTotalSockets', 1);
    } else {
      this.maxTotalSockets = Infinity;
    }
  }

  // The key Node pools connections under: host:port:localAddress[:family].
  getName(options = {}) {
    let name = options.host || 'localhost';
    name += ':';
    if (options.port) name += options.port;
    name += ':';
    if (options.localAddress) name += options.localAddress;
    if (options.family === 4 || options.family === 6) name += `:${options.family}`;
    if (options.socketPath) name += `:${options.socketPath}`;
    return name;
  }

  destroy() {
    for (const set of [this.freeSockets, this.sockets]) {
      for (const key of Object.keys(set)) for (const socket of set[key]) socket.destroy();
    }
  }
}
Agent.defaultMaxSockets = Infinity;
for (const name of ['createConnection', 'addRequest', 'createSocket', 'removeSocket', 'keepSocketAlive',
  'reuseSocket']) {
  Agent.prototype[name] = deferredFunction(`http.Agent.${name}`);
}

const globalAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });

// ---- Server -------------------------------------------------------------------------------

const Server = serverClass('http');
Server.prototype.closeAllConnections = function closeAllConnections() {};
Server.prototype.closeIdleConnections = function closeIdleConnections() {};

function ClientRequest() {
  throw notSupported('http.ClientRequest');
}
Object.setPrototypeOf(ClientRequest.prototype, OutgoingMessage.prototype);
Object.setPrototypeOf(ClientRequest, OutgoingMessage);

function setMaxIdleHTTPParsers(max) {
  validateInteger(max, 'max', 1);
}

module.exports = {
  _connectionListener: deferredFunction('http._connectionListener'),
  METHODS,
  STATUS_CODES,
  Agent,
  ClientRequest,
  IncomingMessage,
  OutgoingMessage,
  Server,
  ServerResponse,
  createServer: (options, requestListener) => new Server(options, requestListener),
  validateHeaderName,
  validateHeaderValue,
  get: deferredFunction('http.get'),
  request: deferredFunction('http.request'),
  setMaxIdleHTTPParsers,
  maxHeaderSize,
  globalAgent,
};
