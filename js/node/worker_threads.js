'use strict';
// worker_threads: Worker, MessageChannel, MessagePort, BroadcastChannel and
// the thread's own facts, over bridge/worker.c. A Worker is a runtime of its
// own (an isolate from the same snapshot, its own loop) on an OS thread of
// the sandbox; messages are V8's structured clone (isolate/v8/message.cc).
//
// A MessagePort is the native port handle itself (its prototype set here),
// so the serializer finds the ports of a transfer list wherever they sit in
// the value. Each Worker has two channels to its thread: the public one
// (worker.postMessage / parentPort) and a control one for the runtime's own
// words: online, the worker's stdout/stderr chunks, its uncaught error.

const binding = require('./internal/binding');
const EventEmitter = require('events');
const { makeNodeError, codes } = require('./internal/errors');
const dcChannels = require('./internal/dc-channels');

const native = () => binding.worker;

// ---- thread facts ------------------------------------------------------------

const thread = {
  isMainThread: true,
  threadId: 0,
  parentPort: null,
  workerData: null,
  resourceLimits: {},
  ctl: null,
};
const environmentData = new Map();
const untransferable = new WeakSet();

function markAsUntransferable(obj) {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return;
  untransferable.add(obj);
}

function isMarkedAsUntransferable(obj) {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return false;
  return untransferable.has(obj);
}

function markAsUncloneable(obj) {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return;
  untransferable.add(obj);
}

function getEnvironmentData(key) {
  return environmentData.get(key);
}

function setEnvironmentData(key, value) {
  if (value === undefined) environmentData.delete(key);
  else environmentData.set(key, value);
}

const SHARE_ENV = Symbol.for('nodejs.worker_threads.SHARE_ENV');

// ---- errors --------------------------------------------------------------------

function dataCloneError(message) {
  const { DOMException } = require('./internal/dom-exception');
  return new DOMException(message, 'DataCloneError');
}

// The bridge's DataCloneError (an Error named so) as Node's DOMException.
function asDomException(err) {
  if (err !== null && typeof err === 'object' && err.name === 'DataCloneError' &&
      !(err instanceof require('./internal/dom-exception').DOMException)) {
    return dataCloneError(err.message);
  }
  return err;
}

// ---- MessagePort -----------------------------------------------------------------

const portState = new WeakMap(); // port -> { started, closed, closeEmitted, wrappers }

function MessagePort() {
  throw makeNodeError(TypeError, 'ERR_CONSTRUCT_CALL_INVALID', 'Constructor cannot be called');
}
// Node's NodeEventTarget between MessagePort and the emitter: the web's
// listener methods beside on/emit.
const eventTarget = Object.create(EventEmitter.prototype);
Object.setPrototypeOf(MessagePort.prototype, eventTarget);
Object.setPrototypeOf(MessagePort, EventEmitter);

function isPort(value) {
  return value !== null && typeof value === 'object' && native().isPort(value);
}

function stateOf(port) {
  let s = portState.get(port);
  if (s === undefined) {
    s = { started: false, closed: false, closeEmitted: false, internal: false, wrappers: new Map() };
    portState.set(port, s);
  }
  return s;
}

// A native port handle made a MessagePort of this thread: it hears of its
// close from this thread's loop at once, of its messages once started.
function adoptPort(handle) {
  Object.setPrototypeOf(handle, MessagePort.prototype);
  EventEmitter.init.call(handle);
  stateOf(handle);
  handle.on('newListener', onNewListener);
  handle.on('removeListener', onRemoveListener);
  native().portStart(handle, (closed) => onPortWake(handle, closed));
  require('./internal/async-context').initResource('MESSAGEPORT', handle);
  return handle;
}

function onNewListener(name) {
  if (name === 'message' || name === 'messageerror') {
    const s = stateOf(this);
    if (!s.closed) {
      startPort(this);
      if (!s.internal) native().portRef(this, true);
    }
  }
}

function onRemoveListener(name) {
  if ((name === 'message' || name === 'messageerror') &&
      this.listenerCount('message') === 0 && this.listenerCount('messageerror') === 0) {
    const s = stateOf(this);
    if (s.started && !s.closed && !s.internal) {
      native().portResume(this, false);
      native().portRef(this, false);
      s.started = false;
    }
  }
}

// The web MessageEvent (compiled at its first use, with fetch's bundle)
// that an event listener gets: target and ports are the port's own.
function makeEvent(type, port, data, ports) {
  let event;
  try {
    event = new globalThis.MessageEvent(type, { data });
  } catch {
    event = { type, data, origin: '', lastEventId: '', source: null };
  }
  for (const [key, value] of [['target', port], ['currentTarget', port], ['srcElement', port], ['ports', ports]]) {
    Object.defineProperty(event, key, { value, enumerable: true, configurable: true });
  }
  return event;
}

// The ports of the message being emitted, for the event listeners' event.
let deliveredPorts = [];

function deliver(port, value, ports) {
  if (port.listenerCount('message') === 0) return;
  deliveredPorts = ports;
  try {
    port.emit('message', value);
  } finally {
    deliveredPorts = [];
  }
}

