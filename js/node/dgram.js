// node/dgram.js — Node's `dgram` module: UDP sockets (bridge/dgram.c).
//
// Every socket is made by the supervisor and handed in (bridge/netproto.h
// NETP_UDP_*): the broker here decides first ("udp-bind" for a bind,
// "udp-send" for a destination), then the supervisor on the address it is
// about to use. The guest reads its datagrams itself and sends on a
// connected socket itself; an addressed datagram is sent by the
// supervisor.
//
// One socket is of one kind for its life (write-down of the rule):
//  - bound on the sandbox's own loopback — an explicit bind(), or the
//    implicit bind of a socket whose first send or connect goes to the
//    sandbox (127.0.0.1, ::1, localhost, the unspecified address): it
//    reaches only the sandbox;
//  - a socket of the host's network namespace — the implicit bind of a
//    socket whose first send or connect goes outside (a granted address,
//    a granted name, host.internal): it reaches only outside.
// A datagram or connect to the other kind fails with ENETUNREACH (make
// another socket for it). Multicast membership and interfaces, and
// changing the kernel's buffer sizes, are refused (EPERM); a broadcast or
// multicast destination outside the sandbox is refused by the supervisor.
'use strict';

const EventEmitter = require('events');
const { Buffer } = require('buffer');
const { codes, systemError } = require('./internal/errors');
const dcChannels = require('./internal/dc-channels');
const { validateString, validateNumber, validateFunction, validateAbortSignal } =
  require('./internal/validators');
const { deferredFunction, notSupported } = require('./internal/deferred');
const binding = require('./internal/binding');
const { HOST_INTERNAL_V4 } = require('./internal/dns');
const { errnoName, errnoMessage } = require('./internal/errno');

require('./net'); // fills net-shared
const shared = require('./internal/net-shared');

const BIND_STATE_UNBOUND = 0;
const BIND_STATE_BINDING = 1;
const BIND_STATE_BOUND = 2;
const CONNECT_STATE_DISCONNECTED = 0;
const CONNECT_STATE_CONNECTING = 1;
const CONNECT_STATE_CONNECTED = 2;

const UV_UDP_REUSEADDR = 4; // os.constants.dgram / Node's flags
const UV_UDP_IPV6ONLY = 1;
const EACCES = -13;
const EPERM = -1;
const ENETUNREACH = -101;

const kState = Symbol('state');

function isArrayBufferView(v) {
  return ArrayBuffer.isView(v);
}

function errnoException(err, syscall, tail) {
  const ex = shared.errnoException(err, syscall);
  if (tail) ex.message += ` (${tail})`;
  return ex;
}

// Node's error for a failed send/bind/connect; the broker's and the
// supervisor's refusals are ERR_ACCESS_DENIED, a destination of the other
// kind says why.
function opError(err, syscall, address, port) {
  if (err === EACCES) return shared.accessDenied(syscall === 'bind' ? 'udp-bind' : 'udp-send', address, port);
  const ex = shared.exceptionWithHostPort(err, syscall, address, port);
  if (err === ENETUNREACH) {
    ex.message += ' (a UDP socket reaches either the sandbox\'s own loopback or outside it, ' +
      'as its first bind, send or connect decided: use another socket for the other)';
  }
  return ex;
}

// dns.lookup, read at each call (a program may replace it), as Node does.
function defaultLookup(family) {
  return (address, cb) => require('./dns').lookup(address, family, cb);
}

function newState(type, options) {
  if (type !== 'udp4' && type !== 'udp6') throw codes.ERR_SOCKET_BAD_TYPE();
  const family = type === 'udp4' ? 4 : 6;
  const lookup = options && options.lookup;
  if (lookup !== undefined) validateFunction(lookup, 'lookup');
  const dflt = family === 4 ? '127.0.0.1' : '::1';
  const base = lookup
    ? (address, cb) => lookup(address, family, cb)
    : defaultLookup(family);
  return {
    handle: binding.dgram.udpNew(family),
    family,
    customLookup: !!lookup,
    lookup: (address, cb) => base(address || dflt, cb),
    receiving: false,
    bindState: BIND_STATE_UNBOUND,
    connectState: CONNECT_STATE_DISCONNECTED,
    queue: undefined,
    reuseAddr: options && options.reuseAddr,
    ipv6Only: options && options.ipv6Only,
    recvBufferSize: options && options.recvBufferSize,
    sendBufferSize: options && options.sendBufferSize,
    unref: false,
    sendCount: 0,
    sendBytes: 0,
  };
}

