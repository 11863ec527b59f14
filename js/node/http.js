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
const { Readable, Stream, finished } = require('stream');
const net = require('./net');
const { consume } = require('./internal/net-shared');
const binding = require('./internal/binding');
const dcChannels = require('./internal/dc-channels');
const { codes, abortError } = require('./internal/errors');
const { callable } = require('./internal/util');
const { validateString, validateInteger, validateNumber, validateObject } = require('./internal/validators');
const { serverClass, kHTTPOptions } = require('./internal/http-server');

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
  this._finishEmitted = false;
  this.writableFinished = false;
  this._highWaterMark = options?.highWaterMark ?? 16384;
  this[kBytesWritten] = 0;
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

OutgoingMessage.prototype[Symbol.for('nodejs.rejection')] = function captureRejection(err) {
  this.destroy(err);
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
Object.defineProperty(OutgoingMessage.prototype, 'closed', {
  configurable: true, get() { return this._closed; },
});

// The deprecated views of the header table (DEP0066).
function deprecateHeaders(fn) {
  return lazyUtil().deprecate(fn, `OutgoingMessage.prototype.${fn.name.slice(3)} is deprecated`, 'DEP0066');
}
let utilModule;
function lazyUtil() {
  if (utilModule === undefined) utilModule = require('./util');
  return utilModule;
}
Object.defineProperty(OutgoingMessage.prototype, '_headers', {
  configurable: true,
  get: deprecateHeaders(function get_headers() { return this.getHeaders(); }),
  set: deprecateHeaders(function set_headers(val) {
    if (val == null) {
      this[kOutHeaders] = null;
    } else if (typeof val === 'object') {
      const headers = this[kOutHeaders] = { __proto__: null };
      for (const name of Object.keys(val)) headers[name.toLowerCase()] = [name, val[name]];
    }
  }),
});
Object.defineProperty(OutgoingMessage.prototype, '_headerNames', {
  configurable: true,
  get: deprecateHeaders(function get_headerNames() {
    const headers = this[kOutHeaders];
    if (headers === null) return null;
    const out = { __proto__: null };
    for (const key of Object.keys(headers)) out[key] = headers[key][0];
    return out;
  }),
  set: deprecateHeaders(function set_headerNames(val) {
    if (typeof val === 'object' && val !== null) {
      const headers = this[kOutHeaders];
      if (!headers) return;
      for (const key of Object.keys(val)) {
        const header = headers[key];
        if (header) header[0] = val[key];
      }
    }
  }),
});

// ---- writing a message ---------------------------------------------------------------

const crlf = '\r\n';
const chunkEnd = Buffer.from('0\r\n\r\n', 'latin1');

let dateCache;
function utcDate() {
  if (!dateCache) {
    dateCache = new Date().toUTCString();
    setTimeout(() => { dateCache = undefined; }, 1000 - new Date().getMilliseconds()).unref();
  }
  return dateCache;
}

function byteLength(chunk, encoding) {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.length;
}

// The header block of msg: firstLine, then its headers as set (in order),
// then what Node adds (Date, Connection, Keep-Alive, Content-Length or
// Transfer-Encoding), as Node's _storeHeader decides them.
OutgoingMessage.prototype._storeHeader = function _storeHeader(firstLine, headers) {
  const state = { connection: false, contLen: false, te: false, date: false, expect: false,
    trailer: false, header: firstLine };
  const add = (key, value) => {
    if (Array.isArray(value)) {
      // one line each, but cookies and the unique headers join with '; '
      const lower = key.toLowerCase();
      if ((value.length < 2 || lower !== 'cookie') && !this[kUniqueHeaders]?.has(lower)) {
        for (const v of value) add(key, v);
        return;
      }
      value = value.join('; ');
    }
    // Content-Disposition with a known length is sent as UTF-8 (RFC 6266)
    if (this._contentLength && key.length === 19 && key.toLowerCase() === 'content-disposition') {
      value = Buffer.from(value, 'latin1').toString();
    }
    validateHeaderValue(key, value);
    state.header += `${key}: ${value}${crlf}`;
    const lower = key.toLowerCase();
    if (lower === 'connection') {
      state.connection = true;
      if (/(?:^|\W)close(?:$|\W)/i.test(value)) this._last = true;
      else this.shouldKeepAlive = true;
    } else if (lower === 'transfer-encoding') {
      state.te = true;
      if (/(?:^|\W)chunked\s*$/i.test(String(value))) this.chunkedEncoding = true;
    } else if (lower === 'content-length') {
      state.contLen = true;
      this._contentLength = +value;
      this._removedContLen = false;
    } else if (lower === 'date') {
      state.date = true;
    } else if (lower === 'expect') {
      state.expect = true;
    } else if (lower === 'trailer') {
      state.trailer = true;
    } else if (lower === 'keep-alive') {
      this._defaultKeepAlive = false; // the caller's own Keep-Alive line
    }
  };
  if (headers) {
    if (Array.isArray(headers)) {
      if (headers.length && Array.isArray(headers[0])) {
        for (const [k, v] of headers) add(k, v);
      } else {
        if (headers.length % 2 !== 0) throw codes.ERR_INVALID_ARG_VALUE('headers', headers);
        for (let i = 0; i < headers.length; i += 2) add(headers[i], headers[i + 1]);
      }
    } else if (headers === this[kOutHeaders]) {
      for (const key of Object.keys(headers)) add(headers[key][0], headers[key][1]);
    } else {
      for (const key of Object.keys(headers)) add(key, headers[key]);
    }
  }
  let header = state.header;
  if (this[kNoDefaultHeaders]) { // setDefaultHeaders: false: the caller's lines alone
    this._header = header + crlf;
    this._headerSent = false;
    if (state.expect) this._send('');
    return;
  }
  if (this.sendDate && !state.date) header += `Date: ${utcDate()}${crlf}`;
  if (this.chunkedEncoding && (this.statusCode === 204 || this.statusCode === 304)) {
    // no zero chunk after them: the connection closes instead (Node's)
    this.chunkedEncoding = false;
    this._hasBody = false;
    this.shouldKeepAlive = false;
  }
  if (this._removedConnection) {
    // no Connection line, but HTTP/1.1 keeps the connection by default
    this._last = !this.shouldKeepAlive;
  } else if (!state.connection) {
    const keepAlive = this.shouldKeepAlive &&
      (state.contLen || this.useChunkedEncodingByDefault || this.agent);
    if (keepAlive && this.maxRequestsOnConnectionReached) {
      header += `Connection: close${crlf}`;
    } else if (keepAlive) {
      header += `Connection: keep-alive${crlf}`;
      if (this._keepAliveTimeout && this._defaultKeepAlive) {
        const seconds = Math.floor(this._keepAliveTimeout / 1000);
        let max = '';
        if (this._maxRequestsPerSocket > 0) max = `, max=${this._maxRequestsPerSocket}`;
        header += `Keep-Alive: timeout=${seconds}${max}${crlf}`;
      }
    } else {
      this._last = true;
      header += `Connection: close${crlf}`;
    }
  }
  if (!state.contLen && !state.te) {
    if (!this._hasBody) {
      this.chunkedEncoding = false;
    } else if (!this.useChunkedEncodingByDefault) {
      this._last = true;
    } else if (!state.trailer && !this._removedContLen && typeof this._contentLength === 'number') {
      header += `Content-Length: ${this._contentLength}${crlf}`;
    } else if (!this._removedTE) {
      header += `Transfer-Encoding: chunked${crlf}`;
      this.chunkedEncoding = true;
    } else {
      this._last = true;
    }
  }
  if (this.chunkedEncoding !== true && state.trailer) throw codes.ERR_HTTP_TRAILER_INVALID();
  this._header = header + crlf;
  this._headerSent = false;
  // the head waits for the first body chunk, unless 100-continue is expected
  if (state.expect) this._send('');
};

// Writes to the socket, or keeps the data until one is assigned.
OutgoingMessage.prototype._writeRaw = function _writeRaw(data, encoding, callback) {
  const conn = this.socket;
  if (conn && conn.destroyed) return false;
  if (conn && conn._httpMessage === this && conn.writable) {
    if (this.outputData.length) this._flushOutput(conn);
    return conn.write(data, encoding, callback);
  }
  this.outputData.push({ data, encoding, callback });
  this.outputSize += data.length;
  this._onPendingData(data.length);
  return this.outputSize < this._highWaterMark;
};

OutgoingMessage.prototype._send = function _send(data, encoding, callback) {
  if (!this._headerSent && this._header !== null) {
    if (typeof data === 'string' && (encoding === 'utf8' || encoding === 'latin1' || !encoding)) {
      data = this._header + data;
    } else {
      this.outputData.unshift({ data: this._header, encoding: 'latin1', callback: null });
      this.outputSize += this._header.length;
      this._onPendingData(this._header.length);
    }
    this._headerSent = true;
  }
  return this._writeRaw(data, encoding, callback);
};

OutgoingMessage.prototype._flushOutput = function _flushOutput(socket) {
  const data = this.outputData;
  this._onPendingData(-this.outputSize);
  this.outputData = [];
  this.outputSize = 0;
  let ret;
  if (data.length > 1) socket.cork();
  for (const { data: d, encoding, callback } of data) ret = socket.write(d, encoding, callback);
  if (data.length > 1) socket.uncork();
  return ret;
};

OutgoingMessage.prototype._flush = function _flush() {
  const socket = this.socket;
  if (socket && socket.writable) {
    const ret = this._flushOutput(socket);
    if (this.finished) this._finish();
    else if (ret && this[kNeedDrain]) {
      this[kNeedDrain] = false;
      this.emit('drain');
    }
  }
};

function nop() {}

const kNeedDrain = Symbol('kNeedDrain');
const kNoDefaultHeaders = Symbol('kNoDefaultHeaders');

function writeChunk(msg, chunk, encoding, callback, fromEnd) {
  if (typeof callback !== 'function') callback = nop;
  if (chunk === null) throw codes.ERR_STREAM_NULL_VALUES();
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
    throw codes.ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'Uint8Array'], chunk);
  }
  if (!msg._header) {
    if (fromEnd) msg._contentLength = byteLength(chunk, encoding);
    msg._implicitHeader();
  }
  if (!msg._hasBody) {
    if (msg[kRejectNonStandardBodyWrites]) throw codes.ERR_HTTP_BODY_NOT_ALLOWED();
    process.nextTick(callback);
    return true;
  }
  const len = byteLength(chunk, encoding);
  if (strictContentLength(msg) && (fromEnd ? msg[kBytesWritten] + len !== msg._contentLength
    : msg[kBytesWritten] + len > msg._contentLength)) {
    throw codes.ERR_HTTP_CONTENT_LENGTH_MISMATCH(len + msg[kBytesWritten], msg._contentLength);
  }
  msg[kBytesWritten] += len;
  if (!fromEnd && msg.socket && !msg.socket.writableCorked) {
    msg.socket.cork();
    process.nextTick(() => msg.socket && msg.socket.uncork());
  }
  let ret;
  if (msg.chunkedEncoding && len > 0) {
    // four writes, as Node makes them (what a program wrapping write sees)
    msg._send(len.toString(16), 'latin1', null);
    msg._send(crlf, 'latin1', null);
    msg._send(chunk, encoding, null);
    ret = msg._send(crlf, 'latin1', callback);
  } else {
    ret = msg._send(chunk, encoding, callback);
  }
  msg[kNeedDrain] = !ret;
  return ret;
}