// One message from the native queue into JS, or the close; whether it
// took a message.
function onPortWake(port, closed) {
  if (closed) {
    emitClose(port);
    return false;
  }
  let r;
  try {
    r = native().portReceive(port);
  } catch (err) {
    if (port.listenerCount('messageerror') > 0) port.emit('messageerror', err);
    return true;
  }
  if (r === undefined) return false;
  const ports = r.length > 1 ? r.slice(1).map(adoptPort) : [];
  deliver(port, r[0], ports);
  return true;
}

function startPort(port) {
  const s = stateOf(port);
  if (s.started || s.closed) return;
  s.started = true;
  native().portResume(port, true);
}

function emitClose(port) {
  const s = stateOf(port);
  s.closed = true;
  native().portStop(port);
  s.started = false;
  if (s.closeEmitted) return;
  s.closeEmitted = true;
  port.emit('close');
}

// A transfer list: an iterable, or options with one as `transfer`.
function transferListOf(transfer) {
  if (transfer === undefined || transfer === null) return undefined;
  const notIterable = (what) => makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
    `Optional ${what} argument must be an iterable`);
  if (typeof transfer !== 'object') throw notIterable('transferList');
  let what = 'transferList';
  if (typeof transfer[Symbol.iterator] !== 'function') {
    transfer = transfer.transfer;
    what = 'options.transfer';
    if (transfer === undefined) return undefined;
    if (transfer === null || typeof transfer !== 'object' ||
        typeof transfer[Symbol.iterator] !== 'function') {
      throw notIterable(what);
    }
  }
  let list;
  try {
    list = Array.from(transfer);
  } catch {
    throw notIterable(what);
  }
  for (const item of list) {
    if (item !== null && typeof item === 'object' && untransferable.has(item)) {
      throw dataCloneError('An ArrayBuffer is marked as untransferable');
    }
  }
  return list;
}

function post(port, value, list) {
  let r;
  try {
    r = native().portPost(port, value, list);
  } catch (err) {
    throw asDomException(err);
  }
  if (r === -1) {
    process.emitWarning('The target port was posted to itself, and the communication channel was lost');
  }
  return r === 1;
}

Object.defineProperties(MessagePort.prototype, {
  postMessage: {
    value: function postMessage(value, transfer) {
      if (!isPort(this)) {
        if (portState.has(this)) return; // moved to another thread
        throw codes.ERR_INVALID_ARG_TYPE('this', 'MessagePort', this);
      }
      if (arguments.length === 0) {
        throw makeNodeError(TypeError, 'ERR_MISSING_ARGS', 'The "message" argument must be specified');
      }
      const list = transferListOf(transfer);
      if (list !== undefined) {
        if (list.includes(this)) throw dataCloneError('Transfer list contains source port');
        for (const item of list) {
          if (portState.has(item) && (portState.get(item).closed || !isPort(item))) {
            throw dataCloneError('MessagePort in transfer list is already detached');
          }
        }
      }
      if (stateOf(this).closed) return;
      post(this, value, list);
    },
    writable: true, configurable: true, enumerable: true,
  },
  start: {
    value: function start() {
      startPort(this);
    },
    writable: true, configurable: true, enumerable: true,
  },
  close: {
    value: function close(cb) {
      if (typeof cb === 'function') this.once('close', cb);
      const s = stateOf(this);
      if (s.closed) return;
      s.closed = true;
      // the messages already here are still emitted, then 'close' (on both
      // sides), from each side's loop
      native().portClose(this);
    },
    writable: true, configurable: true, enumerable: true,
  },
  ref: {
    value: function ref() {
      native().portRef(this, true);
      return this;
    },
    writable: true, configurable: true, enumerable: true,
  },
  unref: {
    value: function unref() {
      native().portRef(this, false);
      return this;
    },
    writable: true, configurable: true, enumerable: true,
  },
  hasRef: {
    value: function hasRef() {
      return native().portHasRef(this);
    },
    writable: true, configurable: true, enumerable: true,
  },
  [Symbol.toStringTag]: { value: 'MessagePort', configurable: true },
  [Symbol.for('nodejs.util.inspect.custom')]: {
    value: function inspectPort(depth, options, inspect) {
      const s = portState.get(this);
      const active = isPort(this) && s !== undefined && !s.closed && !native().portDrained(this);
      const shown = { active, refed: active && native().portHasRef(this) };
      return `MessagePort [EventTarget] ${inspect(shown, options)}`;
    },
    writable: true, configurable: true,
  },
});

Object.defineProperties(eventTarget, {
  addEventListener: {
    value: function addEventListener(type, listener, options) {
      if (typeof listener !== 'function' && !(listener && typeof listener.handleEvent === 'function')) return;
      const s = stateOf(this);
      const key = `${type}`;
      let byType = s.wrappers.get(key);
      if (byType === undefined) s.wrappers.set(key, byType = new Map());
      if (byType.has(listener)) return;
      const once = options !== null && typeof options === 'object' && options.once === true;
      const port = this;
      const wrapper = function (data, ports) {
        if (once) port.removeEventListener(type, listener);
        // other events are Node's CustomEvents: what emit() was given is detail
        const event = type === 'message' || type === 'messageerror'
          ? makeEvent(type, port, data, ports || deliveredPorts)
          : { type, detail: data, target: port, currentTarget: port };
        if (typeof listener === 'function') listener.call(port, event);
        else listener.handleEvent(event);
      };
      byType.set(listener, wrapper);
      this.on(type, wrapper);
    },
    writable: true, configurable: true, enumerable: true,
  },
  removeEventListener: {
    value: function removeEventListener(type, listener) {
      const byType = stateOf(this).wrappers.get(`${type}`);
      if (byType === undefined || !byType.has(listener)) return;
      const wrapper = byType.get(listener);
      byType.delete(listener);
      this.removeListener(type, wrapper);
    },
    writable: true, configurable: true, enumerable: true,
  },
  dispatchEvent: {
    value: function dispatchEvent(event) {
      this.emit(event.type, event.data);
      return true;
    },
    writable: true, configurable: true, enumerable: true,
  },
});

