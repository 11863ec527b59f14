// node/net.js — Node's `net` module: TCP sockets and servers on libuv
// streams (bridge/net.c), asked of the broker. The sandbox's network
// namespace has only its own loopback: listening and connecting there work
// with a grant (--allow-net=127.0.0.1:3000, localhost, [::1]); addresses
// outside it and names other than localhost wait for the supervisor's
// network channel (bridge/netproto.h); unix socket paths are not there
// yet. BlockList and SocketAddress: internal/blocklist.js.
'use strict';

const EventEmitter = require('events');
const { Duplex, getDefaultHighWaterMark } = require('stream');
const { codes, abortError } = require('./internal/errors');
const { callable } = require('./internal/util');
const {
  validateBoolean, validateInteger, validateNumber, validateFunction, validateAbortSignal, validateString,
} = require('./internal/validators');
const { notSupported, deferredFunction } = require('./internal/deferred');
const { BlockList, SocketAddress } = require('./internal/blocklist');
const dcChannels = require('./internal/dc-channels');

const kBlockList = Symbol('kBlockList');

// IP address syntax, as Node's isIP checks it (no leading zeros in IPv4
// parts; IPv6 with at most one '::', an IPv4 tail and a zone id).
const v4Part = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const v4Re = new RegExp(`^(?:${v4Part}\\.){3}${v4Part}$`);

function isIPv4(input) {
  return v4Re.test(`${input}`);
}

const v4Str = `(?:${v4Part}\\.){3}${v4Part}`;
const v6Seg = '(?:[0-9a-fA-F]{1,4})';
const v6Re = new RegExp('^(?:' +
  `(?:${v6Seg}:){7}(?:${v6Seg}|:)|` +
  `(?:${v6Seg}:){6}(?:${v4Str}|:${v6Seg}|:)|` +
  `(?:${v6Seg}:){5}(?::${v4Str}|(?::${v6Seg}){1,2}|:)|` +
  `(?:${v6Seg}:){4}(?:(?::${v6Seg}){0,1}:${v4Str}|(?::${v6Seg}){1,3}|:)|` +
  `(?:${v6Seg}:){3}(?:(?::${v6Seg}){0,2}:${v4Str}|(?::${v6Seg}){1,4}|:)|` +
  `(?:${v6Seg}:){2}(?:(?::${v6Seg}){0,3}:${v4Str}|(?::${v6Seg}){1,5}|:)|` +
  `(?:${v6Seg}:){1}(?:(?::${v6Seg}){0,4}:${v4Str}|(?::${v6Seg}){1,6}|:)|` +
  `(?::(?:(?::${v6Seg}){0,5}:${v4Str}|(?::${v6Seg}){1,7}|:))` +
  ')(?:%[0-9a-zA-Z-.:]{1,})?$');

// IPv6 as Node's grammar reads it: groups, one '::', an IPv4 tail, a zone id.
function isIPv6(input) {
  return v6Re.test(`${input}`);
}

function isIP(input) {
  if (isIPv4(input)) return 4;
  if (isIPv6(input)) return 6;
  return 0;
}

let autoSelectFamily = true;
let autoSelectFamilyAttemptTimeout = 250;

function setDefaultAutoSelectFamily(value) {
  validateBoolean(value, 'value');
  autoSelectFamily = value;
}

function setDefaultAutoSelectFamilyAttemptTimeout(value) {
  validateInteger(value, 'value', 1);
  autoSelectFamilyAttemptTimeout = value < 10 ? 10 : value;
}

// ---- sockets (bridge/net.c) ------------------------------------------------------------

const binding = require('./internal/binding');
const { errnoName, errnoMessage } = require('./internal/errno');

// Node's error for a failed socket call: "connect ECONNREFUSED 127.0.0.1:3000".
function exceptionWithHostPort(err, syscall, address, port) {
  const code = errnoName(err) || `E${-err}`;
  let details = '';
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  const ex = new Error(`${syscall} ${code}${details}`);
  ex.errno = err;
  ex.code = code;
  ex.syscall = syscall;
  ex.address = address;
  if (port) ex.port = port;
  return ex;
}

// What a connect that tried every address ends with: the one error, or
// Node's AggregateError of them all (its code the first one's).
function connectError(errors) {
  if (errors.length === 1) return errors[0];
  const err = new AggregateError(errors, '');
  err.code = errors[0].code;
  return err;
}

function errnoException(err, syscall) {
  const code = errnoName(err) || `E${-err}`;
  const ex = new Error(`${syscall} ${code}`);
  ex.errno = err;
  ex.code = code;
  ex.syscall = syscall;
  return ex;
}

// The addresses a host stands for, and Node's errors for a failed lookup
// or a refusal: the one place dns.lookup shares (internal/dns.js).
const { NETP_DNS_BASE, accessDenied, lookupException, lookupHost } = require('./internal/dns');

const TIMEOUT_MAX = 2 ** 31 - 1;

// A timeout in ms as Node's timers take it: a finite number >= 0, at most
// TIMEOUT_MAX (a larger one is cut, with a warning).
function getTimerDuration(msecs, name) {
  validateNumber(msecs, name);
  if (msecs < 0 || !Number.isFinite(msecs)) {
    throw codes.ERR_OUT_OF_RANGE(name, 'a non-negative finite number', msecs);
  }
  if (msecs > TIMEOUT_MAX) {
    process.emitWarning(`${msecs} does not fit into a 32-bit signed integer.` +
      `\nTimer duration was truncated to ${TIMEOUT_MAX}.`, 'TimeoutOverflowWarning');
    return TIMEOUT_MAX;
  }
  return msecs;
}

function validatePort(port, name = 'Port', allowZero = true) {
  if ((typeof port !== 'number' && typeof port !== 'string') ||
      (typeof port === 'string' && port.trim().length === 0) ||
      +port !== (+port >>> 0) || port > 0xFFFF || (port === 0 && !allowZero)) {
    throw codes.ERR_SOCKET_BAD_PORT(name, port, allowZero);
  }
  return port | 0;
}