function Socket(type, listener) {
  if (!new.target) return new Socket(type, listener);
  EventEmitter.call(this);
  let options;
  if (type !== null && typeof type === 'object') {
    options = type;
    type = options.type;
    for (const k of ['recvBufferSize', 'sendBufferSize']) {
      if (options[k] !== undefined) validateNumber(options[k], `options.${k}`);
    }
  }
  this.type = type;
  this[kState] = newState(type, options);
  if (typeof listener === 'function') this.on('message', listener);
  if (options && options.signal !== undefined) {
    const { signal } = options;
    validateAbortSignal(signal, 'options.signal');
    const onAborted = () => {
      if (this[kState].handle) this.close();
    };
    if (signal.aborted) onAborted();
    else {
      signal.addEventListener('abort', onAborted, { once: true });
      this.once('close', () => signal.removeEventListener('abort', onAborted));
    }
  }
  dcChannels.publish('udp.socket', () => ({ socket: this }));
}
Object.setPrototypeOf(Socket.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Socket, EventEmitter);

function createSocket(type, listener) {
  return new Socket(type, listener);
}

function healthCheck(socket) {
  if (!socket[kState].handle) throw codes.ERR_SOCKET_DGRAM_NOT_RUNNING();
}

function flagsOf(state) {
  return (state.reuseAddr ? 1 : 0) | (state.ipv6Only ? 2 : 0);
}