for (const type of ['message', 'messageerror']) {
  const slot = new WeakMap();
  Object.defineProperty(MessagePort.prototype, `on${type}`, {
    get() {
      return slot.get(this) || null;
    },
    set(fn) {
      const old = slot.get(this);
      if (old) this.removeEventListener(type, old);
      if (typeof fn === 'function') {
        slot.set(this, fn);
        this.addEventListener(type, fn);
      } else {
        slot.delete(this);
      }
    },
    configurable: true, enumerable: true,
  });
}

function newChannel() {
  const port1 = native().channel();
  const port2 = native().channelPeer();
  return [adoptPort(port1), adoptPort(port2)];
}

function MessageChannel() {
  if (new.target === undefined) {
    throw makeNodeError(TypeError, 'ERR_CONSTRUCT_CALL_REQUIRED',
      'Class constructor MessageChannel cannot be invoked without \'new\'');
  }
  const [port1, port2] = newChannel();
  this.port1 = port1;
  this.port2 = port2;
}

function receiveMessageOnPort(port) {
  if (port instanceof BroadcastChannel && port[kPort]) port = port[kPort];
  if (!isPort(port)) {
    throw makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      'The "port" argument must be a MessagePort instance');
  }
  let r;
  try {
    r = native().portReceive(port);
  } catch (err) {
    throw asDomException(err);
  }
  if (r === undefined) return undefined;
  const ports = r.length > 1 ? r.slice(1).map(adoptPort) : [];
  void ports;
  return { message: r[0] };
}

function moveMessagePortToContext(port) {
  if (portState.has(port) && (portState.get(port).closed || !isPort(port))) {
    throw makeNodeError(Error, 'ERR_CLOSED_MESSAGE_PORT', 'Cannot send data on closed MessagePort');
  }
  throw makeNodeError(Error, 'ERR_METHOD_NOT_IMPLEMENTED',
    'moveMessagePortToContext is not supported in sandbox');
}

// ---- BroadcastChannel ----------------------------------------------------------
// Every BroadcastChannel of a name, on any thread, hears the others' messages.
// Each one is a port whose peer the bridge's registry keeps (broadcast*).

const kName = Symbol('kName');
const kPort = Symbol('kPort');

function checkChannel(self) {
  if (self === null || typeof self !== 'object' || !(kName in self)) {
    throw makeNodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type BroadcastChannel');
  }
}

class BroadcastChannel extends EventEmitter {
  constructor(name) {
    if (arguments.length === 0) {
      throw makeNodeError(TypeError, 'ERR_MISSING_ARGS', 'The "name" argument must be specified');
    }
    const text = `${name}`;
    super();
    this[kName] = text;
    const port = adoptPort(native().broadcastJoin(this[kName], false));
    this[kPort] = port;
    port.on('message', (data) => {
      this.emit('message', makeEvent('message', this, data, []));
    });
  }

  get name() {
    checkChannel(this);
    return this[kName];
  }

  postMessage(message) {
    checkChannel(this);
    if (this[kPort] === null) {
      throw dataCloneError('BroadcastChannel is closed.');
    }
    if (arguments.length === 0) {
      throw makeNodeError(TypeError, 'ERR_MISSING_ARGS', 'The "message" argument must be specified');
    }
    try {
      native().broadcastPost(this[kPort], message);
    } catch (err) {
      throw asDomException(err);
    }
  }

  close() {
    checkChannel(this);
    if (this[kPort] === null) return;
    const port = this[kPort];
    this[kPort] = null;
    native().broadcastLeave(port);
    port.removeAllListeners('message');
    port.close();
  }

  addEventListener(type, listener) {
    this.on(type, typeof listener === 'function' ? listener : (e) => listener.handleEvent(e));
  }

  removeEventListener(type, listener) {
    this.removeListener(type, listener);
  }

  ref() {
    checkChannel(this);
    if (this[kPort]) this[kPort].ref();
    return this;
  }

  unref() {
    checkChannel(this);
    if (this[kPort]) this[kPort].unref();
    return this;
  }

  [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) {
    return `BroadcastChannel ${inspect({ name: this[kName], active: this[kPort] !== null }, options)}`;
  }
}

// onmessage/onmessageerror: a listener in the order it was set, as the
// web's event handler attributes.
for (const type of ['message', 'messageerror']) {
  const slot = new WeakMap();
  Object.defineProperty(BroadcastChannel.prototype, `on${type}`, {
    get() {
      const h = slot.get(this);
      return h ? h.fn : null;
    },
    set(fn) {
      const old = slot.get(this);
      if (old) this.removeListener(type, old.wrapper);
      if (typeof fn === 'function') {
        const wrapper = (e) => fn.call(this, e);
        slot.set(this, { fn, wrapper });
        this.on(type, wrapper);
      } else {
        slot.delete(this);
      }
    },
    configurable: true, enumerable: true,
  });
}