const kLastWriteQueueSize = Symbol('kLastWriteQueueSize');
const kRaw = Symbol('kRaw');
const kBuffer = Symbol('kBuffer');
const kBufferCb = Symbol('kBufferCb');
const kPending = Symbol('kPending');
const kPendingEof = Symbol('kPendingEof');
const kOnreadPaused = Symbol('kOnreadPaused');
const kOwner = Symbol('kOwner');
const kConsumer = Symbol('kConsumer');
const kSetNoDelay = Symbol('kSetNoDelay');
const kSetKeepAlive = Symbol('kSetKeepAlive');
const kSetKeepAliveInitialDelay = Symbol('kSetKeepAliveInitialDelay');
const UV_EBADF = -9;

// A socket's _handle, shaped as Node's TCP wrap: methods a program (or a
// test) may call or replace, over the native handle of bridge/net.c.
class TCP {
  constructor(raw) {
    this[kRaw] = raw || binding.net.tcpNew();
    this.closed = false;
    this.reading = false;
    this.onread = null;
    this.onconnection = null;
  }

  // a fresh native socket in this wrap (the next address to try)
  renew() {
    binding.net.tcpClose(this[kRaw]);
    this[kRaw] = binding.net.tcpNew();
  }

  setNoDelay(enable) {
    return this.closed ? UV_EBADF : binding.net.tcpNoDelay(this[kRaw], !!enable);
  }

  setKeepAlive(enable, initialDelay) {
    return this.closed ? UV_EBADF : binding.net.tcpKeepAlive(this[kRaw], !!enable, initialDelay);
  }

  readStart() {
    if (this.closed) return 0; // a closing handle reads nothing more
    this.reading = true;
    return binding.net.tcpReadStart(this[kRaw], (n, bytes) => this.onread && this.onread(n, bytes));
  }

  readStop() {
    if (this.closed) return UV_EBADF;
    this.reading = false;
    return binding.net.tcpReadStop(this[kRaw]);
  }

  // 0 written now, 1 queued (cb(status) later), or -errno
  writeBuffer(data, cb) {
    return this.closed ? UV_EBADF : binding.net.tcpWrite(this[kRaw], data, cb);
  }

  shutdown(cb) {
    return this.closed ? UV_EBADF : binding.net.tcpShutdown(this[kRaw], cb);
  }

  close(cb) {
    if (this.closed) {
      if (typeof cb === 'function') process.nextTick(cb);
      return;
    }
    this.closed = true;
    binding.net.tcpClose(this[kRaw], typeof cb === 'function' ? cb : undefined);
  }

  // close with a RST; cb once closed
  reset(cb) {
    if (this.closed) return UV_EBADF;
    this.closed = true;
    const r = binding.net.tcpReset(this[kRaw], typeof cb === 'function' ? cb : undefined);
    return r < 0 ? r : 0;
  }

  getsockname(out) {
    return this._address(out, false);
  }

  getpeername(out) {
    return this._address(out, true);
  }

  _address(out, peer) {
    if (this.closed) return UV_EBADF;
    const a = binding.net.tcpAddress(this[kRaw], peer);
    if (!Array.isArray(a)) return typeof a === 'number' ? a : UV_EBADF;
    out.address = a[0];
    out.family = a[2];
    out.port = a[1];
    return 0;
  }

  ref() {
    if (!this.closed) binding.net.tcpRef(this[kRaw], true);
  }

  unref() {
    if (!this.closed) binding.net.tcpRef(this[kRaw], false);
  }
}
// A unix socket's _handle, shaped as Node's Pipe wrap: a stream as TCP's,
// with no TCP options and no addresses (server.address() is the path
// given; a connection's address() is {}).
class Pipe extends TCP {}
Pipe.prototype.setNoDelay = undefined;
Pipe.prototype.setKeepAlive = undefined;
Pipe.prototype.getsockname = undefined;
Pipe.prototype.getpeername = undefined;

const kTimeout = Symbol('kTimeout');