function onMessage(socket, n, bytes, address, port, family) {
  if (n < 0) {
    socket.emit('error', errnoException(n, 'recvmsg'));
    return;
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  socket.emit('message', buf, { address, family, port, size: buf.length });
}

function startListening(socket) {
  const state = socket[kState];
  binding.dgram.udpRecvStart(state.handle, (n, bytes, address, port, family) =>
    onMessage(socket, n, bytes, address, port, family));
  state.receiving = true;
  state.bindState = BIND_STATE_BOUND;
  if (state.recvBufferSize) bufferSize(socket, state.recvBufferSize, true);
  if (state.sendBufferSize) bufferSize(socket, state.sendBufferSize, false);
  socket.emit('listening');
}

// The sandbox's own addresses: its loopback and the unspecified address.
function sandboxAddress(ip) {
  if (typeof ip !== 'string') return false;
  if (shared.isIP(ip) === 4) return ip === '0.0.0.0' || ip.startsWith('127.');
  const s = ip.toLowerCase().replace(/%.*$/, '');
  return /^(0{0,4}:){2,7}0{0,3}1$/.test(s) || /^(0{0,4}:){2,7}0{0,4}$/.test(s) ||
    s === '::1' || s === '::' || s === '::ffff:127.0.0.1';
}

function bindFailed(socket, ex) {
  socket[kState].bindState = BIND_STATE_UNBOUND;
  socket.emit('error', ex);
}

Socket.prototype.bind = function bind(port_, address_ /* , callback */) {
  let port = port_;
  healthCheck(this);
  const state = this[kState];
  if (state.bindState !== BIND_STATE_UNBOUND) throw codes.ERR_SOCKET_ALREADY_BOUND();
  state.bindState = BIND_STATE_BINDING;

  const cb = arguments.length && arguments[arguments.length - 1];
  if (typeof cb === 'function') {
    const removeListeners = () => {
      this.removeListener('error', removeListeners);
      this.removeListener('listening', onListening);
    };
    const onListening = () => {
      removeListeners();
      cb.call(this);
    };
    this.on('error', removeListeners);
    this.on('listening', onListening);
  }

  if (port !== null && typeof port === 'object' && typeof port.recvStart === 'function') {
    state.bindState = BIND_STATE_UNBOUND;
    throw notSupported('dgram bind to a handle');
  }
  if (port !== null && typeof port === 'object' && Number.isInteger(port.fd) && port.fd > 0) {
    state.bindState = BIND_STATE_UNBOUND;
    throw notSupported('dgram bind to a file descriptor');
  }

  let address;
  if (port !== null && typeof port === 'object') {
    address = port.address || '';
    port = port.port;
  } else {
    address = typeof address_ === 'function' ? '' : address_;
  }
  if (!address) address = state.family === 4 ? '0.0.0.0' : '::';

  state.lookup(address, (err, ip) => {
    if (!state.handle) return; // closed meanwhile
    if (err) {
      bindFailed(this, err);
      return;
    }
    // as Node's handle reads it (a number, else 0)
    const p = typeof port === 'number' || typeof port === 'string' ? Number(port) >>> 0 : 0;
    let r;
    try {
      // the sandbox has no other address: nothing to decide
      r = sandboxAddress(ip) ? binding.dgram.udpBind(state.handle, ip,
        state.customLookup ? ip : address, p, flagsOf(state)) : -99;
    } catch (e) {
      bindFailed(this, e);
      return;
    }
    if (r < 0) {
      bindFailed(this, opError(r, 'bind', ip, port));
      return;
    }
    startListening(this);
  });
  return this;
};

// The implicit bind before a first send or connect to address:port: a
// socket of the sandbox's or of the host's, as the destination is (see
// the top of the file). The bind address is looked up first, as Node
// does; a destination that is a name is looked up for its kind (a
// program's own lookup sees that call). A destination refused or not
// found binds the sandbox's (harmless): the send or connect then fails on
// its own.
function implicitBind(socket, address, port) {
  const state = socket[kState];
  state.bindState = BIND_STATE_BINDING;
  const any = state.family === 4 ? '0.0.0.0' : '::';
  const onSandbox = () => {
    let r;
    try {
      r = binding.dgram.udpBind(state.handle, any, any, 0, flagsOf(state));
    } catch (e) {
      bindFailed(socket, e);
      return;
    }
    if (r < 0) bindFailed(socket, opError(r, 'bind', any, 0));
    else startListening(socket);
  };
  const forDest = (err, ip) => {
    if (!state.handle) return;
    if (err || typeof ip !== 'string') {
      onSandbox();
      return;
    }
    let r;
    try {
      r = binding.dgram.udpBindFor(state.handle, ip, state.customLookup ? ip : (address || ip),
        port, flagsOf(state));
    } catch {
      onSandbox();
      return;
    }
    if (r < 0) onSandbox(); // the destination's own refusal comes with the send
    else startListening(socket);
  };
  state.lookup(any, (err) => {
    if (err) {
      bindFailed(socket, err);
      return;
    }
    const dflt = state.family === 4 ? '127.0.0.1' : '::1';
    const dest = address || dflt;
    if (shared.isIP(dest)) forDest(null, dest);
    else if (/^localhost$/i.test(dest)) forDest(null, dflt);
    else if (/^host\.internal$/i.test(dest)) forDest(null, HOST_INTERNAL_V4);
    else state.lookup(dest, forDest);
  });
}

function enqueue(socket, fn) {
  const state = socket[kState];
  if (state.queue === undefined) {
    state.queue = [];
    const onError = () => {
      socket.removeListener('listening', onListening);
      state.queue = undefined;
    };
    const onListening = () => {
      socket.removeListener(EventEmitter.errorMonitor, onError);
      const queue = state.queue;
      state.queue = undefined;
      for (const f of queue) f();
    };
    socket.once(EventEmitter.errorMonitor, onError);
    socket.once('listening', onListening);
  }
  state.queue.push(fn);
}

Socket.prototype.connect = function connect(port, address, callback) {
  port = shared.validatePort(port, 'Port', false);
  if (typeof address === 'function') {
    callback = address;
    address = '';
  } else if (address === undefined) {
    address = '';
  }
  validateString(address, 'address');
  const state = this[kState];
  if (state.connectState !== CONNECT_STATE_DISCONNECTED) throw codes.ERR_SOCKET_DGRAM_IS_CONNECTED();
  state.connectState = CONNECT_STATE_CONNECTING;
  if (state.bindState === BIND_STATE_UNBOUND) implicitBind(this, address, port);
  if (state.bindState !== BIND_STATE_BOUND) {
    enqueue(this, () => doConnectLookup(this, port, address, callback));
    return;
  }
  doConnectLookup(this, port, address, callback);
};

function doConnectLookup(socket, port, address, callback) {
  const state = socket[kState];
  if (callback) socket.once('connect', callback);
  state.lookup(address, (ex, ip) => doConnect(ex, socket, ip, address, port, callback));
}

function doConnect(ex, socket, ip, address, port, callback) {
  const state = socket[kState];
  if (!state.handle) return;
  if (!ex) {
    try {
      const r = binding.dgram.udpConnect(state.handle, ip, state.customLookup ? ip : (address || ip), port);
      if (r < 0) ex = opError(r, 'connect', address, port);
    } catch (e) {
      ex = e;
    }
  }
  if (ex) {
    state.connectState = CONNECT_STATE_DISCONNECTED;
    process.nextTick(() => {
      if (callback) {
        socket.removeListener('connect', callback);
        callback(ex);
      } else {
        socket.emit('error', ex);
      }
    });
    return;
  }
  state.connectState = CONNECT_STATE_CONNECTED;
  process.nextTick(() => socket.emit('connect'));
}

Socket.prototype.disconnect = function disconnect() {
  const state = this[kState];
  if (state.connectState !== CONNECT_STATE_CONNECTED) throw codes.ERR_SOCKET_DGRAM_NOT_CONNECTED();
  const r = binding.dgram.udpDisconnect(state.handle);
  if (r < 0) throw errnoException(r, 'connect');
  state.connectState = CONNECT_STATE_DISCONNECTED;
};

Socket.prototype.sendto = function sendto(buffer, offset, length, port, address, callback) {
  validateNumber(offset, 'offset');
  validateNumber(length, 'length');
  validateNumber(port, 'port');
  validateString(address, 'address');
  this.send(buffer, offset, length, port, address, callback);
};

const bufferTypes = ['Buffer', 'TypedArray', 'DataView', 'string'];

function sliceBuffer(buffer, offset, length) {
  if (typeof buffer === 'string') buffer = Buffer.from(buffer);
  else if (!isArrayBufferView(buffer)) throw codes.ERR_INVALID_ARG_TYPE('buffer', bufferTypes, buffer);
  offset >>>= 0;
  length >>>= 0;
  if (offset > buffer.byteLength) throw codes.ERR_BUFFER_OUT_OF_BOUNDS('offset');
  if (offset + length > buffer.byteLength) throw codes.ERR_BUFFER_OUT_OF_BOUNDS('length');
  return Buffer.from(buffer.buffer, buffer.byteOffset + offset, length);
}

function fixBufferList(list) {
  const out = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    if (typeof b === 'string') out[i] = Buffer.from(b);
    else if (!isArrayBufferView(b)) return null;
    else out[i] = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }
  return out;
}