// ---- postMessageToThread -----------------------------------------------------------
// Each thread that can be reached has an inbox: a registry member named
// after its threadId (bridge/worker.c). A worker's is made by its parent
// when the Worker is (so a message may wait for the worker to start), the
// main thread's at its first 'workerMessage' listener or send. A message
// carries a reply port; the destination answers whether a listener took it.

const inboxPrefix = 'thread:';

function messagingError(code, message) {
  return makeNodeError(Error, code, message);
}

// The inbox of this thread: what arrives is 'workerMessage' on process.
function listenInbox(port) {
  stateOf(port).internal = true;
  port.on('message', (msg) => {
    if (msg === null || typeof msg !== 'object' || !isPort(msg.reply)) return;
    const { reply } = msg;
    let status = 'ok';
    if (process.listenerCount('workerMessage') === 0) {
      status = 'failed';
    } else {
      try {
        process.emit('workerMessage', msg.value, msg.source);
      } catch {
        status = 'errored';
      }
    }
    try {
      reply.postMessage(status);
    } finally {
      reply.close();
    }
  });
  native().portRef(port, false);
  return port;
}

let mainInbox = null;
function ensureMainInbox() {
  if (!thread.isMainThread || mainInbox !== null) return;
  mainInbox = listenInbox(adoptPort(native().broadcastJoin('', true)));
  native().inboxName(mainInbox, `${inboxPrefix}${thread.threadId}`);
}
process.on('newListener', (name) => {
  if (name === 'workerMessage') ensureMainInbox();
});

function postMessageToThread(threadId, value, transferList, timeout) {
  if (typeof transferList === 'number' && timeout === undefined) {
    timeout = transferList;
    transferList = undefined;
  }
  if (typeof threadId !== 'number') {
    return Promise.reject(codes.ERR_INVALID_ARG_TYPE('threadId', 'number', threadId));
  }
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0))) {
    return Promise.reject(codes.ERR_INVALID_ARG_TYPE('timeout', 'number', timeout));
  }
  if (threadId === thread.threadId) {
    return Promise.reject(messagingError('ERR_WORKER_MESSAGING_SAME_THREAD',
      'Cannot sent a message to the same thread'));
  }
  ensureMainInbox();
  let list;
  try {
    list = transferListOf(transferList) || [];
  } catch (err) {
    return Promise.reject(err);
  }
  const [mine, theirs] = newChannel();
  let posted;
  try {
    posted = native().inboxPost(`${inboxPrefix}${threadId}`,
      { value, source: thread.threadId, reply: theirs }, [theirs, ...list]);
  } catch (err) {
    mine.close();
    return Promise.reject(asDomException(err));
  }
  const failed = () => messagingError('ERR_WORKER_MESSAGING_FAILED',
    'Cannot find the destination thread or listener');
  if (!posted) {
    mine.close();
    return Promise.reject(failed());
  }
  return new Promise((resolve, reject) => {
    let timer = null;
    let settled = false;
    const settle = (err) => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      mine.removeAllListeners('message');
      mine.close();
      if (err) reject(err);
      else resolve();
    };
    if (timeout !== undefined) {
      timer = setTimeout(() => settle(messagingError('ERR_WORKER_MESSAGING_TIMEOUT',
        'Sending a message to another thread timed out')), timeout);
    }
    mine.on('message', (status) => {
      if (status === 'ok') settle();
      else if (status === 'errored') {
        settle(messagingError('ERR_WORKER_MESSAGING_ERRORED',
          'The destination thread threw an error while processing the message'));
      } else settle(failed());
    });
    mine.once('close', () => settle(failed()));
  });
}

// ---- Worker (the parent's side) --------------------------------------------------

const kHandle = Symbol('kHandle');
const kPublic = Symbol('kPublic');
const kCtl = Symbol('kCtl');
const kExitCode = Symbol('kExitCode');
const kOptions = Symbol('kOptions');
const kLimits = Symbol('kLimits');
const kExiting = Symbol('kExiting');

function workerError(code, message, Base = Error) {
  return makeNodeError(Base, code, message);
}

// The worker's uncaught exception as the parent sees it: an error of the
// same kind (message, stack and own properties), or the value thrown.
function serializeError(err) {
  try {
    if (err !== null && typeof err === 'object' && (err instanceof Error || typeof err.stack === 'string')) {
      const props = {};
      for (const key of Object.keys(err)) {
        try {
          props[key] = require('./util').types.isNativeError(err[key]) ? String(err[key]) : err[key];
        } catch {
          // getters that throw are left out
        }
      }
      let ctor = 'Error';
      try {
        ctor = err.constructor && typeof err.constructor.name === 'string' ? err.constructor.name : 'Error';
      } catch {
        ctor = 'Error';
      }
      // a stack getter (or Error.prepareStackTrace) that throws leaves none
      let stack;
      try {
        stack = err.stack;
      } catch {
        stack = undefined;
      }
      const out = { kind: 'error', ctor, name: err.name, message: err.message, stack, props };
      try {
        structuredClone(out);
        return out;
      } catch {
        return { kind: 'error', ctor, name: String(err.name), message: String(err.message), stack: typeof stack === 'string' ? stack : undefined, props: {} };
      }
    }
    structuredClone(err);
    return { kind: 'value', value: err };
  } catch {
    return { kind: 'value', value: require('util').inspect(err) };
  }
}