function toBuffer(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

class SocketClass extends Duplex {
  constructor(options) {
    if (typeof options === 'number') options = { fd: options };
    else options = { ...options };
    if (options.fd !== undefined) {
      // a stream socket of the guest's own (0-2, one it was started with
      // as stdio, or opened): bridge/net.c's openFd checks and takes it
      validateInteger(options.fd, 'fd', 0, 2 ** 31 - 1);
      const handle = new Pipe();
      const r = binding.net.openFd(handle[kRaw], options.fd);
      if (r === -88) throw codes.ERR_INVALID_FD_TYPE('FILE'); // ENOTSOCK
      if (r < 0) throw errnoException(r, 'open');
      options.handle = handle;
    }
    options.allowHalfOpen = Boolean(options.allowHalfOpen);
    options.emitClose = false;
    options.autoDestroy = true;
    options.decodeStrings = false;
    if (options.objectMode) {
      throw codes.ERR_INVALID_ARG_VALUE('options.objectMode', options.objectMode, 'is not supported');
    } else if (options.readableObjectMode || options.writableObjectMode) {
      throw codes.ERR_INVALID_ARG_VALUE(
        `options.${options.readableObjectMode ? 'readableObjectMode' : 'writableObjectMode'}`,
        options.readableObjectMode || options.writableObjectMode, 'is not supported');
    }
    const { signal } = options;
    delete options.signal; // the stream's own would listen a second time
    super(options);
    if (options.handle && options.pauseOnCreate) this.readableFlowing = false; // no reading till resume()
    // onread: reads go into the caller's buffer, handed to its callback (no 'data')
    const { onread } = options;
    if (onread !== null && typeof onread === 'object' &&
        (onread.buffer instanceof Uint8Array || typeof onread.buffer === 'function') &&
        typeof onread.callback === 'function') {
      this[kBuffer] = onread.buffer;
      this[kBufferCb] = onread.callback;
      this[kPending] = [];
      this[kPendingEof] = false;
      this[kOnreadPaused] = false;
    }
    this.connecting = false;
    this._hadError = false;
    this._handle = null;
    this._host = null;
    this._peername = null;
    this._sockname = null;
    this._pendingData = null;
    this._pendingEncoding = '';
    this.server = null;
    this._server = null;
    this.bytesRead = 0;
    this._bytesDispatched = 0;
    this._reading = false;
    this[kConsumer] = null;
    this[kTimeout] = null;
    this.timeout = 0;
    this[kLastWriteQueueSize] = 0;
    this.autoSelectFamilyAttemptedAddresses = undefined;
    if (options.handle) {
      this._handle = options.handle;
      this.readable = options.readable !== false;
      this.writable = options.writable !== false;
    }
    this[kSetNoDelay] = Boolean(options.noDelay);
    this[kSetKeepAlive] = Boolean(options.keepAlive);
    this[kSetKeepAliveInitialDelay] = Math.max(~~(options.keepAliveInitialDelay / 1000), 0);
    this.on('end', onReadableStreamEnd);
    if (signal) {
      const onAbort = () => this.destroy(abortError(signal.reason));
      if (signal.aborted) process.nextTick(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  get pending() {
    return !this._handle || this.connecting;
  }

  get readyState() {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  get bytesWritten() {
    let bytes = this._bytesDispatched;
    const state = this._writableState;
    const data = this._pendingData;
    const encoding = this._pendingEncoding;
    if (!state) return undefined;
    const size = (chunk, encoding) =>
      (chunk instanceof Uint8Array ? chunk.length : typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : 0);
    for (const el of state.getBuffer ? state.getBuffer() : []) if (el) bytes += size(el.chunk, el.encoding);
    if (Array.isArray(data)) {
      for (const el of data) bytes += el instanceof Uint8Array ? el.length : size(el && el.chunk, el && el.encoding);
    } else if (data) {
      bytes += data instanceof Uint8Array ? data.length : Buffer.byteLength(data, encoding);
    }
    return bytes;
  }

  get bufferSize() {
    return this._handle || this.connecting ? this.writableLength : undefined;
  }

  connect(...args) {
    // net.connect hands over its normalized [options, cb] (Node's)
    const [options, cb] = Array.isArray(args[0]) && args[0][normalizedArgsSymbol] ? args[0] : normalizeArgs(args);
    if (this.write !== Socket.prototype.write) this.write = Socket.prototype.write;
    if (this.destroyed) {
      this._handle = null;
      this._peername = null;
      this._sockname = null;
      this._undestroy();
      this._bytesDispatched = 0; // the counts are the connection's
      this.bytesRead = 0;
    }
    if (cb) this.once('connect', cb);
    if (options.path) return this._connectPipe(options);
    const { host = 'localhost', localAddress, localPort } = options;
    let { port } = options;
    if (localAddress && !isIP(localAddress)) throw codes.ERR_INVALID_IP_ADDRESS(localAddress);
    if (localPort) validateNumber(localPort, 'options.localPort');
    if (localPort !== undefined) throw notSupported('net.Socket.connect with localPort');
    if (options.lookup != null) validateFunction(options.lookup, 'options.lookup');
    if (options.blockList !== undefined && !BlockList.isBlockList(options.blockList)) {
      throw codes.ERR_INVALID_ARG_TYPE('options.blockList', 'net.BlockList', options.blockList);
    }
    this[kBlockList] = options.blockList;
    if (options.autoSelectFamily != null) validateBoolean(options.autoSelectFamily, 'options.autoSelectFamily');
    if (options.autoSelectFamilyAttemptTimeout != null) {
      validateInteger(options.autoSelectFamilyAttemptTimeout, 'options.autoSelectFamilyAttemptTimeout', 1);
    }
    if (typeof host !== 'string') throw codes.ERR_INVALID_ARG_TYPE('options.host', 'string', host);
    if (port === undefined) throw codes.ERR_MISSING_ARGS(['options', 'port', 'path']);
    port = validatePort(port, 'Port');
    if (options.timeout) this.setTimeout(options.timeout);
    if (options.noDelay !== undefined) this[kSetNoDelay] = Boolean(options.noDelay);
    if (options.keepAlive !== undefined) {
      this[kSetKeepAlive] = Boolean(options.keepAlive);
      this[kSetKeepAliveInitialDelay] = Math.max(~~(options.keepAliveInitialDelay / 1000), 0);
    }
    // the handle is there at once, as Node's (the connection comes later)
    if (!this._handle) this._handle = new TCP();
    this.connecting = true;
    this._host = host;
    const lookup = typeof options.lookup === 'function' ? options.lookup : null;
    const family = options.family ? Number(options.family) : 0;
    const afterLookup = (err, list) => {
      if (!this.connecting) return;
      if (err) {
        this.emit('lookup', err, undefined, undefined, host);
        this.destroy(err);
        return;
      }
      const first = list[0];
      this.emit('lookup', null, first.address, first.family, host);
      // the broker decides on the name only when the sandbox resolved it;
      // what a program's own lookup returns is decided as the address
      this._connectTo(list, 0, lookup ? null : host, port);
    };
    if (isIP(host)) {
      // an address is no name: no lookup, no 'lookup' event (Node's)
      process.nextTick(() => {
        if (this.connecting) this._connectTo([{ address: host, family: isIP(host) }], 0, host, port);
      });
    } else if (lookup) {
      // the options Node gives a custom lookup: ADDRCONFIG unless a family
      // is pinned, every address when it may pick the family itself
      const dnsopts = { family: options.family ? family : undefined, hints: options.hints || 0 };
      const pinned = dnsopts.family === 4 || dnsopts.family === 6;
      if (!pinned && dnsopts.hints === 0) dnsopts.hints = 32; // dns.ADDRCONFIG
      if (!pinned && options.autoSelectFamily !== false) dnsopts.all = true;
      lookup(host, dnsopts, (err, addresses, fam) => {
        if (!err && !Array.isArray(addresses)) addresses = [{ address: addresses, family: fam }];
        if (!err) {
          const bad = addresses.find((a) => !isIP(a.address) || (a.family !== 4 && a.family !== 6 &&
            a.family !== 'IPv4' && a.family !== 'IPv6'));
          if (bad) {
            if (!isIP(bad.address)) err = codes.ERR_INVALID_IP_ADDRESS(bad.address);
            else err = codes.ERR_INVALID_ADDRESS_FAMILY(bad.family, host, port);
          }
        }
        afterLookup(err, addresses);
      });
    } else {
      lookupHost(host, family, afterLookup);
    }
    return this;
  }

  // A unix socket: the supervisor's factory connects it at once
  _connectPipe(options) {
    const { path } = options;
    validateString(path, 'options.path');
    if (options.timeout) this.setTimeout(options.timeout);
    if (!this._handle) this._handle = new Pipe();
    this.connecting = true;
    const handle = this._handle;
    let r;
    try {
      r = binding.net.pipeConnect(handle[kRaw], path);
    } catch (err) {
      this.destroy(err);
      return this;
    }
    // told after the loop's poll (where libuv tells it): a server in this
    // program sees the connection first, as in Node
    setImmediate(() => {
      if (this._handle !== handle || !this.connecting) return;
      if (r < 0) this.destroy(exceptionWithHostPort(r, 'connect', path));
      else this._afterConnect();
    });
    return this;
  }

  _connectTo(list, i, host, port, errors = []) {
    const { address } = list[i];
    if (this[kBlockList] && this[kBlockList].check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')) {
      process.nextTick(() => this.destroy(codes.ERR_IP_BLOCKED(address)));
      return;
    }
    const asked = host === null ? address : host;
    if (!this._handle || this._handle.constructor !== TCP) this._handle = new TCP();
    const handle = this._handle;
    if (i > 0) handle.renew();
    const raw = handle[kRaw];
    let r;
    try {
      r = binding.net.tcpConnect(raw, address, asked, port, (status) => {
        if (this._handle !== handle || handle[kRaw] !== raw || !this.connecting) return;
        if (status < 0) {
          // a name the supervisor resolves is tried there on every address
          const outside = host !== null && !isIP(host) && host.toLowerCase() !== 'localhost';
          if (status === -13) {
            this.destroy(accessDenied('connect', outside ? host : address, port));
            return;
          }
          if (status <= -NETP_DNS_BASE) {
            this.destroy(lookupException(status, host === null ? address : host));
            return;
          }
          errors.push(exceptionWithHostPort(status, 'connect', address, port));
          if (!outside && i + 1 < list.length) {
            this._connectTo(list, i + 1, host, port, errors); // host: null stays null
            return;
          }
          this.destroy(connectError(errors));
          return;
        }
        this._afterConnect();
      });
    } catch (err) {
      this.destroy(err);
      return;
    }
    if (r < 0) process.nextTick(() => this.destroy(exceptionWithHostPort(r, 'connect', address, port)));
  }

  _afterConnect() {
    this.connecting = false;
    this._sockname = null;
    const handle = this._handle;
    if (this[kSetNoDelay] && handle.setNoDelay) handle.setNoDelay(true);
    if (this[kSetKeepAlive] && handle.setKeepAlive) handle.setKeepAlive(true, this[kSetKeepAliveInitialDelay]);
    if (this._unrefd && handle.unref) handle.unref();
    this._unrefTimer();
    this.emit('connect');
    this.emit('ready');
    if (this.readableFlowing !== false && !this.isPaused()) this._startReading();
    else if (this._readableState.length < this.readableHighWaterMark && this._readableState.flowing !== false) {
      this._startReading();
    }
  }

  _startReading() {
    if (this._reading || !this._handle || this.connecting) return;
    this._reading = true;
    this._handle.onread = (n, bytes) => this._onRead(n, bytes);
    const r = this._handle.readStart();
    if (r < 0) this.destroy(errnoException(r, 'read'));
  }

  _onRead(n, bytes) {
    this._unrefTimer();
    if (this[kBufferCb] && n >= 0) {
      if (n > 0) {
        this.bytesRead += n;
        this[kPending].push(bytes);
      } else {
        // the read that finds the end gets a buffer too, as libuv's does
        if (typeof this[kBuffer] === 'function') this[kBuffer]();
        this[kPendingEof] = true;
      }
      this._deliverOnread();
      return;
    }
    if (n > 0) {
      this.bytesRead += n;
      const consumer = this[kConsumer];
      if (consumer !== null) {
        const rs = this._readableState;
        if (rs.flowing === true && rs.length === 0) {
          consumer(toBuffer(bytes));
          return;
        }
      }
      if (!this.push(toBuffer(bytes))) {
        this._reading = false;
        if (this._handle) this._handle.readStop();
      }
      return;
    }
    this._reading = false;
    if (n === 0) {
      this.push(null);
      this.read(0); // 'end' (then 'close') even when nobody reads, as Node
      return;
    }
    if (n === -104 /* ECONNRESET */ || n < 0) this.destroy(errnoException(n, 'read'));
  }

  // onread mode: what was read goes into the caller's buffer, piece by
  // piece, until its callback returns false or the socket is paused
  _deliverOnread() {
    const pending = this[kPending];
    while (pending.length && !this[kOnreadPaused]) {
      const bytes = pending[0];
      const buf = typeof this[kBuffer] === 'function' ? this[kBuffer]() : this[kBuffer];
      const len = Math.min(buf.length, bytes.length);
      buf.set(bytes.subarray(0, len));
      if (len === bytes.length) pending.shift();
      else pending[0] = bytes.subarray(len);
      if (this[kBufferCb](len, buf) === false || this.isPaused()) this._pauseOnread();
    }
    if (pending.length) {
      this._pauseOnread();
    } else if (this[kPendingEof] && !this[kOnreadPaused]) {
      this[kPendingEof] = false;
      this.push(null);
      this.read(0);
    }
  }

  _pauseOnread() {
    this[kOnreadPaused] = true;
    if (this._reading && this._handle) {
      this._reading = false;
      this._handle.readStop();
    }
  }

  // another listener that wants the bytes ends consume()
  on(ev, fn) {
    if (ev === 'data' || ev === 'readable') this[kConsumer] = null;
    return super.on(ev, fn);
  }

  addListener(ev, fn) {
    return this.on(ev, fn);
  }

  prependListener(ev, fn) {
    if (ev === 'data' || ev === 'readable') this[kConsumer] = null;
    return super.prependListener(ev, fn);
  }

  pause() {
    if (this[kBufferCb] && !this.connecting && this._handle) this._pauseOnread();
    return super.pause();
  }

  resume() {
    if (this[kBufferCb] && !this.connecting && this._handle && this[kOnreadPaused]) {
      this[kOnreadPaused] = false;
      this._deliverOnread();
      if (!this[kOnreadPaused] && !this[kPending].length) this._startReading();
    }
    return super.resume();
  }

  _read() {
    if (this.connecting || !this._handle) {
      this.once('connect', () => this._read());
      return;
    }
    this._startReading();
  }

  _writeGeneric(chunks, cb) {
    if (this.connecting) {
      this._pendingData = chunks;
      this.once('connect', () => {
        this._pendingData = null;
        this._writeGeneric(chunks, cb);
      });
      return;
    }
    this._pendingData = null;
    if (!this._handle) {
      cb(codes.ERR_SOCKET_CLOSED());
      return;
    }
    this._unrefTimer();
    const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    let r;
    try {
      r = this._handle.writeBuffer(data, (status) => {
        this._unrefTimer();
        if (status < 0) cb(errnoException(status, 'write'));
        else cb();
      });
    } catch (err) {
      cb(err);
      return;
    }
    if (r < 0) {
      cb(errnoException(r, 'write'));
      return;
    }
    this._bytesDispatched += data.length;
    if (r === 0) cb();
  }

  // chunks as Node's Writable takes them: strings and any ArrayBufferView
  write(chunk, encoding, cb) {
    if (chunk === null) throw codes.ERR_STREAM_NULL_VALUES();
    if (typeof chunk !== 'string') {
      if (!ArrayBuffer.isView(chunk)) {
        throw codes.ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'TypedArray', 'DataView'], chunk);
      }
      if (!Buffer.isBuffer(chunk)) chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    return super.write(chunk, encoding, cb);
  }

  _write(chunk, encoding, cb) {
    this._writeGeneric([typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk], cb);
  }

  // the chunks encoded into one buffer (an http message's head and body):
  // one write, no buffer per chunk
  _writev(chunks, cb) {
    let total = 0;
    for (let i = 0; i < chunks.length; i++) {
      const { chunk, encoding } = chunks[i];
      total += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.length;
    }
    const data = Buffer.allocUnsafe(total);
    let at = 0;
    for (let i = 0; i < chunks.length; i++) {
      const { chunk, encoding } = chunks[i];
      if (typeof chunk === 'string') {
        at += data.write(chunk, at, encoding);
      } else {
        data.set(chunk, at);
        at += chunk.length;
      }
    }
    this._writeGeneric([at === total ? data : data.subarray(0, at)], cb);
  }

  _final(cb) {
    if (this.connecting) {
      this.once('connect', () => this._final(cb));
      return;
    }
    if (!this._handle) {
      cb();
      return;
    }
    const r = this._handle.shutdown(() => cb());
    if (r < 0) cb();
  }

  _destroy(exception, cb) {
    this.connecting = false;
    clearTimeout(this[kTimeout]);
    this[kTimeout] = null;
    const handle = this._handle;
    const isException = !!exception;
    // the error (from cb) is told before 'close', as Node orders them
    cb(exception);
    if (handle && this.resetAndClosing) {
      this.resetAndClosing = false;
      this._handle = null;
      const err = handle.reset(() => this.emit('close', isException));
      if (err) this.emit('error', errnoException(err, 'reset'));
    } else if (handle) {
      this._handle = null;
      handle.close(() => this.emit('close', isException));
    } else {
      process.nextTick(() => this.emit('close', isException));
    }
    if (this._server) {
      this._server._connections--;
      if (this._server._emitCloseIfDrained) this._server._emitCloseIfDrained();
    }
  }

  destroySoon() {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', this.destroy);
  }

  resetAndDestroy() {
    if (this._handle) {
      if (!(this._handle instanceof TCP)) throw codes.ERR_INVALID_HANDLE_TYPE();
      if (this.connecting) this.once('connect', () => this._reset());
      else this._reset();
    } else {
      this.destroy(codes.ERR_SOCKET_CLOSED());
    }
    return this;
  }

  _reset() {
    this.resetAndClosing = true;
    return this.destroy();
  }

  // the handle is asked only when the setting changes (Node's)
  setNoDelay(enable) {
    enable = Boolean(enable === undefined ? true : enable);
    if (!this._handle || this.connecting) {
      this[kSetNoDelay] = enable;
      return this;
    }
    if (this._handle.setNoDelay && enable !== this[kSetNoDelay]) {
      this[kSetNoDelay] = enable;
      this._handle.setNoDelay(enable);
    }
    return this;
  }

  setKeepAlive(enable, initialDelayMsecs) {
    enable = Boolean(enable);
    const initialDelay = ~~(initialDelayMsecs / 1000);
    if (!this._handle || this.connecting) {
      this[kSetKeepAlive] = enable;
      this[kSetKeepAliveInitialDelay] = initialDelay;
      return this;
    }
    if (!this._handle.setKeepAlive) return this;
    if (enable !== this[kSetKeepAlive] || (enable && this[kSetKeepAliveInitialDelay] !== initialDelay)) {
      this[kSetKeepAlive] = enable;
      this[kSetKeepAliveInitialDelay] = initialDelay;
      this._handle.setKeepAlive(enable, initialDelay);
    }
    return this;
  }

  setTimeout(msecs, callback) {
    msecs = getTimerDuration(msecs, 'msecs');
    if (callback !== undefined) validateFunction(callback, 'callback');
    this.timeout = msecs;
    clearTimeout(this[kTimeout]);
    this[kTimeout] = null;
    if (msecs > 0) {
      this[kTimeout] = setTimeout(() => {
        this[kTimeout] = null;
        this.emit('timeout');
      }, msecs);
      if (this._unrefd || !this._handle) this[kTimeout].unref?.();
    }
    if (callback !== undefined) {
      if (msecs === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  _unrefTimer() {
    if (this[kTimeout]) this[kTimeout].refresh();
  }

  address() {
    return this._getsockname();
  }

  _getpeername() {
    if (!this._handle || this.connecting) return this._peername || {};
    if (!this._peername) {
      if (!this._handle.getpeername) return {};
      const out = {};
      if (this._handle.getpeername(out) !== 0) return {};
      this._peername = out;
    }
    return this._peername;
  }

  _getsockname() {
    if (!this._handle || this.connecting) return this._sockname || {};
    if (!this._sockname) {
      if (!this._handle.getsockname) return {};
      const out = {};
      if (this._handle.getsockname(out) !== 0) return {};
      this._sockname = out;
    }
    return this._sockname;
  }

  get remoteAddress() { return this._getpeername().address; }
  get remoteFamily() { return this._getpeername().family; }
  get remotePort() { return this._getpeername().port; }
  get localAddress() { return this._getsockname().address; }
  get localPort() { return this._getsockname().port; }
  get localFamily() { return this._getsockname().family; }

  ref() {
    this._unrefd = false;
    if (this._handle && this._handle.ref) this._handle.ref();
    return this;
  }

  unref() {
    this._unrefd = true;
    if (this._handle && this._handle.unref) this._handle.unref();
    if (this[kTimeout]) this[kTimeout].unref?.();
    return this;
  }

  get _connecting() {
    return this.connecting;
  }
}

// Without allowHalfOpen, the readable end ends the writable one (Node's).
function onReadableStreamEnd() {
  if (!this.allowHalfOpen) {
    this.write = writeAfterFIN;
  }
}

function writeAfterFIN(chunk, encoding, cb) {
  if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding, cb);
  if (typeof encoding === 'function') cb = encoding;
  const er = new Error('This socket has been ended by the other party');
  er.code = 'EPIPE';
  if (typeof cb === 'function') process.nextTick(cb, er);
  this.destroy(er); // the error itself is told on the next tick
  return false;
}


// A string that is no port number names a pipe (Node's isPipeName).
function isPipeName(s) {
  return typeof s === 'string' && !(Number(s) >= 0);
}

// connect()'s arguments as Node reads them: (options[, cb]), (port[, host][, cb]), (path[, cb]).
const normalizedArgsSymbol = Symbol('normalizedArgs');

function normalizeArgs(args) {
  let options = {};
  if (args.length === 0) {
    const arr = [options, null];
    arr[normalizedArgsSymbol] = true;
    return arr;
  }
  const arg0 = args[0];
  if (typeof arg0 === 'object' && arg0 !== null) {
    options = arg0;
  } else if (isPipeName(arg0)) {
    options.path = arg0;
  } else {
    options.port = arg0;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const cb = args[args.length - 1];
  const arr = [options, typeof cb === 'function' ? cb : null];
  arr[normalizedArgsSymbol] = true;
  return arr;
}

function connect(...args) {
  const normalized = normalizeArgs(args);
  const options = normalized[0];
  const socket = new Socket(options);
  dcChannels.publish('net.client.socket', () => ({ socket }));
  if (options.timeout) socket.setTimeout(options.timeout);
  return socket.connect(normalized);
}

// ---- servers --------------------------------------------------------------------------

class ServerClass extends EventEmitter {
  constructor(options, connectionListener) {
    super();
    if (typeof options === 'function') {
      connectionListener = options;
      options = {};
    } else if (options == null || typeof options === 'object') {
      options = { ...options };
    } else {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    if (typeof connectionListener === 'function') this.on('connection', connectionListener);
    this._connections = 0;
    this._handle = null;
    this._usingWorkers = false;
    this._workers = [];
    this._unref = false;
    this._listeningId = 1;
    this.allowHalfOpen = options.allowHalfOpen || false;
    this.pauseOnConnect = !!options.pauseOnConnect;
    if (options.blockList !== undefined && !BlockList.isBlockList(options.blockList)) {
      throw codes.ERR_INVALID_ARG_TYPE('options.blockList', 'net.BlockList', options.blockList);
    }
    this.blockList = options.blockList;
    this.noDelay = Boolean(options.noDelay);
    this.keepAlive = Boolean(options.keepAlive);
    this.keepAliveInitialDelay = ~~(options.keepAliveInitialDelay / 1000);
    this.highWaterMark = options.highWaterMark ?? getDefaultHighWaterMark(false);
    this.maxConnections = undefined;
    this._address = null;
  }

  get listening() {
    return !!this._handle;
  }

  listen(...args) {
    let [options, cb] = normalizeArgs(args);
    if (this._handle) throw codes.ERR_SERVER_ALREADY_LISTEN();
    this._listeningId++;
    if (cb) this.once('listening', cb);
    options = options._handle || options.handle || options;
    // tracing:net.server.listen: asyncStart (its subscribers may still
    // change the options), then asyncEnd when listening or error.
    const trace = dcChannels.tracing('net.server.listen');
    if (trace !== null) trace.asyncStart.publish({ server: this, options });
    // (Node tells the outcome as the handle is made, the events after.)
    const failed = (error) => {
      if (trace !== null) trace.error.publish({ server: this, error });
      process.nextTick(() => this.emit('error', error));
    };
    if (options !== args[0] && (options._handle !== undefined || typeof options.fd === 'number' ||
        (typeof args[0] === 'object' && args[0] !== null && (args[0].handle || args[0]._handle)))) {
      throw notSupported('net.Server.listen on a descriptor or handle');
    }
    if (typeof options.fd === 'number' && options.fd >= 0) {
      throw notSupported('net.Server.listen on a descriptor or handle');
    }
    let backlog = 511;
    if (typeof args[1] === 'number' && typeof args[0] !== 'object') backlog = args[1];
    if (typeof args[2] === 'number') backlog = args[2];
    if (options.backlog !== undefined) backlog = options.backlog;
    // listen(), listen(cb), listen(null[, cb]) and {port: undefined|null}: any free port
    let port = options.port;
    if (args.length === 0 || typeof args[0] === 'function' ||
        (port === undefined && 'port' in options) || port === null) {
      port = 0;
    }
    if (options.path && isPipeName(options.path)) return this._listenPipe(options, args);
    if (typeof port !== 'number' && typeof port !== 'string') {
      if (!('port' in options || 'path' in options)) {
        throw codes.ERR_INVALID_ARG_VALUE('options', options, 'must have the property "port" or "path"');
      }
      throw codes.ERR_INVALID_ARG_VALUE('options', options);
    }
    port = validatePort(port, 'options.port');
    const host = options.host;
    if (options.signal !== undefined) {
      validateAbortSignal(options.signal, 'options.signal');
      const onAborted = () => this.close();
      if (options.signal.aborted) process.nextTick(onAborted);
      else {
        options.signal.addEventListener('abort', onAborted, { once: true });
        this.once('close', () => options.signal.removeEventListener('abort', onAborted));
      }
    }
    if (host !== undefined && host !== null && typeof host !== 'string') {
      throw codes.ERR_INVALID_ARG_TYPE('options.host', 'string', host);
    }
    const bindTo = (address) => {
      const wrap = new TCP();
      const handle = wrap[kRaw];
      let r = binding.net.tcpBind(handle, address, host || address, port, !!options.ipv6Only);
      if (r === 0) r = binding.net.tcpListen(handle, backlog, (status) => onListenEvent(wrap, status));
      if (r < 0) {
        wrap.close();
        return r;
      }
      wrap[kOwner] = this;
      wrap.onconnection = onconnection;
      this._handle = wrap;
      return 0;
    };
    const start = (address) => {
      let r = bindTo(address);
      if (r < 0 && !host && address === '::') r = bindTo('0.0.0.0');
      if (r < 0) {
        const shown = host || (address === '::' ? '::' : address);
        const err = exceptionWithHostPort(r, 'listen', shown, port);
        err.message = `listen ${err.code}: ${errnoMessage(r) || err.code} ${shown}:${port}`;
        failed(err);
        return;
      }
      if (this._unref) this._handle.unref();
      this._address = null;
      // Node's key for the listener: family:address:port as asked
      this._connectionKey = `${isIP(address) || 4}:${address}:${port}`;
      if (trace !== null) trace.asyncEnd.publish({ server: this });
      process.nextTick(() => {
        if (this._handle) this.emit('listening');
      });
    };
    if (!host) {
      start('::');
    } else if (isIP(host)) {
      start(host);
    } else {
      const listeningId = this._listeningId;
      lookupHost(host, 0, (err, list) => {
        if (listeningId !== this._listeningId) return; // closed (or listening again) meanwhile
        if (err) {
          if (trace !== null) trace.error.publish({ server: this, error: err });
          this.emit('error', err);
        } else {
          start(list[0].address);
        }
      });
    }
    return this;
  }

  // listen(path): a unix socket made by the supervisor's factory (Node's
  // pipe branch of listen: errors on the next tick, 'listening' likewise)
  _listenPipe(options, args) {
    const pipeName = this._pipeName = options.path;
    let backlog = 511;
    if (typeof args[1] === 'number') backlog = args[1];
    if (options.backlog) backlog = options.backlog;
    const wrap = new Pipe();
    const handle = wrap[kRaw];
    let r;
    try {
      r = binding.net.pipeBind(handle, pipeName, backlog);
    } catch (err) {
      wrap.close();
      throw err;
    }
    if (r === 0) r = binding.net.tcpListen(handle, backlog, (status) => onListenEvent(wrap, status));
    if (r < 0) {
      wrap.close();
      const err = exceptionWithHostPort(r, 'listen', pipeName, -1);
      err.message = `listen ${err.code}: ${errnoMessage(r) || err.code} ${pipeName}`;
      process.nextTick(() => this.emit('error', err));
      return this;
    }
    wrap[kOwner] = this;
    wrap.onconnection = onconnection;
    this._handle = wrap;
    this._connectionKey = `-1:${pipeName}:-1`;
    let mode = 0;
    if (options.readableAll === true) mode |= 0o444;
    if (options.writableAll === true) mode |= 0o222;
    if (mode !== 0 && pipeName[0] !== '\0') {
      const fs = require('fs');
      fs.chmodSync(pipeName, (fs.statSync(pipeName).mode & 0o7777) | mode);
    }
    if (this._unref) wrap.unref();
    process.nextTick(() => {
      if (this._handle === wrap) this.emit('listening');
    });
    return this;
  }

  address() {
    if (!this._handle) return null;
    if (this._handle instanceof Pipe) return this._pipeName;
    if (!this._address) {
      const out = {};
      if (this._handle.getsockname(out) !== 0) return {};
      this._address = out;
    }
    return this._address;
  }

  close(callback) {
    this._listeningId++;
    if (typeof callback === 'function') {
      if (!this._handle) {
        this.once('close', () => callback(codes.ERR_SERVER_NOT_RUNNING()));
      } else {
        this.once('close', callback);
      }
    }
    if (this._handle) {
      this._handle.close();
      this._handle = null;
    }
    this._emitCloseIfDrained();
    return this;
  }

  _emitCloseIfDrained() {
    if (this._handle || this._connections) return;
    process.nextTick(() => this.emit('close'));
  }

  getConnections(callback) {
    process.nextTick(callback, null, this._connections);
    return this;
  }

  ref() {
    this._unref = false;
    if (this._handle) this._handle.ref();
    return this;
  }

  unref() {
    this._unref = true;
    if (this._handle) this._handle.unref();
    return this;
  }

  // a rejected async 'connection' listener destroys that connection
  [Symbol.for('nodejs.rejection')](err, event, sock) {
    if (event === 'connection') sock.destroy(err);
    else this.emit('error', err);
  }

  [Symbol.asyncDispose]() {
    if (!this._handle) return Promise.resolve();
    return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
  }
}

// A connection waits on a listening wrap: accepted, then handed to the
// wrap's onconnection (which a program may have replaced).
function onListenEvent(wrap, status) {
  if (wrap.closed) return;
  if (status < 0) {
    wrap.onconnection(status, null);
    return;
  }
  const raw = binding.net.tcpAccept(wrap[kRaw]);
  if (typeof raw === 'number') return;
  wrap.onconnection(0, wrap instanceof Pipe ? new Pipe(raw) : new TCP(raw));
}

// Node's onconnection: `this` is the listening handle.
function onconnection(err, clientHandle) {
  const self = this[kOwner];
  if (!self || !self._handle) {
    if (clientHandle) clientHandle.close();
    return;
  }
  if (err) {
    self.emit('error', errnoException(err, 'accept'));
    return;
  }
  if (self.blockList && clientHandle.getpeername) {
    const remote = {};
    clientHandle.getpeername(remote);
    if (remote.address && self.blockList.check(remote.address, remote.family === 'IPv6' ? 'ipv6' : 'ipv4')) {
      clientHandle.close();
      return;
    }
  }
  if (self.maxConnections != null && self._connections >= self.maxConnections) {
    const data = {};
    if (clientHandle.getsockname) {
      const local = {};
      clientHandle.getsockname(local);
      data.localAddress = local.address;
      data.localPort = local.port;
      data.localFamily = local.family;
    }
    if (clientHandle.getpeername) {
      const remote = {};
      clientHandle.getpeername(remote);
      data.remoteAddress = remote.address;
      data.remotePort = remote.port;
      data.remoteFamily = remote.family;
    }
    clientHandle.close();
    self.emit('drop', data);
    return;
  }
  const socket = new Socket({
    handle: clientHandle, allowHalfOpen: self.allowHalfOpen, pauseOnCreate: self.pauseOnConnect,
    readable: true, writable: true, highWaterMark: self.highWaterMark,
  });
  if (self.noDelay && clientHandle.setNoDelay) {
    socket[kSetNoDelay] = true;
    clientHandle.setNoDelay(true);
  }
  if (self.keepAlive && clientHandle.setKeepAlive) {
    socket[kSetKeepAlive] = true;
    socket[kSetKeepAliveInitialDelay] = self.keepAliveInitialDelay;
    clientHandle.setKeepAlive(true, self.keepAliveInitialDelay);
  }
  self._connections++;
  socket.server = self;
  socket._server = self;
  dcChannels.publish('net.server.socket', () => ({ socket }));
  self.emit('connection', socket);
  if (!self.pauseOnConnect && !socket.destroyed && socket.readableFlowing !== false) socket._startReading();
}

let warnSimultaneousAccepts = true;
function _setSimultaneousAccepts() {
  if (warnSimultaneousAccepts) {
    process.emitWarning('net._setSimultaneousAccepts() is deprecated and will be removed.',
      'DeprecationWarning', 'DEP0121');
    warnSimultaneousAccepts = false;
  }
}

// consume(socket, fn): fn, already the socket's 'data' listener, gets what
// the socket reads straight from its handle, as Node's http parser consumes
// a socket's handle: no Readable buffer and no 'data' event in between.
// Only while the socket flows with nothing buffered; otherwise (paused, or
// bytes the program pushed) the bytes take the Readable's way to the same
// listener, so none is lost or reordered. Another 'data' or 'readable'
// listener ends it, as consume(socket, null) does. Nothing happens to a
// stream that is not a socket reading as net's own do.
function consume(socket, fn) {
  if (socket instanceof SocketClass && socket._onRead === SocketClass.prototype._onRead) {
    socket[kConsumer] = fn;
  }
}

// for dgram (node/dgram.js): the same lookups, errors and checks; for http,
// consume(); for child_process, the wraps (a child's stdio pipes are Pipe
// wraps over the natives' handles; a socket given as a child's stdio is
// passed by its native handle, rawHandle)
Object.assign(require('./internal/net-shared'), {
  lookupHost, accessDenied, exceptionWithHostPort, errnoException, isIP, validatePort, consume,
  TCP, Pipe, rawHandle: (wrap) => wrap[kRaw],
});

const Socket = callable(SocketClass);
const Server = callable(ServerClass, { allowCall: true });

module.exports = {
  _createServerHandle: deferredFunction('net._createServerHandle'),
  _normalizeArgs: normalizeArgs,
  _setSimultaneousAccepts,
  BlockList,
  SocketAddress,
  connect,
  createConnection: connect,
  createServer: (options, connectionListener) => new Server(options, connectionListener),
  isIP,
  isIPv4,
  isIPv6,
  Server,
  Socket,
  Stream: Socket,
  getDefaultAutoSelectFamily: () => autoSelectFamily,
  setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout: () => autoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout,
};