// send(buffer, offset, length, port, address, callback) and the shorter
// forms, as Node reads them (connected sockets take no port or address).
Socket.prototype.send = function send(buffer, offset, length, port, address, callback) {
  let list;
  const state = this[kState];
  const connected = state.connectState === CONNECT_STATE_CONNECTED;
  if (!connected) {
    if (address || (port && typeof port !== 'function')) {
      buffer = sliceBuffer(buffer, offset, length);
    } else {
      callback = port;
      port = offset;
      address = length;
    }
  } else {
    if (typeof length === 'number') {
      buffer = sliceBuffer(buffer, offset, length);
      if (typeof port === 'function') {
        callback = port;
        port = null;
      }
    } else {
      callback = offset;
    }
    if (port || address) throw codes.ERR_SOCKET_DGRAM_IS_CONNECTED();
  }

  if (!Array.isArray(buffer)) {
    if (typeof buffer === 'string') list = [Buffer.from(buffer)];
    else if (!isArrayBufferView(buffer)) throw codes.ERR_INVALID_ARG_TYPE('buffer', bufferTypes, buffer);
    else list = [buffer];
  } else if (!(list = fixBufferList(buffer))) {
    throw codes.ERR_INVALID_ARG_TYPE('buffer list arguments', bufferTypes, buffer);
  }

  if (!connected) port = shared.validatePort(port, 'Port', false);
  if (typeof callback !== 'function') callback = undefined;
  if (typeof address === 'function') {
    callback = address;
    address = undefined;
  } else if (address != null) {
    validateString(address, 'address');
  }

  healthCheck(this);
  if (state.bindState === BIND_STATE_UNBOUND) implicitBind(this, address, port);
  if (list.length === 0) list.push(Buffer.alloc(0));
  if (state.bindState !== BIND_STATE_BOUND) {
    enqueue(this, () => this.send(list, port, address, callback));
    return;
  }
  if (!connected) {
    state.lookup(address, (ex, ip) => doSend(ex, this, ip, list, address, port, callback));
  } else {
    doSend(null, this, null, list, address, port, callback);
  }
};

