'use strict';
// node:async_hooks — AsyncLocalStorage, AsyncResource, the execution ids and
// createHook, over the runtime's async context (internal/async-context.js:
// how the context travels, what each hook is called for, and the design).

const actx = require('./internal/async-context');
const { codes } = require('./internal/errors');
const { validateFunction, validateString, validateObject } = require('./internal/validators');

const { frameNow, frameSet } = actx;

// ---- AsyncResource --------------------------------------------------------------

const kId = Symbol('asyncId');
const kTrigger = Symbol('triggerAsyncId');
const kFrame = Symbol('frame');

// Resources destroyed by the collector (unless requireManualDestroy) while
// a destroy hook listens.
let collected = null;
function collectedRegistry() {
  if (collected === null) collected = new FinalizationRegistry((id) => actx.emitDestroy(id));
  return collected;
}

let warnedAsyncResource = false;
function warnAsyncResourceProperty() {
  if (warnedAsyncResource) return;
  warnedAsyncResource = true;
  process.emitWarning('The asyncResource property on bound functions is deprecated',
    'DeprecationWarning', 'DEP0172');
}

class AsyncResource {
  constructor(type, opts = {}) {
    validateString(type, 'type');
    let trigger;
    let manualDestroy = false;
    if (typeof opts === 'number') {
      trigger = opts;
    } else if (opts !== null && opts !== undefined) {
      trigger = opts.triggerAsyncId;
      manualDestroy = !!opts.requireManualDestroy;
    }
    if (trigger === undefined) trigger = actx.executionAsyncId();
    if (!Number.isSafeInteger(trigger) || trigger < -1) {
      throw codes.ERR_INVALID_ASYNC_ID('triggerAsyncId', trigger);
    }
    const id = actx.newAsyncId();
    Object.defineProperty(this, kFrame, { value: frameNow() });
    this[kId] = id;
    this[kTrigger] = trigger;
    if (actx.state.hooksOn !== 0) {
      if (type.length === 0) throw codes.ERR_ASYNC_TYPE(type);
      actx.emitInit(id, type, trigger, this);
      if (!manualDestroy) collectedRegistry().register(this, id, this);
    }
  }

  runInAsyncScope(fn, thisArg, ...args) {
    const id = this[kId];
    const outer = frameNow();
    if (actx.state.framesOn) frameSet(this[kFrame]);
    actx.enter(id, this[kTrigger], this);
    try {
      return Reflect.apply(fn, thisArg, args);
    } finally {
      actx.leave(id);
      if (actx.state.framesOn) frameSet(outer);
    }
  }

  // Each call emits destroy, as Node's does.
  emitDestroy() {
    if (collected !== null) collected.unregister(this);
    actx.emitDestroy(this[kId]);
    return this;
  }

  asyncId() {
    return this[kId];
  }

  triggerAsyncId() {
    return this[kTrigger];
  }

  bind(fn, thisArg) {
    validateFunction(fn, 'fn');
    let resource = this;
    let bound;
    if (thisArg === undefined) {
      // The receiver of each call is the one fn sees.
      bound = function (...args) {
        return resource.runInAsyncScope(fn, this, ...args);
      };
    } else {
      bound = (...args) => resource.runInAsyncScope(fn, thisArg, ...args);
    }
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    Object.defineProperty(bound, 'asyncResource', {
      configurable: true,
      enumerable: true,
      get() {
        warnAsyncResourceProperty();
        return resource;
      },
      set(v) {
        resource = v;
      },
    });
    return bound;
  }

  static bind(fn, type, thisArg) {
    validateFunction(fn, 'fn');
    return new AsyncResource(type || fn.name || 'bound-anonymous-fn').bind(fn, thisArg);
  }
}

// ---- AsyncLocalStorage ------------------------------------------------------------

function withStore(als, store) {
  const next = new Map(frameNow());
  next.set(als, store);
  return next;
}

class AsyncLocalStorage {
  constructor() {
    // Node 22's own fields (what util.inspect shows).
    this.kResourceStore = Symbol('kResourceStore');
    this.enabled = false;
  }

  static bind(fn) {
    return AsyncResource.bind(fn);
  }

  static snapshot() {
    const resource = new AsyncResource('AsyncLocalStorageSnapshot');
    return function runInAsyncScope(fn, ...args) {
      return resource.runInAsyncScope(fn, undefined, ...args);
    };
  }