function deserializeError(s) {
  if (s === null || typeof s !== 'object' || s.kind !== 'error') return s && s.value;
  const Ctor = typeof globalThis[s.ctor] === 'function' && (globalThis[s.ctor] === Error ||
    globalThis[s.ctor].prototype instanceof Error) ? globalThis[s.ctor] : Error;
  const err = Object.create(Ctor.prototype);
  const define = (key, value) => Object.defineProperty(err, key, {
    value, writable: true, configurable: true, enumerable: false,
  });
  define('message', s.message);
  define('stack', s.stack);
  if (s.name !== Ctor.prototype.name) define('name', s.name);
  if (s.props) Object.assign(err, s.props);
  return err;
}

function validateLimits(limits) {
  const out = {};
  if (limits === undefined) return out;
  if (limits === null || typeof limits !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('options.resourceLimits', 'object', limits);
  }
  for (const key of ['maxYoungGenerationSizeMb', 'maxOldGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb']) {
    const v = limits[key];
    if (v === undefined) continue;
    if (typeof v !== 'number') throw codes.ERR_INVALID_ARG_TYPE(`options.resourceLimits.${key}`, 'number', v);
    if (v > 0) out[key] = v;
  }
  return out;
}

// SHARE_ENV: one environment for the threads that share it (the bridge's,
// under a lock), seen through this object as process.env's variables.
let sharedEnv = null;
function sharedEnvObject() {
  if (sharedEnv !== null) return sharedEnv;
  const n = native();
  const descriptor = (value) => (value === undefined ? undefined
    : { value, writable: true, enumerable: true, configurable: true });
  sharedEnv = new Proxy({}, {
    get: (t, key) => (typeof key === 'string' ? n.sharedEnvGet(key) : undefined),
    set: (t, key, value) => {
      if (typeof key === 'string') n.sharedEnvSet(key, `${value}`);
      return true;
    },
    has: (t, key) => typeof key === 'string' && n.sharedEnvGet(key) !== undefined,
    deleteProperty: (t, key) => {
      if (typeof key === 'string') n.sharedEnvDelete(key);
      return true;
    },
    ownKeys: () => n.sharedEnvKeys(),
    getOwnPropertyDescriptor: (t, key) => (typeof key === 'string' ? descriptor(n.sharedEnvGet(key)) : undefined),
    defineProperty: (t, key, desc) => {
      if (typeof key === 'string') n.sharedEnvSet(key, `${desc.value}`);
      return true;
    },
  });
  return sharedEnv;
}

// This thread's process.env becomes the shared one (filled from it when
// no thread shared one before).
function shareEnv(proc) {
  if (sharedEnv !== null) return;
  const mine = proc.envCopy();
  const shared = sharedEnvObject();
  if (native().sharedEnvInit()) {
    for (const key of Object.keys(mine)) native().sharedEnvSet(key, mine[key]);
  }
  proc.setEnvFrom(shared);
}

function workerEnv(env) {
  const proc = require('./internal/worker-hooks').process;
  if (env === SHARE_ENV) {
    shareEnv(proc);
    return null;
  }
  if (env === undefined || env === null) return proc.envCopy();
  if (typeof env !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('options.env', ['object', 'undefined', 'null', 'worker_threads.SHARE_ENV'], env);
  }
  const out = {};
  for (const key of Object.keys(env)) out[key] = `${env[key]}`;
  return out;
}