const kRejectNonStandardBodyWrites = Symbol('kRejectNonStandardBodyWrites');

// A write refused: the callback, then 'error', on the next tick.
function onWriteError(msg, err, callback) {
  if (msg.destroyed) return;
  process.nextTick(() => {
    if (typeof callback === 'function') callback(err);
    if (!msg.destroyed) msg.emit('error', err);
  });
}
const kBytesWritten = Symbol('kBytesWritten');

// strictContentLength holds the body to the Content-Length set (Node's).
function strictContentLength(msg) {
  return msg.strictContentLength && msg._contentLength != null && msg._hasBody && !msg._removedContLen &&
    !msg.chunkedEncoding && !msg.hasHeader('transfer-encoding');
}

OutgoingMessage.prototype.write = function write(chunk, encoding, callback) {
  if (typeof encoding === 'function') {
    callback = encoding;
    encoding = null;
  }
  if (chunk === null) throw codes.ERR_STREAM_NULL_VALUES();
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
    throw codes.ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'Uint8Array'], chunk);
  }
  let err;
  if (this.finished) err = codes.ERR_STREAM_WRITE_AFTER_END();
  else if (this.destroyed) err = codes.ERR_STREAM_DESTROYED('write');
  if (err) {
    if (!this.destroyed) onWriteError(this, err, callback);
    else if (typeof callback === 'function') process.nextTick(callback, err);
    return false;
  }
  return writeChunk(this, chunk, encoding, callback, false);
};

OutgoingMessage.prototype.end = function end(chunk, encoding, callback) {
  if (typeof chunk === 'function') {
    callback = chunk;
    chunk = null;
  } else if (typeof encoding === 'function') {
    callback = encoding;
    encoding = null;
  }
  if (chunk) {
    if (this.finished) {
      onWriteError(this, codes.ERR_STREAM_WRITE_AFTER_END(), callback);
      return this;
    }
    if (this.socket) this.socket.cork();
    writeChunk(this, chunk, encoding, null, true);
  } else if (this.finished) {
    if (typeof callback === 'function') process.nextTick(callback, codes.ERR_STREAM_ALREADY_FINISHED('end'));
    return this;
  } else if (!this._header) {
    if (this.socket) this.socket.cork();
    this._contentLength = 0;
    this._implicitHeader();
  }
  if (strictContentLength(this) && this[kBytesWritten] !== this._contentLength) {
    throw codes.ERR_HTTP_CONTENT_LENGTH_MISMATCH(this[kBytesWritten], this._contentLength);
  }
  if (typeof callback === 'function') this.once('finish', callback);
  const finish = () => this._finish();
  if (this._hasBody && this.chunkedEncoding) {
    // a string while the head is unsent: one write with it, as Node's (a
    // TLS socket sends it as one record)
    this._send(this._trailer ? `0\r\n${this._trailer}\r\n` : this._headerSent ? chunkEnd : '0\r\n\r\n', 'latin1', finish);
  } else if (!this._headerSent || this.writableLength || chunk) {
    this._send('', 'latin1', finish);
  } else {
    process.nextTick(finish);
  }
  if (this.socket) {
    // end() uncorks the connection fully (Node's)
    if (this.socket._writableState) this.socket._writableState.corked = 1;
    this.socket.uncork();
  }
  this.finished = true;
  if (this.outputData.length === 0 && this.socket && this.socket._httpMessage === this) {
    this._finish();
  }
  return this;
};

OutgoingMessage.prototype._finish = function _finish() {
  if (this._finishEmitted) return;
  this._finishEmitted = true;
  this.emit('prefinish');
  process.nextTick(() => {
    this.writableFinished = true;
    this.emit('finish');
  });
};

OutgoingMessage.prototype.addTrailers = function addTrailers(headers) {
  this._trailer = '';
  const keys = Array.isArray(headers) ? headers.map((h) => h[0]) : Object.keys(headers);
  for (let i = 0; i < keys.length; i++) {
    const field = keys[i];
    const value = Array.isArray(headers) ? headers[i][1] : headers[field];
    validateHeaderName(field, 'Trailer name');
    const several = Array.isArray(value) && value.length > 1 && !this[kUniqueHeaders]?.has(field.toLowerCase());
    const values = several ? value : [Array.isArray(value) ? value.join('; ') : value];
    for (const v of values) {
      if (badHeaderCharRe.test(v)) throw codes.ERR_INVALID_CHAR('trailer content', field);
      this._trailer += `${field}: ${v}${crlf}`;
    }
  }
};

OutgoingMessage.prototype.flushHeaders = function flushHeaders() {
  if (!this._header) this._implicitHeader();
  this._send('');
};

OutgoingMessage.prototype.cork = function cork() {
  if (this.socket) this.socket.cork();
  else this[kCorked] = (this[kCorked] || 0) + 1;
};
OutgoingMessage.prototype.uncork = function uncork() {
  if (this.socket) this.socket.uncork();
  else if (this[kCorked]) this[kCorked]--;
};
const kCorked = Symbol('kCorked');

OutgoingMessage.prototype.setTimeout = function setTimeout(msecs, callback) {
  if (callback) this.on('timeout', callback);
  if (!this.socket) this.once('socket', (socket) => socket.setTimeout(msecs));
  else this.socket.setTimeout(msecs);
  return this;
};

OutgoingMessage.prototype.destroy = function destroy(error) {
  if (this.destroyed) return this;
  this.destroyed = true;
  this.errored = error;
  if (this.socket) this.socket.destroy(error);
  else this.once('socket', (socket) => socket.destroy(error));
  return this;
};

Object.defineProperty(OutgoingMessage.prototype, 'writableLength', {
  configurable: true, get() { return this.outputSize + (this.socket ? this.socket.writableLength : 0); },
});
Object.defineProperty(OutgoingMessage.prototype, 'writableHighWaterMark', {
  configurable: true, get() { return this.socket ? this.socket.writableHighWaterMark : this._highWaterMark; },
});
Object.defineProperty(OutgoingMessage.prototype, 'writableCorked', {
  configurable: true, get() { return this.socket ? this.socket.writableCorked : (this[kCorked] || 0); },
});
Object.defineProperty(OutgoingMessage.prototype, 'writableNeedDrain', {
  configurable: true, get() { return !this.destroyed && !this.finished && !!this[kNeedDrain]; },
});
Object.defineProperty(OutgoingMessage.prototype, 'writableObjectMode', {
  configurable: true, get() { return false; },
});
Object.defineProperty(OutgoingMessage.prototype, 'connection', {
  configurable: true, get() { return this.socket; }, set(v) { this.socket = v; },
});

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


// ---- IncomingMessage ----------------------------------------------------------------