  disable() {
    if (!this.enabled) return;
    this.enabled = false;
    const frame = frameNow();
    if (frame !== undefined && frame.has(this)) {
      const next = new Map(frame);
      next.delete(this);
      frameSet(next.size === 0 ? undefined : next);
    }
  }

  getStore() {
    if (!this.enabled) return undefined;
    const frame = frameNow();
    return frame === undefined ? undefined : frame.get(this);
  }

  enterWith(store) {
    this.enabled = true;
    frameSet(withStore(this, store));
  }

  run(store, callback, ...args) {
    this.enabled = true;
    const outer = frameNow();
    frameSet(withStore(this, store));
    try {
      return Reflect.apply(callback, null, args);
    } finally {
      frameSet(outer);
    }
  }

  exit(callback, ...args) {
    if (!this.enabled) return Reflect.apply(callback, null, args);
    return this.run(undefined, callback, ...args);
  }
}

// ---- createHook -------------------------------------------------------------------

const kCallbacks = Symbol('callbacks');

class AsyncHook {
  constructor({ init, before, after, destroy, promiseResolve }) {
    const cb = { hook: this };
    for (const [name, fn] of [['init', init], ['before', before], ['after', after],
      ['destroy', destroy], ['promiseResolve', promiseResolve]]) {
      if (fn !== undefined && typeof fn !== 'function') throw codes.ERR_ASYNC_CALLBACK(`hook.${name}`);
      if (fn !== undefined) cb[name] = fn;
    }
    this[kCallbacks] = cb;
  }

  enable() {
    actx.hookEnable(this[kCallbacks]);
    return this;
  }

  disable() {
    actx.hookDisable(this[kCallbacks]);
    return this;
  }
}

function createHook(callbacks) {
  validateObject(callbacks, 'callbacks', { allowFunction: true });
  return new AsyncHook(callbacks);
}

// Node 22's provider names (src/async_wrap.h), for asyncWrapProviders.
const PROVIDERS = [
  'NONE', 'DIRHANDLE', 'DNSCHANNEL', 'ELDHISTOGRAM', 'FILEHANDLE', 'FILEHANDLECLOSEREQ',
  'BLOBREADER', 'FSEVENTWRAP', 'FSREQCALLBACK', 'FSREQPROMISE', 'GETADDRINFOREQWRAP',
  'GETNAMEINFOREQWRAP', 'HEAPSNAPSHOT', 'HTTP2SESSION', 'HTTP2STREAM', 'HTTP2PING',
  'HTTP2SETTINGS', 'HTTPINCOMINGMESSAGE', 'HTTPCLIENTREQUEST', 'JSSTREAM', 'JSUDPWRAP',
  'MESSAGEPORT', 'PIPECONNECTWRAP', 'PIPESERVERWRAP', 'PIPEWRAP', 'PROCESSWRAP', 'PROMISE',
  'QUERYWRAP', 'QUIC_LOGSTREAM', 'QUIC_PACKET', 'SHUTDOWNWRAP', 'SIGNALWRAP', 'STATWATCHER',
  'STREAMPIPE', 'TCPCONNECTWRAP', 'TCPSERVERWRAP', 'TCPWRAP', 'TTYWRAP', 'UDPSENDWRAP',
  'UDPWRAP', 'SIGINTWATCHDOG', 'WORKER', 'WORKERHEAPSNAPSHOT', 'WRITEWRAP', 'ZLIB',
  'CHECKPRIMEREQUEST', 'PBKDF2REQUEST', 'KEYPAIRGENREQUEST', 'KEYGENREQUEST',
  'KEYEXPORTREQUEST', 'CIPHERREQUEST', 'DERIVEBITSREQUEST', 'HASHREQUEST',
  'RANDOMBYTESREQUEST', 'RANDOMPRIMEREQUEST', 'SCRYPTREQUEST', 'SIGNREQUEST', 'TLSWRAP',
  'VERIFYREQUEST',
];
const asyncWrapProviders = Object.freeze(
  Object.assign(Object.create(null), Object.fromEntries(PROVIDERS.map((n, i) => [n, i]))));

module.exports = {
  AsyncLocalStorage,
  AsyncResource,
  createHook,
  executionAsyncId: actx.executionAsyncId,
  triggerAsyncId: actx.triggerAsyncId,
  executionAsyncResource: actx.executionAsyncResource,
  asyncWrapProviders,
};