function scriptOf(filename, options) {
  const path = require('path');
  if (options.eval) {
    if (typeof filename !== 'string') {
      throw codes.ERR_INVALID_ARG_VALUE('options.eval', options.eval,
        'must be false when \'filename\' is not a string');
    }
    return { script: null, code: filename };
  }
  const { URL, fileURLToPath } = require('url');
  if (filename instanceof URL || (filename !== null && typeof filename === 'object' &&
      typeof filename.href === 'string' && typeof filename.protocol === 'string')) {
    if (filename.protocol === 'data:') {
      // an ES module of its own: the eval is one (no CommonJS globals)
      return { script: null, code: `import ${JSON.stringify(filename.href)};` };
    }
    if (filename.protocol !== 'file:') {
      throw makeNodeError(TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file or data');
    }
    return { script: fileURLToPath(filename), code: null };
  }
  if (typeof filename !== 'string') {
    throw codes.ERR_INVALID_ARG_TYPE('filename', ['string', 'URL'], filename);
  }
  if (!path.isAbsolute(filename) && !/^\.\.?[\\/]/.test(filename)) {
    let hint = '';
    if (filename.startsWith('file://')) hint = ' Wrap file:// URLs with `new URL`.';
    else if (filename.startsWith('data:')) hint = ' Wrap data: URLs with `new URL`.';
    throw makeNodeError(TypeError, 'ERR_WORKER_PATH',
      'The worker script or module filename must be an absolute path or a relative path starting ' +
      `with './' or '../'.${hint} Received "${filename}"`);
  }
  return { script: path.resolve(filename), code: null };
}

// The Node options a worker may be given (per thread in Node; here they
// are taken and change nothing the sandbox decides).
const workerFlags = new Set([
  '--expose-gc', '--expose_gc', '--no-warnings', '--trace-warnings', '--no-deprecation',
  '--trace-deprecation', '--throw-deprecation', '--pending-deprecation', '--trace-uncaught',
  '--enable-source-maps', '--stack-trace-limit', '--max-old-space-size', '--max-semi-space-size',
  '--stack-size', '--unhandled-rejections', '--experimental-vm-modules', '--conditions', '-C',
  '--input-type', '--experimental-default-type', '--harmony', '--abort-on-uncaught-exception',
  '--require', '-r', '--import', '--loader', '--experimental-loader', '--no-experimental-fetch',
  '--frozen-intrinsics', '--disallow-code-generation-from-strings', '--jitless',
]);

function checkFlags(list, what) {
  const bad = [];
  for (const flag of list) {
    const name = `${flag}`.split('=')[0];
    if (!workerFlags.has(name) && !name.startsWith('--experimental-') && !name.startsWith('--no-experimental-')) {
      bad.push(`${flag}`);
    }
  }
  if (bad.length > 0) {
    throw makeNodeError(Error, 'ERR_WORKER_INVALID_EXEC_ARGV', `Initiated Worker with ${what}: ${bad.join(', ')}`);
  }
}

function stdioReadable() {
  const { Readable } = require('stream');
  return new Readable({ read() {} });
}

class Worker extends EventEmitter {
  constructor(filename, options = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'object', options);
    }
    const { script, code } = scriptOf(filename, options);
    if (options.execArgv !== undefined && !Array.isArray(options.execArgv)) {
      throw codes.ERR_INVALID_ARG_TYPE('options.execArgv', 'Array', options.execArgv);
    }
    checkFlags(options.execArgv || [], 'invalid execArgv flags');
    if (options.env !== null && typeof options.env === 'object' &&
        typeof options.env.NODE_OPTIONS === 'string') {
      checkFlags(options.env.NODE_OPTIONS.split(/\s+/).filter(Boolean), 'invalid NODE_OPTIONS env variable');
    }
    if (options.argv !== undefined && !Array.isArray(options.argv)) {
      throw codes.ERR_INVALID_ARG_TYPE('options.argv', 'Array', options.argv);
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw codes.ERR_INVALID_ARG_TYPE('options.name', 'string', options.name);
    }
    const limits = validateLimits(options.resourceLimits);
    const env = workerEnv(options.env);
    const list = transferListOf(options.transferList) || [];
    const [ctlParent, ctlWorker] = newChannel();
    const [pubParent, pubWorker] = newChannel();
    // the worker's inbox (postMessageToThread)
    const threadId = native().reserveThreadId();
    const inbox = native().broadcastJoin('', true);
    native().inboxName(inbox, `${inboxPrefix}${threadId}`);
    const init = {
      workerData: options.workerData,
      environmentData: new Map(environmentData),
      env,
      argv: (options.argv || []).map((a) => String(a)),
      execArgv: options.execArgv || process.execArgv,
      name: options.name || '',
      ctl: ctlWorker,
      pub: pubWorker,
      inbox,
      stdin: options.stdin === true,
      limits,
    };
    let handle;
    try {
      handle = native().spawn(script, code, init, [ctlWorker, pubWorker, inbox, ...list],
        limits.maxOldGenerationSizeMb, limits.maxYoungGenerationSizeMb, limits.stackSizeMb,
        (code2, limit, error) => this._onExit(code2, limit, error), threadId,
        options.trackUnmanagedFds !== false);
    } catch (err) {
      ctlParent.close();
      pubParent.close();
      if (isPort(inbox)) {
        native().broadcastLeave(inbox);
        native().portClose(inbox);
      }
      throw asDomException(err);
    }
    this[kHandle] = handle;
    this[kOptions] = options;
    this[kLimits] = limits;
    this[kExitCode] = null;
    this.threadId = native().threadId(handle);
    // async_hooks' WORKER resource: hasRef() while the worker lives
    const resource = {
      hasRef: () => {
        if (this[kExiting]) return true; // its handle closes after 'exit'
        return this[kHandle] === null ? undefined : native().hasRef(this[kHandle]);
      },
    };
    require('./internal/async-context').initResource('WORKER', resource);
    // stdin: true: what is written here is the worker's process.stdin
    this.stdin = null;
    if (options.stdin) {
      const { Writable } = require('stream');
      this.stdin = new Writable({
        write: (chunk, encoding, cb) => {
          if (this[kHandle] !== null) post(this[kCtl], { type: 'stdin', chunk }, undefined);
          cb();
        },
        final: (cb) => {
          if (this[kHandle] !== null) post(this[kCtl], { type: 'stdin-end' }, undefined);
          cb();
        },
      });
    }
    this.stdout = stdioReadable();
    this.stderr = stdioReadable();
    this.performance = {
      eventLoopUtilization() {
        return { idle: 0, active: 0, utilization: 0 };
      },
    };
    this[kCtl] = ctlParent;
    this[kPublic] = pubParent;
    // both channels in the order the worker posted to them (its output
    // before the message it sent after it, ...)
    for (const port of [ctlParent, pubParent]) {
      stateOf(port).internal = true;
      native().portStart(port, (closed) => (closed ? emitClose(port) : this._pumpOne()));
      native().portResume(port, true);
    }
    // without stdout/stderr: true, the worker's output is the parent's
    if (!options.stdout) this.stdout.on('data', (c) => process.stdout.write(c));
    if (!options.stderr) this.stderr.on('data', (c) => process.stderr.write(c));
    process.nextTick(() => process.emit('worker', this));
    dcChannels.publish('worker_threads', () => ({ worker: this }));
  }

  _onControl(msg) {
    if (msg === null || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'online':
        this.emit('online');
        break;
      case 'stdio': {
        const want = msg.fd === 1 ? this[kOptions].stdout : this[kOptions].stderr;
        const stream = msg.fd === 1 ? this.stdout : this.stderr;
        const chunk = typeof msg.chunk === 'string' ? msg.chunk : Buffer.from(msg.chunk);
        stream.push(chunk);
        void want;
        break;
      }
      case 'error':
        this.emit('error', deserializeError(msg.error));
        break;
      default:
        break;
    }
  }

  // The first message of the two channels; whether there was one.
  _pumpOne() {
    const ctl = this[kCtl];
    const pub = this[kPublic];
    const a = native().portHeadSeq(ctl);
    const b = native().portHeadSeq(pub);
    if (a < 0 && b < 0) return false;
    const port = b < 0 || (a >= 0 && a < b) ? ctl : pub;
    let r;
    try {
      r = native().portReceive(port);
    } catch (err) {
      if (port === pub) this.emit('messageerror', err);
      return true;
    }
    if (r === undefined) return false;
    if (port === ctl) {
      this._onControl(r[0]);
    } else {
      const ports = r.length > 1 ? r.slice(1).map(adoptPort) : [];
      deliveredPorts = ports;
      try {
        this.emit('message', r[0]);
      } finally {
        deliveredPorts = [];
      }
    }
    return true;
  }

  _onExit(code, limit, error) {
    while (this._pumpOne()) {
      // what the worker sent before it ended comes before 'exit'
    }
    let status = code;
    if (limit === 'memory') {
      status = 1;
      this.emit('error', workerError('ERR_WORKER_OUT_OF_MEMORY',
        'Worker terminated due to reaching memory limit: JS heap out of memory'));
    } else if (typeof error === 'string') {
      this.emit('error', workerError('ERR_WORKER_INIT_FAILED', `Worker initialization failure: ${error}`));
    }
    this[kHandle] = null;
    this[kExitCode] = status;
    this.threadId = -1;
    this[kLimits] = {};
    for (const port of [this[kCtl], this[kPublic]]) {
      port.removeAllListeners('message');
      port.close();
    }
    this.stdout.push(null);
    this.stderr.push(null);
    this[kExiting] = true;
    this.emit('exit', status);
    this[kExiting] = false;
    this.removeAllListeners('message');
    this.removeAllListeners('messageerror');
  }

  postMessage(value, transfer) {
    if (arguments.length === 0) {
      throw makeNodeError(TypeError, 'ERR_MISSING_ARGS', 'The "message" argument must be specified');
    }
    if (this[kHandle] === null) return;
    post(this[kPublic], value, transferListOf(transfer));
  }

  terminate(callback) {
    if (typeof callback === 'function') {
      process.emitWarning('Passing a callback to worker.terminate() is deprecated. ' +
        'It returns a Promise instead.', 'DeprecationWarning', 'DEP0132');
      if (this[kHandle] === null) return Promise.resolve();
      this.once('exit', (code) => callback(null, code));
    }
    if (this[kHandle] === null) return Promise.resolve();
    // the exit it waits for keeps the loop alive, unref()'d or not
    native().ref(this[kHandle], true);
    native().terminate(this[kHandle]);
    return new Promise((resolve) => this.once('exit', resolve));
  }

  ref() {
    if (this[kHandle] !== null) native().ref(this[kHandle], true);
  }

  unref() {
    if (this[kHandle] !== null) native().ref(this[kHandle], false);
  }

  get resourceLimits() {
    if (this[kHandle] === null) return {};
    const l = this[kLimits];
    return {
      maxYoungGenerationSizeMb: l.maxYoungGenerationSizeMb || 48,
      maxOldGenerationSizeMb: l.maxOldGenerationSizeMb || Math.floor(require('./os').totalmem() / 1048576),
      codeRangeSizeMb: l.codeRangeSizeMb || 0,
      stackSizeMb: l.stackSizeMb || 4,
    };
  }

  getHeapSnapshot(options) {
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'object', options);
    }
    if (this[kHandle] === null) {
      return Promise.reject(makeNodeError(Error, 'ERR_WORKER_NOT_RUNNING', 'Worker instance not running'));
    }
    return Promise.reject(makeNodeError(Error, 'ERR_METHOD_NOT_IMPLEMENTED',
      'worker.getHeapSnapshot is not supported in sandbox'));
  }
}