function sendFailed(socket, callback, ex) {
  if (callback) process.nextTick(callback, ex);
  else process.nextTick(() => socket.emit('error', ex));
}

function doSend(ex, socket, ip, list, address, port, callback) {
  const state = socket[kState];
  if (ex) {
    sendFailed(socket, callback, ex);
    return;
  }
  if (!state.handle) return;
  const data = list.length === 1 ? list[0] : Buffer.concat(list);
  if (!port) {
    // connected: sent here, on the guest's own socket
    const r = binding.dgram.udpSendConnected(state.handle, data);
    if (r >= 0) {
      if (callback) process.nextTick(callback, null, r);
    } else if (callback) {
      process.nextTick(callback, opError(r, 'send', address, port));
    }
    return;
  }
  const asked = state.customLookup ? ip : (address || ip);
  let r;
  try {
    r = binding.dgram.udpSend(state.handle, ip, asked, port, data, (status, sent) => {
      state.sendCount--;
      state.sendBytes -= data.length;
      if (status < 0) {
        const err = opError(status, 'send', address || ip, port);
        if (callback) callback(err);
        else if (status === EACCES || status === ENETUNREACH) socket.emit('error', err);
        return;
      }
      if (callback) callback(null, sent);
    });
  } catch (e) {
    sendFailed(socket, callback, e); // the broker's refusal
    return;
  }
  if (r < 0) {
    const err = opError(r, 'send', address || ip, port);
    if (callback) process.nextTick(callback, err);
    else if (r === ENETUNREACH) process.nextTick(() => socket.emit('error', err));
    return;
  }
  state.sendCount++;
  state.sendBytes += data.length;
}

Socket.prototype.close = function close(callback) {
  const state = this[kState];
  if (typeof callback === 'function') this.on('close', callback);
  if (state.queue !== undefined) {
    state.queue.push(() => this.close());
    return this;
  }
  healthCheck(this);
  stopReceiving(this);
  binding.dgram.udpClose(state.handle);
  state.handle = null;
  process.nextTick(() => this.emit('close'));
  return this;
};

Socket.prototype[Symbol.asyncDispose] = function asyncDispose() {
  if (!this[kState].handle) return Promise.resolve();
  return new Promise((resolve) => this.close(resolve));
};

function stopReceiving(socket) {
  const state = socket[kState];
  if (!state.receiving) return;
  binding.dgram.udpRecvStop(state.handle);
  state.receiving = false;
}

function addressOf(socket, peer) {
  const a = binding.dgram.udpAddress(socket[kState].handle, peer);
  if (typeof a === 'number') throw errnoException(a, peer ? 'getpeername' : 'getsockname');
  return { address: a[0], family: a[2], port: a[1] };
}

Socket.prototype.address = function address() {
  healthCheck(this);
  return addressOf(this, false);
};

Socket.prototype.remoteAddress = function remoteAddress() {
  healthCheck(this);
  if (this[kState].connectState !== CONNECT_STATE_CONNECTED) throw codes.ERR_SOCKET_DGRAM_NOT_CONNECTED();
  return addressOf(this, true);
};

function setOption(socket, which, value, syscall) {
  const r = binding.dgram.udpSetOption(socket[kState].handle, which, value);
  if (r < 0) throw errnoException(r, syscall);
}

Socket.prototype.setBroadcast = function setBroadcast(arg) {
  setOption(this, 0, arg ? 1 : 0, 'setBroadcast');
};

Socket.prototype.setTTL = function setTTL(ttl) {
  validateNumber(ttl, 'ttl');
  setOption(this, 1, ttl, 'setTTL');
  return ttl;
};

Socket.prototype.setMulticastTTL = function setMulticastTTL(ttl) {
  validateNumber(ttl, 'ttl');
  setOption(this, 2, ttl, 'setMulticastTTL');
  return ttl;
};

