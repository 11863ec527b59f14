// node/net.js — Node's `net` module at Tier 4 (docs/compat-matrix.md): it
// loads, its pure functions work (isIP, isIPv4, isIPv6, the
// auto-select-family defaults), net.Server objects can be made and carry
// their options, and everything that would open a socket throws
// "net.<api> is not supported in sandbox" until the network bridge lands.
'use strict';

const EventEmitter = require('events');
const { Duplex, getDefaultHighWaterMark } = require('stream');
const { codes } = require('./internal/errors');
const { validateBoolean, validateInteger } = require('./internal/validators');
const { notSupported, deferredFunction, deferredClass } = require('./internal/deferred');

// IP address syntax, as Node's isIP checks it (no leading zeros in IPv4
// parts; IPv6 with at most one '::', an IPv4 tail and a zone id).
const v4Part = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const v4Re = new RegExp(`^(?:${v4Part}\\.){3}${v4Part}$`);
const hexGroupRe = /^[0-9a-fA-F]{1,4}$/;
const zoneRe = /^[0-9a-zA-Z\-.:]+$/;

function isIPv4(input) {
  return v4Re.test(`${input}`);
}

function isIPv6(input) {
  let s = `${input}`;
  const pct = s.indexOf('%');
  if (pct !== -1) {
    if (!zoneRe.test(s.slice(pct + 1))) return false;
    s = s.slice(0, pct);
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (part) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = head.concat(tail);
  let count = all.length;
  // An IPv4 tail stands for two groups, and only at the very end.
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false;
    all.pop();
    count++;
  }
  if (!all.every((g) => hexGroupRe.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
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

// A server that keeps its options and listeners; listening needs the
// network bridge.
class Server extends EventEmitter {
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
    this.noDelay = Boolean(options.noDelay);
    this.keepAlive = Boolean(options.keepAlive);
    this.keepAliveInitialDelay = ~~(options.keepAliveInitialDelay / 1000);
    this.highWaterMark = options.highWaterMark ?? getDefaultHighWaterMark(false);
  }

  get listening() {
    return false;
  }

  listen() {
    throw notSupported('net.Server.listen');
  }

  address() {
    return null;
  }

  close(callback) {
    if (typeof callback === 'function') {
      process.nextTick(callback, codes.ERR_SERVER_NOT_RUNNING());
    }
    process.nextTick(() => this.emit('close'));
    return this;
  }

  getConnections(callback) {
    process.nextTick(callback, null, this._connections);
    return this;
  }

  ref() {
    return this;
  }

  unref() {
    return this;
  }

  [Symbol.asyncDispose]() {
    return new Promise((resolve) => this.close(() => resolve()));
  }
}

const Socket = deferredClass('net.Socket');
Object.setPrototypeOf(Socket.prototype, Duplex.prototype);

module.exports = {
  _createServerHandle: deferredFunction('net._createServerHandle'),
  _normalizeArgs: deferredFunction('net._normalizeArgs'),
  _setSimultaneousAccepts() {},
  BlockList: deferredClass('net.BlockList'),
  SocketAddress: deferredClass('net.SocketAddress'),
  connect: deferredFunction('net.connect'),
  createConnection: deferredFunction('net.createConnection'),
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