// ---- the worker's side -------------------------------------------------------------

// Called by the bootstrap in a worker's runtime before its main code: takes
// the first message (workerData, the ports, the options) and makes the
// thread's facts, its process.env/argv and its stdio.
function setupWorkerThread(cfg, proc) {
  const r = native().init();
  const init = r[0];
  for (const port of r.slice(1)) adoptPort(port);
  thread.isMainThread = false;
  thread.threadId = cfg.threadId;
  thread.workerData = init.workerData;
  thread.parentPort = init.pub;
  thread.ctl = init.ctl;
  stateOf(init.ctl).internal = true;
  listenInbox(init.inbox);
  const lim = native().resourceLimits();
  thread.resourceLimits = {
    maxYoungGenerationSizeMb: lim[1],
    maxOldGenerationSizeMb: lim[0],
    codeRangeSizeMb: lim[2],
    stackSizeMb: lim[3],
  };
  if (init.environmentData instanceof Map) {
    for (const [k, v] of init.environmentData) environmentData.set(k, v);
  }
  if (init.env === null) proc.setEnvFrom(sharedEnvObject());
  else proc.setEnvFrom(init.env);
  process.argv = [cfg.execPath, cfg.script || '[worker eval]', ...init.argv];
  process.execArgv = init.execArgv;
  // the options a worker takes that change what its process reports
  for (const flag of init.execArgv) {
    if (flag === '--trace-warnings') process.traceProcessWarnings = true;
    else if (flag === '--no-deprecation') process.noDeprecation = true;
    else if (flag === '--trace-deprecation') process.traceDeprecation = true;
    else if (flag === '--throw-deprecation') process.throwDeprecation = true;
    else if (flag === '--pending-deprecation') process.pendingDeprecation = true;
  }
  limitProcess();
  workerStdin(init.stdin);
  proc.setStdioSink((fd, chunk) => {
    try {
      post(thread.ctl, { type: 'stdio', fd, chunk }, undefined);
    } catch {
      // the parent is gone
    }
  });
  post(thread.ctl, { type: 'online' }, undefined);
}