Socket.prototype.setMulticastLoopback = function setMulticastLoopback(arg) {
  setOption(this, 3, arg ? 1 : 0, 'setMulticastLoopback');
  return arg;
};

// Multicast groups and interfaces: not in the sandbox (a group joined on a
// socket of the host's would listen on the host's network).
function noMulticast(syscall, ...addresses) {
  for (const a of addresses) {
    if (a !== undefined && !shared.isIP(a)) throw errnoException(-22, syscall);
  }
  throw errnoException(EPERM, syscall, 'multicast is not available in the sandbox');
}

Socket.prototype.setMulticastInterface = function setMulticastInterface(interfaceAddress) {
  healthCheck(this);
  validateString(interfaceAddress, 'interfaceAddress');
  noMulticast('setMulticastInterface');
};

Socket.prototype.addMembership = function addMembership(multicastAddress, interfaceAddress) {
  healthCheck(this);
  if (!multicastAddress) throw codes.ERR_MISSING_ARGS('multicastAddress');
  noMulticast('addMembership', multicastAddress, interfaceAddress);
};

Socket.prototype.dropMembership = function dropMembership(multicastAddress, interfaceAddress) {
  healthCheck(this);
  if (!multicastAddress) throw codes.ERR_MISSING_ARGS('multicastAddress');
  noMulticast('dropMembership', multicastAddress, interfaceAddress);
};

Socket.prototype.addSourceSpecificMembership = function addSourceSpecificMembership(
  sourceAddress, groupAddress, interfaceAddress) {
  healthCheck(this);
  validateString(sourceAddress, 'sourceAddress');
  validateString(groupAddress, 'groupAddress');
  noMulticast('addSourceSpecificMembership', sourceAddress, groupAddress, interfaceAddress);
};

Socket.prototype.dropSourceSpecificMembership = function dropSourceSpecificMembership(
  sourceAddress, groupAddress, interfaceAddress) {
  healthCheck(this);
  validateString(sourceAddress, 'sourceAddress');
  validateString(groupAddress, 'groupAddress');
  noMulticast('dropSourceSpecificMembership', sourceAddress, groupAddress, interfaceAddress);
};

Socket.prototype.ref = function ref() {
  const { handle } = this[kState];
  if (handle) binding.dgram.udpRef(handle, true);
  return this;
};

Socket.prototype.unref = function unref() {
  const { handle } = this[kState];
  if (handle) binding.dgram.udpRef(handle, false);
  return this;
};

// Sizes are read; setting one is refused (EPERM: the sandbox's sysctls
// size socket buffers, inside the memory budget).
function bufferSize(socket, size, recv) {
  if (size >>> 0 !== size) throw codes.ERR_SOCKET_BAD_BUFFER_SIZE();
  const { handle } = socket[kState];
  const r = handle ? binding.dgram.udpBufferSize(handle, size, recv) : -9;
  if (r < 0) {
    throw systemError('ERR_SOCKET_BUFFER_SIZE', 'Could not get or set buffer size', {
      errno: r,
      code: errnoName(r) || `E${-r}`,
      message: errnoMessage(r) || 'unknown error',
      syscall: recv ? 'uv_recv_buffer_size' : 'uv_send_buffer_size',
    });
  }
  return r;
}

Socket.prototype.setRecvBufferSize = function setRecvBufferSize(size) {
  bufferSize(this, size, true);
};
Socket.prototype.setSendBufferSize = function setSendBufferSize(size) {
  bufferSize(this, size, false);
};
Socket.prototype.getRecvBufferSize = function getRecvBufferSize() {
  return bufferSize(this, 0, true);
};
Socket.prototype.getSendBufferSize = function getSendBufferSize() {
  return bufferSize(this, 0, false);
};
// Datagrams handed to the supervisor and not yet answered.
Socket.prototype.getSendQueueSize = function getSendQueueSize() {
  return this[kState].sendBytes;
};
Socket.prototype.getSendQueueCount = function getSendQueueCount() {
  return this[kState].sendCount;
};

module.exports = {
  _createSocketHandle: deferredFunction('dgram._createSocketHandle'),
  createSocket,
  Socket,
};