// Headers Node keeps once (a duplicate is dropped), and the ones it joins
// with '; ' (cookie) or keeps as an array (set-cookie); the rest join with ', '.
const singleHeaders = new Set(['content-type', 'content-length', 'user-agent', 'referer', 'host',
  'authorization', 'proxy-authorization', 'if-modified-since', 'if-unmodified-since', 'from',
  'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires']);

function addHeaderLine(dest, field, value, joinDuplicates) {
  const key = field.toLowerCase();
  if (key === 'set-cookie') {
    if (dest[key] !== undefined) dest[key].push(value);
    else dest[key] = [value];
  } else if (key === 'cookie' || !singleHeaders.has(key)) {
    // a delimited list
    if (typeof dest[key] === 'string') dest[key] += (key === 'cookie' ? '; ' : ', ') + value;
    else dest[key] = value;
  } else if (joinDuplicates) {
    if (dest[key] === undefined) dest[key] = value;
    else dest[key] += `, ${value}`;
  } else if (dest[key] === undefined) {
    dest[key] = value; // duplicates dropped
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
  const out = {};
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

class AgentClass extends EventEmitter {
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
    this.on('free', agentOnFree);
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
const Agent = callable(AgentClass);
Agent.defaultMaxSockets = Infinity;

let globalAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });

// ---- Server -------------------------------------------------------------------------------

// ---- ServerResponse: writing ----------------------------------------------------------

ServerResponse.prototype._implicitHeader = function _implicitHeader() {
  this.writeHead(this.statusCode);
};

ServerResponse.prototype.writeHead = function writeHead(statusCode, reason, obj) {
  if (this._header) throw codes.ERR_HTTP_HEADERS_SENT('write');
  const originalStatusCode = statusCode;
  statusCode |= 0;
  if (statusCode < 100 || statusCode > 999) throw codes.ERR_HTTP_INVALID_STATUS_CODE(originalStatusCode);
  if (typeof reason === 'string') {
    this.statusMessage = reason;
  } else {
    if (!this.statusMessage) this.statusMessage = STATUS_CODES[statusCode] || 'unknown';
    obj ??= reason;
  }
  this.statusCode = statusCode;
  let headers;
  if (this[kOutHeaders]) {
    if (obj) {
      if (Array.isArray(obj)) {
        if (obj.length && Array.isArray(obj[0])) {
          for (const [k, v] of obj) if (k) this.setHeader(k, v);
        } else {
          if (obj.length % 2 !== 0) throw codes.ERR_INVALID_ARG_VALUE('headers', obj);
          // the array's lines replace earlier ones but may repeat themselves
          for (let i = 0; i < obj.length; i += 2) this.removeHeader(obj[i]);
          for (let i = 0; i < obj.length; i += 2) if (obj[i]) this.appendHeader(obj[i], obj[i + 1]);
        }
      } else {
        for (const k of Object.keys(obj)) if (k) this.setHeader(k, obj[k]);
      }
    }
    headers = this[kOutHeaders];
  } else {
    headers = obj;
    if (headers && !Array.isArray(headers)) {
      for (const k of Object.keys(headers)) validateHeaderName(k);
    }
  }
  if (/[^\t\x20-\x7e\x80-\xff]/.test(this.statusMessage)) throw codes.ERR_INVALID_CHAR('statusMessage');
  const statusLine = `HTTP/1.1 ${statusCode} ${this.statusMessage}${crlf}`;
  if (statusCode === 204 || statusCode === 304 || (statusCode >= 100 && statusCode <= 199)) {
    this._hasBody = false;
  }
  if (this._expect_continue && !this._sent100) this.shouldKeepAlive = false;
  this._storeHeader(statusLine, headers);
  return this;
};
ServerResponse.prototype.writeHeader = ServerResponse.prototype.writeHead;

ServerResponse.prototype.writeContinue = function writeContinue(cb) {
  this._writeRaw(`HTTP/1.1 100 Continue${crlf}${crlf}`, 'ascii', cb);
  this._sent100 = true;
};

ServerResponse.prototype.writeProcessing = function writeProcessing(cb) {
  this._writeRaw(`HTTP/1.1 102 Processing${crlf}${crlf}`, 'ascii', cb);
};

const linkValueRe = /^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;
const linkFormat = 'must be an array or string of format "</styles.css>; rel=preload; as=style"';

function validateLinkHeaderValue(hints) {
  const check = (value) => {
    if (typeof value !== 'string' || !linkValueRe.test(value)) {
      throw codes.ERR_INVALID_ARG_VALUE('hints', value, linkFormat);
    }
  };
  if (typeof hints === 'string') {
    check(hints);
    return hints;
  }
  if (Array.isArray(hints)) {
    for (const link of hints) check(link);
    return hints.join(', ');
  }
  throw codes.ERR_INVALID_ARG_VALUE('hints', hints, linkFormat);
}

ServerResponse.prototype.writeEarlyHints = function writeEarlyHints(hints, cb) {
  let head = `HTTP/1.1 103 Early Hints${crlf}`;
  validateObject(hints, 'hints');
  if (hints.link === null || hints.link === undefined) return;
  const link = validateLinkHeaderValue(hints.link);
  if (link.length === 0) return;
  head += `Link: ${link}${crlf}`;
  for (const key of Object.keys(hints)) if (key !== 'link') head += `${key}: ${hints[key]}${crlf}`;
  this._writeRaw(head + crlf, 'ascii', cb);
};

ServerResponse.prototype.assignSocket = function assignSocket(socket) {
  if (socket._httpMessage) throw codes.ERR_HTTP_SOCKET_ASSIGNED();
  socket._httpMessage = this;
  socket.on('close', onServerResponseClose);
  this.socket = socket;
  this.emit('socket', socket);
  this._flush();
};

ServerResponse.prototype.detachSocket = function detachSocket(socket) {
  socket.removeListener('close', onServerResponseClose);
  socket._httpMessage = null;
  this.socket = null;
};

function emitCloseNT(res) {
  if (!res._closed) {
    res.destroyed = true;
    res._closed = true;
    res.emit('close');
  }
}

function onServerResponseClose() {
  const msg = this._httpMessage;
  if (msg) {
    msg.destroyed = true;
    msg._closed = true;
    msg.emit('close');
  }
}

// ---- the server's side of a connection ----------------------------------------------------

const { Parser, REQUEST, RESPONSE } = require('./internal/http-parser');

const kConnections = Symbol('kConnections');
const kConnectionsCheckingInterval = Symbol('http.server.connectionsCheckingInterval');
const kIncomingMessage = Symbol('IncomingMessage');
const kServerResponse = Symbol('ServerResponse');
const kUniqueHeaders = Symbol('kUniqueHeaders');

// The connections a server tracks, by their parsers: all of them, and the
// ones in the middle of a request (active) with when it began, for
// headersTimeout and requestTimeout (Node keeps this list in C++).
// A server's connections (their parsers); one is active from a message's
// first byte to its end (a flag: no set to update per request).
class ConnectionsList {
  constructor() {
    this.parsers = new Set();
  }

  push(parser) {
    parser.active = false;
    this.parsers.add(parser);
  }

  pop(parser) {
    parser.active = false;
    this.parsers.delete(parser);
  }

  pushActive(parser) {
    parser.lastMessageStart = performanceNow();
    parser.headersCompleted = false;
    parser.active = true;
  }

  popActive(parser) { parser.active = false; }

  all() { return [...this.parsers]; }
  idle() { return [...this.parsers].filter((p) => !p.active); }
  active() { return [...this.parsers].filter((p) => p.active); }

  expired(headersTimeout, requestTimeout) {
    const now = performanceNow();
    const out = [];
    for (const parser of this.parsers) {
      if (!parser.active) continue;
      const age = now - parser.lastMessageStart;
      if ((!parser.headersCompleted && headersTimeout > 0 && age > headersTimeout) ||
          (requestTimeout > 0 && age > requestTimeout)) {
        parser.active = false;
        out.push(parser);
      }
    }
    return out;
  }
}

// the loop's clock in ms (a number, no array per request): the timeouts are
// checked every connectionsCheckingInterval ms
function performanceNow() {
  return binding.timers.now();
}

function setupConnectionsTracking() {
  if (!this[kConnections]) this[kConnections] = new ConnectionsList();
  if (this[kConnectionsCheckingInterval]) clearInterval(this[kConnectionsCheckingInterval]);
  // started whatever the timeouts are now: they may be changed later
  this[kConnectionsCheckingInterval] =
    setInterval(checkConnections.bind(this), this.connectionsCheckingInterval).unref();
}

function checkConnections() {
  const headersTimeout = Number.isFinite(this.headersTimeout) && this.headersTimeout >= 0 ? this.headersTimeout : 0;
  const requestTimeout = Number.isFinite(this.requestTimeout) && this.requestTimeout >= 0 ? this.requestTimeout : 0;
  if (headersTimeout === 0 && requestTimeout === 0) return;
  for (const parser of this[kConnections].expired(headersTimeout, requestTimeout)) {
    if (parser.socket) socketOnError.call(parser.socket, codes.ERR_HTTP_REQUEST_TIMEOUT());
  }
}

function connectionListener(socket) {
  const server = this;
  socket.server = server;
  if (server.timeout && typeof socket.setTimeout === 'function') socket.setTimeout(server.timeout);
  socket.on('timeout', socketOnTimeout);
  const parser = parsers.alloc();
  parser.initialize(REQUEST, server.maxHeaderSize || maxHeaderSize, !!server.insecureHTTPParser);
  parser.socket = socket;
  parser.incoming = null;
  parser.connections = server[kConnections] || null;
  socket.parser = parser;
  if (typeof server.maxHeadersCount === 'number') parser.maxHeaderPairs = server.maxHeadersCount << 1;
  if (parser.connections) {
    parser.connections.push(parser);
    parser.connections.pushActive(parser);
  }
  const state = {
    onData: null, onEnd: null, onClose: null, onDrain: null,
    outgoing: [], incoming: [], outgoingData: 0, requestsCount: 0, keepAliveTimeoutSet: false,
  };
  state.onData = (d) => serverSocketOnData(server, socket, parser, state, d);
  state.onEnd = () => serverSocketOnEnd(server, socket, parser, state);
  state.onClose = () => serverSocketOnClose(socket, state);
  state.onDrain = () => serverSocketOnDrain(socket, state);
  socket.on('error', socketOnError);
  socket.on('end', state.onEnd);
  socket.on('close', state.onClose);
  socket.on('drain', state.onDrain);
  parser.onBegin = parserOnBegin;
  parser.onHeaders = function onHeaders(info) { parserOnHeadersServer(server, socket, state, this, info); };
  parser.onBody = parserOnBody;
  parser.onDone = parserOnMessageCompleteServer;
  socket.setEncoding = socketSetEncoding;
  socket._paused = false;
  socket.on('data', state.onData);
  consume(socket, state.onData);
}

function parserOnBegin() {
  if (this.connections) this.connections.pushActive(this);
}

function parserOnMessageCompleteServer(trailers) {
  if (this.connections) this.connections.popActive(this);
  parserOnMessageComplete.call(this, trailers);
}

function parserOnHeadersServer(server, socket, state, parser, info) {
  parser.headersCompleted = true;
  const IncomingCtor = server[kIncomingMessage] || IncomingMessage;
  const req = new IncomingCtor(socket);
  req.httpVersionMajor = info.versionMajor;
  req.httpVersionMinor = info.versionMinor;
  req.httpVersion = `${info.versionMajor}.${info.versionMinor}`;
  req.joinDuplicateHeaders = !!server.joinDuplicateHeaders;
  let n = info.headers.length;
  if (parser.maxHeaderPairs > 0) n = Math.min(n, parser.maxHeaderPairs);
  req._addHeaderLines(info.headers, n);
  req.method = info.method;
  req.url = info.url;
  req.upgrade = info.upgrade;
  parser.incoming = req;
  parserOnIncoming(server, socket, state, req, info.shouldKeepAlive);
}

function socketOnTimeout() {
  const req = this.parser?.incoming;
  const reqTimeout = req && !req.complete && req.emit('timeout', this);
  const res = this._httpMessage;
  const resTimeout = res && res.emit('timeout', this);
  const serverTimeout = this.server.emit('timeout', this);
  if (!reqTimeout && !resTimeout && !serverTimeout) this.destroy();
}

function serverSocketOnClose(socket, state) {
  freeParser(socket.parser, null, socket);
  abortIncoming(state.incoming);
  abortIncoming(state.outgoing);
}

function abortIncoming(list) {
  while (list.length) list.shift().destroy(connResetException('aborted'));
}

function serverSocketOnEnd(server, socket, parser, state) {
  const ret = parser.handle ? parser.finish() : 0;
  if (ret instanceof Error) {
    socketOnError.call(socket, ret);
  } else if (!server.httpAllowHalfOpen) {
    socket.end();
  } else if (state.outgoing.length) {
    state.outgoing[state.outgoing.length - 1]._last = true;
  } else if (socket._httpMessage) {
    socket._httpMessage._last = true;
  } else if (socket.writable) {
    socket.end();
  }
}

function serverSocketOnData(server, socket, parser, state, d) {
  if (!parser.handle) return;
  parser.noUpgrade = server.listenerCount('upgrade') === 0;
  const ret = parser.execute(d);
  onParserExecuteCommon(server, socket, parser, state, ret, d);
}

function updateOutgoingData(socket, state, delta) {
  state.outgoingData += delta;
  serverSocketOnDrain(socket, state);
}

function serverSocketOnDrain(socket, state) {
  const needPause = state.outgoingData > socket.writableHighWaterMark;
  if (socket._paused && !needPause) {
    socket._paused = false;
    socket.resume();
  }
  const msg = socket._httpMessage;
  if (msg && !msg.finished && msg[kNeedDrain]) {
    msg[kNeedDrain] = false;
    msg.emit('drain');
  }
}

const badRequestResponse = `HTTP/1.1 400 ${STATUS_CODES[400]}\r\nConnection: close\r\n\r\n`;
const requestTimeoutResponse = `HTTP/1.1 408 ${STATUS_CODES[408]}\r\nConnection: close\r\n\r\n`;
const headerFieldsTooLargeResponse = `HTTP/1.1 431 ${STATUS_CODES[431]}\r\nConnection: close\r\n\r\n`;
const chunkExtensionsTooLargeResponse = `HTTP/1.1 413 ${STATUS_CODES[413]}\r\nConnection: close\r\n\r\n`;

function noop() {}

function socketOnError(e) {
  // later errors are ignored
  this.removeListener('error', socketOnError);
  if (this.listenerCount('error') === 0) this.on('error', noop);
  if (!this.server.emit('clientError', e, this)) {
    // an answer only when no response has started on the wire
    if (this.writable && (!this._httpMessage || !this._httpMessage._headerSent)) {
      let response;
      switch (e.code) {
        case 'HPE_HEADER_OVERFLOW': response = headerFieldsTooLargeResponse; break;
        case 'HPE_CHUNK_EXTENSIONS_OVERFLOW': response = chunkExtensionsTooLargeResponse; break;
        case 'ERR_HTTP_REQUEST_TIMEOUT': response = requestTimeoutResponse; break;
        default: response = badRequestResponse; break;
      }
      this.write(response);
    }
    this.destroy(e);
  }
}

function onParserExecuteCommon(server, socket, parser, state, ret, d) {
  if (ret instanceof Error) {
    ret.rawPacket = ret.rawPacket || d;
    socketOnError.call(socket, ret);
  } else if (parser.incoming && parser.incoming.upgrade) {
    const req = parser.incoming;
    consume(socket, null);
    socket.removeListener('data', state.onData);
    socket.removeListener('end', state.onEnd);
    socket.removeListener('close', state.onClose);
    socket.removeListener('drain', state.onDrain);
    socket.removeListener('error', socketOnError);
    socket.removeListener('timeout', socketOnTimeout);
    freeParser(parser, req, socket);
    const eventName = req.method === 'CONNECT' ? 'connect' : 'upgrade';
    if (eventName === 'upgrade' || server.listenerCount(eventName) > 0) {
      const bodyHead = Buffer.from(d.subarray(ret));
      socket.readableFlowing = null;
      server.emit(eventName, req, socket, bodyHead);
    } else {
      socket.destroy();
    }
  } else if (parser.incoming && parser.incoming.method === 'PRI') {
    socket.destroy();
  }
}

function clearIncoming(req) {
  req = req || this;
  const parser = req.socket && req.socket.parser;
  if (parser && parser.incoming === req) {
    if (req.readableEnded) parser.incoming = null;
    else req.on('end', clearIncoming);
  }
}

function resOnFinish(req, res, socket, state, server) {
  dcChannels.publish('http.server.response.finish', () => ({ request: req, response: res, socket, server }));
  state.incoming.shift();
  // a body nobody reads is read off the wire
  if (!req._consuming && !req._readableState.resumeScheduled) req._dump();
  res.detachSocket(socket);
  clearIncoming(req);
  process.nextTick(emitCloseNT, res);
  if (res._last) {
    if (typeof socket.destroySoon === 'function') socket.destroySoon();
    else socket.end();
  } else if (state.outgoing.length === 0) {
    if (server.keepAliveTimeout && typeof socket.setTimeout === 'function') {
      // a second more than advertised, so a client's reuse at the edge
      // does not meet a closed connection (Node's buffer)
      socket.setTimeout(server.keepAliveTimeout + 1000);
      state.keepAliveTimeoutSet = true;
    }
  } else {
    const m = state.outgoing.shift();
    if (m) m.assignSocket(socket);
  }
}

const continueExpression = /(?:^|\W)100-continue(?:$|\W)/i;

function parserOnIncoming(server, socket, state, req, keepAlive) {
  if (state.keepAliveTimeoutSet) {
    socket.setTimeout(server.timeout || 0);
    state.keepAliveTimeoutSet = false;
  }
  if (req.upgrade) {
    req.upgrade = req.method === 'CONNECT' || server.listenerCount('upgrade') > 0;
    if (req.upgrade) return;
  }
  state.incoming.push(req);
  // a client that does not read its answers: stop reading its requests
  if (!socket._paused) {
    const ws = socket._writableState;
    if ((ws && ws.needDrain) || state.outgoingData >= socket.writableHighWaterMark) {
      socket._paused = true;
      socket.pause();
    }
  }
  const ResponseCtor = server[kServerResponse] || ServerResponse;
  const res = new ResponseCtor(req, { highWaterMark: socket.writableHighWaterMark });
  dcChannels.publish('http.server.response.created', () => ({ request: req, response: res }));
  res._keepAliveTimeout = server.keepAliveTimeout;
  res._maxRequestsPerSocket = server.maxRequestsPerSocket;
  res._onPendingData = (delta) => updateOutgoingData(socket, state, delta);
  res.shouldKeepAlive = keepAlive && res.shouldKeepAlive;
  res[kUniqueHeaders] = server[kUniqueHeaders];
  if (server.rejectNonStandardBodyWrites) res[kRejectNonStandardBodyWrites] = true;
  if (socket._httpMessage) state.outgoing.push(res);
  else res.assignSocket(socket);
  res.on('finish', () => resOnFinish(req, res, socket, state, server));
  dcChannels.publish('http.server.request.start', () => ({ request: req, response: res, socket, server }));
  let handled = false;
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
    if (server.requireHostHeader && req.headers.host === undefined) {
      res.writeHead(400, ['Connection', 'close']);
      res.end();
      return;
    }
    const limitSet = typeof server.maxRequestsPerSocket === 'number' && server.maxRequestsPerSocket > 0;
    if (limitSet) {
      state.requestsCount++;
      res.maxRequestsOnConnectionReached = server.maxRequestsPerSocket <= state.requestsCount;
    }
    if (limitSet && server.maxRequestsPerSocket < state.requestsCount) {
      handled = true;
      server.emit('dropRequest', req, socket);
      res.writeHead(503);
      res.end();
    } else if (req.headers.expect !== undefined) {
      handled = true;
      if (continueExpression.test(req.headers.expect)) {
        res._expect_continue = true;
        if (server.listenerCount('checkContinue') > 0) {
          server.emit('checkContinue', req, res);
        } else {
          res.writeContinue();
          server.emit('request', req, res);
        }
      } else if (server.listenerCount('checkExpectation') > 0) {
        server.emit('checkExpectation', req, res);
      } else {
        res.writeHead(417);
        res.end();
      }
    }
  }
  if (!handled) server.emit('request', req, res);
}