// A worker's process.stdin is its parent's worker.stdin (stdin: true), or
// empty: never the process's descriptor 0. The control port is read (and
// keeps the worker alive) only while the stream wants data.
function workerStdin(hasInput) {
  let stream = null;
  const make = () => {
    const { Readable } = require('stream');
    const ctl = thread.ctl;
    let listening = false;
    stream = new Readable({
      read() {
        if (!hasInput || listening) return;
        listening = true;
        ctl.on('message', (msg) => {
          if (msg === null || typeof msg !== 'object') return;
          if (msg.type === 'stdin') {
            stream.push(typeof msg.chunk === 'string' ? msg.chunk : Buffer.from(msg.chunk));
          } else if (msg.type === 'stdin-end') {
            stream.push(null);
            native().portRef(ctl, false);
          }
        });
        native().portRef(ctl, true);
      },
    });
    stream.fd = 0;
    if (!hasInput) stream.push(null);
    return stream;
  };
  Object.defineProperty(process, 'stdin', {
    get() {
      return stream || make();
    },
    configurable: true, enumerable: false,
  });
}

// What a worker's process may not do, as Node's: its title and debug port
// stay, the process-wide calls throw ERR_WORKER_UNSUPPORTED_OPERATION.
function limitProcess() {
  const unsupported = (what) => makeNodeError(TypeError, 'ERR_WORKER_UNSUPPORTED_OPERATION',
    `${what} is not supported in workers`);
  for (const key of ['title', 'debugPort']) {
    const value = process[key];
    Object.defineProperty(process, key, {
      get() { return value; }, set() {}, enumerable: true, configurable: true,
    });
  }
  const umask = process.umask;
  process.umask = function (mask) {
    if (mask !== undefined) throw unsupported('Setting process.umask()');
    return umask.call(process);
  };
  for (const fn of ['abort', 'chdir', 'setuid', 'seteuid', 'setgid', 'setegid', 'setgroups',
    'initgroups']) {
    // Node's: a process-wide call a worker may not make throws, marked disabled
    const unavailable = function () {
      throw unsupported(`process.${fn}()`);
    };
    unavailable.disabled = true;
    process[fn] = unavailable;
  }
  // a worker has no IPC channel of a fork: none of its API, as in Node
  for (const key of ['send', 'disconnect', 'channel', 'connected', '_startProfilerIdleNotifier', '_stopProfilerIdleNotifier', '_debugProcess',
    '_debugPause', '_debugEnd']) {
    delete process[key];
  }
}

// The worker's uncaught exception, for its parent's 'error' event.
function reportWorkerError(err, header) {
  if (thread.ctl === null) return false;
  try {
    const s = serializeError(err);
    // Node's decorated stack: where it was thrown, then the stack
    if (s.kind === 'error' && typeof header === 'string' && typeof s.stack === 'string' &&
        !s.stack.startsWith(header)) {
      s.stack = `${header}\n${s.stack}`;
    }
    post(thread.ctl, { type: 'error', error: s }, undefined);
  } catch {
    return false;
  }
  return true;
}

module.exports = {
  Worker,
  MessageChannel,
  MessagePort,
  BroadcastChannel,
  receiveMessageOnPort,
  postMessageToThread,
  moveMessagePortToContext,
  markAsUntransferable,
  isMarkedAsUntransferable,
  markAsUncloneable,
  getEnvironmentData,
  setEnvironmentData,
  SHARE_ENV,
  get isMainThread() {
    return thread.isMainThread;
  },
  get threadId() {
    return thread.threadId;
  },
  get parentPort() {
    return thread.parentPort;
  },
  get workerData() {
    return thread.workerData;
  },
  get resourceLimits() {
    return thread.resourceLimits;
  },
};

// for the bootstrap only (never reachable from the module guests get)
Object.assign(require('./internal/worker-hooks'), { setupWorkerThread, reportWorkerError });