function parseUniqueHeadersOption(headers) {
  if (!Array.isArray(headers)) return null;
  return new Set(headers.map((h) => h.toLowerCase()));
}

function socketSetEncoding() {
  throw codes.ERR_HTTP_SOCKET_ENCODING();
}

// Destroying a message cut short destroys its connection too (Node's);
// the error reaches 'error' only when someone listens.
IncomingMessage.prototype._destroy = function _destroy(err, cb) {
  if (!this.readableEnded || !this.complete) {
    this.aborted = true;
    this.emit('aborted');
  }
  const done = () => process.nextTick(() => cb(this.listenerCount('error') === 0 ? undefined : err));
  if (this.socket && !this.socket.destroyed && this.aborted) {
    this.socket.destroy(err);
    this.socket.once('close', done);
  } else {
    done();
  }
};

IncomingMessage.prototype._dump = function _dump() {
  if (!this._dumped) {
    this._dumped = true;
    this.removeAllListeners('data');
    this.resume();
  }
};

IncomingMessage.prototype._read = function _read() {
  if (!this._consuming) {
    this._readableState.readingMore = false;
    this._consuming = true;
  }
  if (this.socket && this.socket.readable && this.socket.isPaused && this.socket.isPaused()) {
    this.socket.resume();
  }
};

IncomingMessage.prototype.setTimeout = function setTimeout(msecs, callback) {
  if (callback) this.on('timeout', callback);
  if (this.socket) this.socket.setTimeout(msecs);
  return this;
};

const BaseServer = serverClass('http');
class ServerClass extends BaseServer {
  constructor(options, requestListener) {
    super(options, requestListener);
    this[kIncomingMessage] = this[kHTTPOptions].IncomingMessage || IncomingMessage;
    this[kServerResponse] = this[kHTTPOptions].ServerResponse || ServerResponse;
    this[kUniqueHeaders] = parseUniqueHeadersOption(this[kHTTPOptions].uniqueHeaders);
    this.on('connection', connectionListener);
    this.on('listening', setupConnectionsTracking);
  }

  // closing the server also ends its idle keep-alive connections (Node 19+)
  close(callback) {
    this.closeIdleConnections();
    clearInterval(this[kConnectionsCheckingInterval]);
    return super.close(callback);
  }

  // a rejected async 'request' listener answers 500 (or ends the response)
  [Symbol.for('nodejs.rejection')](err, event, ...args) {
    if (event === 'request') {
      const res = args[1];
      if (!res.headersSent && !res.writableEnded) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        res.statusCode = 500;
        res.end(STATUS_CODES[500]);
      } else {
        res.destroy();
      }
      return;
    }
    super[Symbol.for('nodejs.rejection')](err, event, ...args);
  }

  closeAllConnections() {
    if (!this[kConnections]) return;
    for (const parser of this[kConnections].all()) parser.socket?.destroy();
  }

  closeIdleConnections() {
    if (!this[kConnections]) return;
    for (const parser of this[kConnections].idle()) {
      const socket = parser.socket;
      if (!socket || (socket._httpMessage && !socket._httpMessage.finished)) continue;
      socket.destroy();
    }
  }

  [Symbol.asyncDispose]() {
    return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
  }
}
const Server = callable(ServerClass, { allowCall: true });

// https.Server is a tls.Server that serves HTTP: the same request and
// response classes, connection tracking and closing methods.
function setupHttpsServer(server) {
  server[kIncomingMessage] = server[kHTTPOptions].IncomingMessage || IncomingMessage;
  server[kServerResponse] = server[kHTTPOptions].ServerResponse || ServerResponse;
  server[kUniqueHeaders] = parseUniqueHeadersOption(server[kHTTPOptions].uniqueHeaders);
  server.on('listening', setupConnectionsTracking);
}


// ---- the client -------------------------------------------------------------------------

function connResetException(msg) {
  const err = new Error(msg);
  err.code = 'ECONNRESET';
  return err;
}

const invalidPathRe = /[^\u0021-\u00ff]/;
const noBodyMethods = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

function ClientRequest(input, options, cb) {
  OutgoingMessage.call(this);
  if (typeof input === 'string') {
    input = urlToHttpOptions(new URL(input));
  } else if (input instanceof URL) {
    input = urlToHttpOptions(input);
  } else {
    cb = options;
    options = input;
    input = null;
  }
  if (typeof options === 'function') {
    cb = options;
    options = input || {};
  } else {
    options = Object.assign(input || {}, options);
  }
  let agent = options.agent;
  const defaultAgent = options._defaultAgent || globalAgent;
  if (agent === false) {
    agent = new defaultAgent.constructor();
  } else if (agent === null || agent === undefined) {
    if (typeof options.createConnection !== 'function') agent = defaultAgent;
    options.agent = agent;
  } else if (typeof agent.addRequest !== 'function') {
    throw codes.ERR_INVALID_ARG_TYPE('options.agent', ['Agent-like Object', 'undefined', 'false'], agent);
  }
  this.agent = agent;
  const protocol = options.protocol || defaultAgent.protocol;
  let expectedProtocol = defaultAgent.protocol;
  if (this.agent?.protocol) expectedProtocol = this.agent.protocol;
  if (options.path && invalidPathRe.test(String(options.path))) {
    throw codes.ERR_UNESCAPED_CHARACTERS('Request path');
  }
  if (protocol !== expectedProtocol) throw codes.ERR_INVALID_PROTOCOL(protocol, expectedProtocol);
  const defaultPort = options.defaultPort || this.agent?.defaultPort;
  const port = options.port = options.port || defaultPort || 80;
  const host = options.host = validateHost(options.hostname, 'hostname') ||
    validateHost(options.host, 'host') || 'localhost';
  const setDefaultHeaders = options.setDefaultHeaders === undefined || Boolean(options.setDefaultHeaders);
  const setHost = options.setHost === undefined ? setDefaultHeaders : Boolean(options.setHost);
  if (!setDefaultHeaders) this[kNoDefaultHeaders] = true;
  this.socketPath = options.socketPath;
  if (options.timeout !== undefined) this.timeout = getTimerDuration(options.timeout, 'timeout');
  let method = options.method;
  if (method != null) validateString(method, 'options.method');
  method = (method || 'GET').toUpperCase();
  if (!tokenRe.test(method)) throw codes.ERR_INVALID_HTTP_TOKEN('Method', method);
  this.method = method;
  if (options.maxHeaderSize !== undefined) validateInteger(options.maxHeaderSize, 'maxHeaderSize', 0);
  if (options.insecureHTTPParser !== undefined && typeof options.insecureHTTPParser !== 'boolean') {
    throw codes.ERR_INVALID_ARG_TYPE('options.insecureHTTPParser', 'boolean', options.insecureHTTPParser);
  }
  this.path = options.path || '/';
  if (cb) this.once('response', cb);
  this.useChunkedEncodingByDefault = !noBodyMethods.has(this.method);
  this._ended = false;
  this.res = null;
  this.aborted = false;
  this.timeoutCb = null;
  this.upgradeOrConnect = false;
  this.parser = null;
  this.maxHeadersCount = null;
  this.reusedSocket = false;
  this.host = host;
  this.protocol = protocol;
  this.maxHeaderSize = options.maxHeaderSize;
  this.insecureHTTPParser = options.insecureHTTPParser;
  this.joinDuplicateHeaders = options.joinDuplicateHeaders;
  if (this.agent) {
    if (!this.agent.keepAlive && !Number.isFinite(this.agent.maxSockets)) {
      this._last = true;
      this.shouldKeepAlive = false;
    } else {
      this._last = false;
      this.shouldKeepAlive = true;
    }
  }
  this[kUniqueHeaders] = parseUniqueHeadersOption(options.uniqueHeaders);
  const headersArray = Array.isArray(options.headers);
  if (!headersArray) {
    if (options.headers) {
      for (const key of Object.keys(options.headers)) this.setHeader(key, options.headers[key]);
    }
    if (host && !this.getHeader('host') && setHost) {
      let hostHeader = host;
      const posColon = hostHeader.indexOf(':');
      if (posColon !== -1 && hostHeader.includes(':', posColon + 1) && hostHeader.charCodeAt(0) !== 91) {
        hostHeader = `[${hostHeader}]`;
      }
      if (port && +port !== defaultPort) hostHeader += `:${port}`;
      this.setHeader('Host', hostHeader);
    }
    if (options.auth && !this.getHeader('Authorization')) {
      this.setHeader('Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`);
    }
    if (this.getHeader('expect')) {
      if (this._header) throw codes.ERR_HTTP_HEADERS_SENT('render');
      // the head goes out at once, with the keep-alive it has now (Node's order)
      this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`, this[kOutHeaders]);
    }
  } else {
    this[kRawHeaders] = options.headers;
  }
  const signal = options.signal;
  if (signal) {
    const onAbort = () => this.destroy(abortError(signal.reason));
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      this.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  const optsWithoutSignal = { __proto__: null, ...options };
  delete optsWithoutSignal.signal;
  if (this.agent) {
    this.agent.addRequest(this, optsWithoutSignal);
  } else {
    this._last = true;
    this.shouldKeepAlive = false;
    let called = false;
    const oncreate = (err, socket) => {
      if (called) return;
      called = true;
      if (err) {
        process.nextTick(emitErrorEvent, this, err);
        return;
      }
      this.onSocket(socket);
    };
    if (typeof optsWithoutSignal.createConnection === 'function') {
      const socket = optsWithoutSignal.createConnection(optsWithoutSignal, oncreate);
      if (socket) oncreate(null, socket);
    } else {
      this.onSocket(net.createConnection(optsWithoutSignal));
    }
  }
  dcChannels.publish('http.client.request.created', () => ({ request: this }));
}
Object.setPrototypeOf(ClientRequest.prototype, OutgoingMessage.prototype);
Object.setPrototypeOf(ClientRequest, OutgoingMessage);

ClientRequest.prototype._finish = function _finish() {
  if (this._finishEmitted) return;
  Reflect.apply(OutgoingMessage.prototype._finish, this, []);
  dcChannels.publish('http.client.request.start', () => ({ request: this }));
};

// A client request's 'error', told first on http.client.request.error.
function emitErrorEvent(request, error) {
  dcChannels.publish('http.client.request.error', () => ({ request, error }));
  request.emit('error', error);
}

const kRawHeaders = Symbol('kRawHeaders');


function validateHost(host, name) {
  if (host !== null && host !== undefined && typeof host !== 'string') {
    throw codes.ERR_INVALID_ARG_TYPE(`options.${name}`, ['string', 'undefined', 'null'], host);
  }
  return host;
}

const TIMEOUT_MAX = 2 ** 31 - 1;

function getTimerDuration(msecs, name) {
  validateNumber(msecs, name);
  if (msecs < 0 || !Number.isFinite(msecs)) throw codes.ERR_OUT_OF_RANGE(name, 'a non-negative finite number', msecs);
  if (msecs > TIMEOUT_MAX) {
    process.emitWarning(`${msecs} does not fit into a 32-bit signed integer.` +
      `\nTimer duration was truncated to ${TIMEOUT_MAX}.`, 'TimeoutOverflowWarning');
    return TIMEOUT_MAX;
  }
  return msecs;
}

function urlToHttpOptions(url) {
  const options = {
    ...url, // what a program added to its URL object
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ''}${url.search || ''}`,
    href: url.href,
  };
  if (url.port !== '') options.port = Number(url.port);
  if (url.username || url.password) {
    options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  }
  return options;
}

ClientRequest.prototype._implicitHeader = function _implicitHeader() {
  if (this._header) throw codes.ERR_HTTP_HEADERS_SENT('render');
  this._storeHeader(`${this.method} ${this.path} HTTP/1.1\r\n`,
    this[kRawHeaders] || this[kOutHeaders]);
};

ClientRequest.prototype.abort = function abort() {
  if (this.aborted) return;
  this.aborted = true;
  process.nextTick(() => this.emit('abort'));
  this.destroy();
};

ClientRequest.prototype.destroy = function destroy(err) {
  if (this.destroyed) return this;
  this.destroyed = true;
  if (this.res) this.res._dump();
  this[kError] = err;
  // without a socket yet, onSocket finishes the job
  if (this.socket) this.socket.destroy(err);
  return this;
};
const kError = Symbol('kError');

ClientRequest.prototype.onSocket = function onSocket(socket, err) {
  process.nextTick(onSocketNT, this, socket, err);
};

function onSocketNT(req, socket, err) {
  if (req.destroyed || err) {
    req.destroyed = true;
    const done = (e) => {
      if (!req.aborted && !e) e = connResetException('socket hang up');
      if (e) emitErrorEvent(req, e);
      req._closed = true;
      req.emit('close');
    };
    if (socket) {
      if (!err && req.agent && !socket.destroyed) {
        socket.emit('free');
      } else {
        finished(socket.destroy(err || req[kError]), (er) => {
          if (er?.code === 'ERR_STREAM_PREMATURE_CLOSE') er = null;
          done(er || err);
        });
        return;
      }
    }
    done(err || req[kError]);
    return;
  }
  tickOnSocket(req, socket);
  req._flush();
}

// The request takes the connection: a response parser and the socket's
// listeners (named functions, one of each, as Node installs them).
function tickOnSocket(req, socket) {
  const lenient = req.insecureHTTPParser === undefined ? false : req.insecureHTTPParser;
  const parser = parsers.alloc();
  parser.initialize(RESPONSE, req.maxHeaderSize || maxHeaderSize, lenient);
  parser.socket = socket;
  parser.outgoing = req;
  parser.incoming = null;
  req.socket = socket;
  req.parser = parser;
  socket.parser = parser;
  socket._httpMessage = req;
  if (typeof req.maxHeadersCount === 'number') parser.maxHeaderPairs = req.maxHeadersCount << 1;
  if (req.method === 'HEAD') parser.skipBody = true;
  if (req.method === 'CONNECT') parser.connect = true;
  parser.onHeaders = parserOnHeadersClient;
  parser.onBody = parserOnBody;
  parser.onDone = parserOnMessageComplete;
  socket.on('error', socketErrorListener);
  socket.on('data', socketOnData);
  socket.on('end', socketOnEnd);
  socket.on('close', socketCloseListener);
  socket.on('drain', ondrain);
  if (req.timeout !== undefined || (req.agent && req.agent.options && req.agent.options.timeout)) {
    listenSocketTimeout(req);
  }
  req.emit('socket', socket);
}

// Parsers are kept for reuse, up to parsers.max (setMaxIdleHTTPParsers).
const parsers = {
  name: 'parsers',
  max: 1000,
  list: [],
  alloc() {
    return this.list.length ? this.list.pop() : new Parser(REQUEST, maxHeaderSize, false);
  },
  free(parser) {
    if (this.list.length < this.max) {
      this.list.push(parser);
      return true;
    }
    return false;
  },
};

function freeParser(parser, req, socket) {
  if (parser) {
    parser.onBegin = null;
    parser.onHeaders = null;
    parser.onBody = null;
    parser.onDone = null;
    parser.socket = null;
    parser.incoming = null;
    parser.outgoing = null;
    parser.remove();
    parser.generation++; // what is left of its current answer is dropped
    if (parsers.free(parser) === false) setImmediate(() => parser.close());
    else parser.free();
  }
  if (req) req.parser = null;
  if (socket) socket.parser = null;
}

function statusIsInformational(status) {
  return status < 200 && status >= 100 && status !== 101;
}

function parserOnHeadersClient(info) {
  const parser = this;
  const socket = parser.socket;
  const req = socket._httpMessage;
  const res = new IncomingMessage(socket);
  res.httpVersionMajor = info.versionMajor;
  res.httpVersionMinor = info.versionMinor;
  res.httpVersion = `${info.versionMajor}.${info.versionMinor}`;
  res.joinDuplicateHeaders = !!req.joinDuplicateHeaders;
  let n = info.headers.length;
  if (parser.maxHeaderPairs > 0) n = Math.min(n, parser.maxHeaderPairs);
  res._addHeaderLines(info.headers, n);
  res.statusCode = info.statusCode;
  res.statusMessage = info.statusMessage;
  res.upgrade = info.upgrade;
  parser.incoming = res;
  if (req.res) {
    // a second response to one request
    socket.destroy();
    return;
  }
  req.res = res;
  if (res.upgrade) return;
  if (req.method === 'CONNECT') {
    res.upgrade = true;
    return;
  }
  if (statusIsInformational(res.statusCode)) {
    req.res = null;
    parser.incoming = null;
    if (res.statusCode === 100) req.emit('continue');
    req.emit('information', {
      statusCode: res.statusCode,
      statusMessage: res.statusMessage,
      httpVersion: res.httpVersion,
      httpVersionMajor: res.httpVersionMajor,
      httpVersionMinor: res.httpVersionMinor,
      headers: res.headers,
      rawHeaders: res.rawHeaders,
    });
    return;
  }
  if (req.shouldKeepAlive && !info.shouldKeepAlive && !req.upgradeOrConnect) req.shouldKeepAlive = false;
  res.req = req;
  dcChannels.publish('http.client.response.finish', () => ({ request: req, response: res }));
  // ours first: the connection is cleaned up whatever the user's handlers do
  res.on('end', responseOnEnd);
  req.on('prefinish', requestOnPrefinish);
  socket.on('timeout', responseOnTimeout);
  if (req.aborted || !req.emit('response', res)) res._dump();
  if (res.statusCode === 304) res.complete = true;
}

function parserOnBody(chunk) {
  const stream = this.incoming;
  if (!stream || stream._dumped) return;
  if (!stream.push(Buffer.from(chunk)) && this.socket) this.socket.pause();
}

function parserOnMessageComplete(trailers) {
  const stream = this.incoming;
  if (stream) { // none after an informational response
    stream.complete = true;
    if (trailers.length) stream._addHeaderLines(trailers, trailers.length);
    stream.push(null);
  }
  // the next message is read even if this one's body paused the socket
  // (Node's readStart: a keep-alive connection does not stall)
  const socket = this.socket;
  if (socket && !socket._paused && socket.readable) socket.resume();
}

function socketOnData(d) {
  const socket = this;
  const req = this._httpMessage;
  const parser = this.parser;
  if (!parser) return;
  const ret = parser.execute(d);
  if (ret instanceof Error) {
    freeParser(parser, req, socket);
    socket.removeListener('data', socketOnData);
    socket.removeListener('end', socketOnEnd);
    socket.destroy();
    req.socket._hadError = true;
    emitErrorEvent(req, ret);
  } else if (parser.incoming && parser.incoming.upgrade) {
    const res = parser.incoming;
    req.res = res;
    socket.removeListener('data', socketOnData);
    socket.removeListener('end', socketOnEnd);
    socket.removeListener('drain', ondrain);
    if (req.timeoutCb) socket.removeListener('timeout', req.timeoutCb);
    socket.removeListener('timeout', responseOnTimeout);
    freeParser(parser, req, socket);
    const bodyHead = Buffer.from(d.subarray(ret));
    const eventName = req.method === 'CONNECT' ? 'connect' : 'upgrade';
    if (req.listenerCount(eventName) > 0) {
      req.upgradeOrConnect = true;
      socket.emit('agentRemove');
      socket.removeListener('close', socketCloseListener);
      socket.removeListener('error', socketErrorListener);
      socket._httpMessage = null;
      socket.readableFlowing = null;
      req.emit(eventName, res, socket, bodyHead);
      req.destroyed = true;
      req._closed = true;
      req.emit('close');
    } else {
      socket.destroy();
    }
  } else if (parser.incoming && parser.incoming.complete && !statusIsInformational(parser.incoming.statusCode)) {
    socket.removeListener('data', socketOnData);
    socket.removeListener('end', socketOnEnd);
    socket.removeListener('drain', ondrain);
    freeParser(parser, req, socket);
  }
}

function socketOnEnd() {
  const socket = this;
  const req = this._httpMessage;
  const parser = this.parser;
  if (!req.res && !req.socket._hadError) {
    // the connection ended before a response
    req.socket._hadError = true;
    emitErrorEvent(req, connResetException('socket hang up'));
  }
  if (parser) {
    parser.finish(); // a body read till the end is complete now
    freeParser(parser, req, socket);
  }
  socket.destroy();
}

function socketErrorListener(err) {
  const socket = this;
  const req = socket._httpMessage;
  if (req) {
    req.socket._hadError = true;
    emitErrorEvent(req, err);
  }
  const parser = socket.parser;
  if (parser) {
    parser.finish();
    freeParser(parser, req, socket);
  }
  socket.removeListener('data', socketOnData);
  socket.removeListener('end', socketOnEnd);
  socket.destroy();
}

function socketCloseListener() {
  const socket = this;
  const req = socket._httpMessage;
  const parser = socket.parser;
  const res = req.res;
  req.destroyed = true;
  if (res) {
    if (!res.complete) res.destroy(connResetException('aborted'));
    req._closed = true;
    req.emit('close');
    if (!res.aborted && res.readable) res.push(null);
  } else {
    if (!req.socket._hadError) {
      req.socket._hadError = true;
      emitErrorEvent(req, connResetException('socket hang up'));
    }
    req._closed = true;
    req.emit('close');
  }
  if (req.outputData) req.outputData.length = 0;
  if (parser) {
    parser.finish();
    freeParser(parser, req, socket);
  }
}

function ondrain() {
  const msg = this._httpMessage;
  if (msg && !msg.finished && msg[kNeedDrain]) {
    msg[kNeedDrain] = false;
    msg.emit('drain');
  }
}

function responseOnEnd() {
  const req = this.req;
  const socket = req.socket;
  if (socket) {
    if (req.timeoutCb) socket.removeListener('timeout', emitRequestTimeout);
    socket.removeListener('timeout', responseOnTimeout);
  }
  req._ended = true;
  if (!req.shouldKeepAlive) {
    if (socket.writable) {
      if (typeof socket.destroySoon === 'function') socket.destroySoon();
      else socket.end();
    }
  } else if (req.finished && !this.aborted) {
    responseKeepAlive(req);
  }
}

function requestOnPrefinish() {
  if (this.shouldKeepAlive && this._ended) responseKeepAlive(this);
}

// The response is over and the connection may serve another request:
// 'free' once the user's 'end' handlers have run.
function responseKeepAlive(req) {
  const socket = req.socket;
  if (req.timeoutCb) {
    socket.setTimeout(0, req.timeoutCb);
    req.timeoutCb = null;
  }
  socket.removeListener('close', socketCloseListener);
  socket.removeListener('error', socketErrorListener);
  socket.removeListener('data', socketOnData);
  socket.removeListener('end', socketOnEnd);
  process.nextTick(emitFreeNT, req);
  req.destroyed = true;
  if (req.res) req.res.socket = null; // destroying the response leaves the socket be
}

function emitFreeNT(req) {
  req._closed = true;
  req.emit('close');
  if (req.socket) req.socket.emit('free');
}

function responseOnTimeout() {
  const req = this._httpMessage;
  if (!req) return;
  const res = req.res;
  if (!res) return;
  res.emit('timeout');
}

function emitRequestTimeout() {
  const req = this._httpMessage;
  if (req) req.emit('timeout');
}

function listenSocketTimeout(req) {
  if (req.timeoutCb) return;
  req.timeoutCb = emitRequestTimeout;
  if (req.socket) req.socket.once('timeout', emitRequestTimeout);
  else req.on('socket', (socket) => socket.once('timeout', emitRequestTimeout));
}

ClientRequest.prototype._deferToConnect = function _deferToConnect(method, args) {
  const call = () => {
    if (method) this.socket[method](...args);
  };
  const onSocket = () => {
    if (this.socket.writable) call();
    else this.socket.once('connect', call);
  };
  if (!this.socket) this.once('socket', onSocket);
  else onSocket();
};

ClientRequest.prototype.setTimeout = function setTimeout(msecs, callback) {
  if (this._ended) return this;
  listenSocketTimeout(this);
  msecs = getTimerDuration(msecs, 'msecs');
  if (callback) this.once('timeout', callback);
  const set = (sock) => {
    if (sock.connecting) sock.once('connect', () => sock.setTimeout(msecs));
    else sock.setTimeout(msecs);
  };
  if (this.socket) set(this.socket);
  else this.once('socket', set);
  return this;
};

ClientRequest.prototype.setNoDelay = function setNoDelay(noDelay) {
  this._deferToConnect('setNoDelay', [noDelay]);
};

ClientRequest.prototype.setSocketKeepAlive = function setSocketKeepAlive(enable, delay) {
  this._deferToConnect('setKeepAlive', [enable, delay]);
};

ClientRequest.prototype.clearTimeout = function clearTimeout(cb) {
  this.setTimeout(0, cb);
};

// ---- Agent: pooling ------------------------------------------------------------------------

const kRequestOptions = Symbol('kRequestOptions');

function freeSocketErrorListener() {
  this.destroy();
  this.emit('agentRemove');
}

// A socket the pool got back: to the first waiting request, into the
// free list (keep-alive), or closed.
function agentOnFree(socket, options) {
  const name = this.getName(options);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const requests = this.requests[name];
  if (requests && requests.length) {
    const req = requests.shift();
    setRequestSocket(this, req, socket);
    if (requests.length === 0) delete this.requests[name];
    return;
  }
  const req = socket._httpMessage;
  if (!req || !req.shouldKeepAlive || !this.keepAlive) {
    socket.destroy();
    return;
  }
  const freeSockets = this.freeSockets[name] || [];
  const freeLen = freeSockets.length;
  let count = freeLen;
  if (this.sockets[name]) count += this.sockets[name].length;
  if (this.totalSocketCount > this.maxTotalSockets || count > this.maxSockets ||
      freeLen >= this.maxFreeSockets || !this.keepSocketAlive(socket)) {
    socket.destroy();
    return;
  }
  this.freeSockets[name] = freeSockets;
  socket._httpMessage = null;
  this.removeSocket(socket, options);
  socket.once('error', freeSocketErrorListener);
  freeSockets.push(socket);
}

function setRequestSocket(agent, req, socket) {
  req.onSocket(socket);
  const agentTimeout = agent.options.timeout || 0;
  if (req.timeout === undefined || req.timeout === agentTimeout) return;
  socket.setTimeout(req.timeout);
}

// The TLS server name a request's connection would carry: the Host
// header's name when there is one (a string), else the host.
function calculateServerName(options, req) {
  let servername = options.host;
  const hostHeader = req.getHeader('host');
  if (hostHeader) {
    validateString(hostHeader, 'options.headers.host');
    if (hostHeader.startsWith('[')) {
      const index = hostHeader.indexOf(']');
      servername = index === -1 ? hostHeader : hostHeader.slice(1, index);
    } else {
      servername = hostHeader.split(':', 1)[0];
    }
  }
  if (net.isIP(servername)) servername = '';
  return servername;
}

Agent.prototype.createConnection = function createConnection(...args) {
  return net.createConnection(...args);
};

Agent.prototype.addRequest = function addRequest(req, options, port, localAddress) {
  if (typeof options === 'string') options = { __proto__: null, host: options, port, localAddress };
  options = { __proto__: null, ...options, ...this.options };
  if (options.socketPath) options.path = options.socketPath;
  if (!options.servername && options.servername !== '') options.servername = calculateServerName(options, req);
  const name = this.getName(options);
  if (!this.sockets[name]) this.sockets[name] = [];
  const freeSockets = this.freeSockets[name];
  let socket;
  if (freeSockets) {
    while (freeSockets.length && freeSockets[0].destroyed) freeSockets.shift();
    socket = this.scheduling === 'fifo' ? freeSockets.shift() : freeSockets.pop();
    if (!freeSockets.length) delete this.freeSockets[name];
  }
  const freeLen = freeSockets ? freeSockets.length : 0;
  const sockLen = freeLen + this.sockets[name].length;
  if (socket) {
    this.reuseSocket(socket, req);
    setRequestSocket(this, req, socket);
    this.sockets[name].push(socket);
  } else if (sockLen < this.maxSockets && this.totalSocketCount < this.maxTotalSockets) {
    this.createSocket(req, options, (err, s) => {
      if (err) req.onSocket(s, err);
      else setRequestSocket(this, req, s);
    });
  } else {
    if (!this.requests[name]) this.requests[name] = [];
    req[kRequestOptions] = options; // a socket of another origin may be made for it
    this.requests[name].push(req);
  }
};

Agent.prototype.createSocket = function createSocket(req, options, cb) {
  options = { __proto__: null, ...options, ...this.options };
  if (options.socketPath) options.path = options.socketPath;
  if (!options.servername && options.servername !== '') options.servername = calculateServerName(options, req);
  const name = this.getName(options);
  options._agentKey = name;
  options.encoding = null;
  if (this.keepAlive) { // per-socket keep-alive
    options.keepAlive = this.keepAlive;
    options.keepAliveInitialDelay = this.keepAliveMsecs;
  }
  let called = false;
  const oncreate = (err, s) => {
    if (called) return;
    called = true;
    if (err) return cb(err);
    if (!this.sockets[name]) this.sockets[name] = [];
    this.sockets[name].push(s);
    this.totalSocketCount++;
    installListeners(this, s, options);
    cb(null, s);
  };
  const newSocket = this.createConnection(options, oncreate);
  if (newSocket) oncreate(null, newSocket);
};

function installListeners(agent, s, options) {
  function onFree() {
    agent.emit('free', s, options);
  }
  s.on('free', onFree);
  // the only place sockets leave the pool: close them to remove them
  function onClose() {
    agent.totalSocketCount--; // a socket counts until it closes
    agent.removeSocket(s, options);
  }
  s.on('close', onClose);
  function onTimeout() {
    // an idle pooled socket ends at its timeout
    const sockets = agent.freeSockets;
    if (Object.keys(sockets).some((name) => sockets[name].includes(s))) s.destroy();
  }
  s.on('timeout', onTimeout);
  function onRemove() {
    // an upgraded connection leaves the pool for good
    agent.totalSocketCount--;
    agent.removeSocket(s, options);
    s.removeListener('close', onClose);
    s.removeListener('free', onFree);
    s.removeListener('timeout', onTimeout);
    s.removeListener('agentRemove', onRemove);
  }
  s.on('agentRemove', onRemove);
}

Agent.prototype.removeSocket = function removeSocket(s, options) {
  const name = this.getName(options);
  const sets = [this.sockets];
  if (!s.writable) sets.push(this.freeSockets);
  for (const sockets of sets) {
    const list = sockets[name];
    if (!list) continue;
    const index = list.indexOf(s);
    if (index !== -1) {
      list.splice(index, 1);
      if (list.length === 0) delete sockets[name];
    }
  }
  let req;
  if (this.requests[name] && this.requests[name].length) {
    req = this.requests[name][0];
  } else {
    for (const prop of Object.keys(this.requests)) {
      if (this.sockets[prop] && this.sockets[prop].length) break;
      req = this.requests[prop][0];
      options = req[kRequestOptions];
      break;
    }
  }
  if (req && options) {
    req[kRequestOptions] = undefined;
    // a request waits and a socket went away: a new one for it
    this.createSocket(req, options, (err, socket) => {
      if (err) req.onSocket(socket, err);
      else socket.emit('free');
    });
  }
};

// Node's: false (the socket is not pooled) when the response's
// `Keep-Alive: timeout=N` leaves under a second; a pooled socket times out
// a second before the server would end it, or after options.timeout.
const KEEP_ALIVE_TIMEOUT_BUFFER = 1000;
Agent.prototype.keepSocketAlive = function keepSocketAlive(socket) {
  socket.setKeepAlive(true, this.keepAliveMsecs);
  socket.unref();
  let agentTimeout = this.options.timeout || 0;
  let canKeepSocketAlive = true;
  const hintHeader = socket._httpMessage?.res?.headers['keep-alive'];
  const hint = hintHeader ? /^timeout=(\d+)/.exec(hintHeader)?.[1] : undefined;
  if (hint) {
    let serverHintTimeout = Number.parseInt(hint, 10) * 1000 - KEEP_ALIVE_TIMEOUT_BUFFER;
    serverHintTimeout = serverHintTimeout > 0 ? serverHintTimeout : 0;
    if (serverHintTimeout === 0) canKeepSocketAlive = false;
    else if (serverHintTimeout < agentTimeout) agentTimeout = serverHintTimeout;
  }
  if (socket.timeout !== agentTimeout) socket.setTimeout(agentTimeout);
  return canKeepSocketAlive;
};

Agent.prototype.reuseSocket = function reuseSocket(socket, req) {
  socket.removeListener('error', freeSocketErrorListener);
  req.reusedSocket = true;
  socket.ref();
};

function request(url, options, cb) {
  return new ClientRequest(url, options, cb);
}

function get(url, options, cb) {
  const req = request(url, options, cb);
  req.end();
  return req;
}

function setMaxIdleHTTPParsers(max) {
  validateInteger(max, 'max', 1);
  parsers.max = max;
}

module.exports = {
  _connectionListener: connectionListener,
  _setupHttpsServer: setupHttpsServer,
  _kConnectionsCheckingInterval: kConnectionsCheckingInterval,
  _parsers: parsers,
  _freeParser: freeParser,
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
  get,
  request,
  setMaxIdleHTTPParsers,
  maxHeaderSize,
};
// http.globalAgent may be replaced: requests use the one there now
Object.defineProperty(module.exports, 'globalAgent', {
  configurable: true,
  enumerable: true,
  get() { return globalAgent; },
  set(value) { globalAgent = value; },
});
