// node/events.js — Node's `events` module.
//
// The npm `events` package (Node's EventEmitter of an older release) supplies
// the prototype and the removal / listing methods; this file replaces what
// differs in Node 22: the constructor and init (captureRejections option,
// the kCapture and shapeMode symbols that util.inspect shows), emit
// (errorMonitor, rejected async listeners routed to 'error' or
// Symbol.for('nodejs.rejection'), ERR_UNHANDLED_ERROR), adding listeners
// (Node's errors and MaxListenersExceededWarning via process.emitWarning),
// and the module functions once (with AbortSignal), on (async iterator),
// getEventListeners, getMaxListeners, setMaxListeners, addAbortListener,
// listenerCount. EventTarget support goes through internal/event-target.js.
// The npm package is reached by a relative path (the bare name `events` is
// aliased to this file). process is read at call time.
'use strict';

require('./internal/dispose-symbols');
const npmEE = require('../node_modules/events/events.js');
const { codes, AbortError } = require('./internal/errors');
const { validateNumber, validateString } = require('./internal/validators');
const {
  isEventTarget, getEventTargetListeners, setEventTargetMaxListeners,
  getEventTargetMaxListeners, setDefaultMaxListeners,
} = require('./internal/event-target');

const kCapture = Symbol('kCapture');
const kShapeMode = Symbol('shapeMode');
const kErrorMonitor = Symbol('events.errorMonitor');
const kRejection = Symbol.for('nodejs.rejection');

let defaultMaxListeners = 10;

function lazyInspect() {
  return require('./util').inspect;
}

function checkListener(listener) {
  if (typeof listener !== 'function') throw codes.ERR_INVALID_ARG_TYPE('listener', 'Function', listener);
}

function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}

const proto = npmEE.prototype;
EventEmitter.prototype = proto;
Object.defineProperty(proto, 'constructor', {
  value: EventEmitter, writable: true, enumerable: false, configurable: true,
});
proto[kCapture] = false;
proto[kShapeMode] = false;

EventEmitter.init = function init(opts) {
  if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
    this._events = Object.create(null);
    this._eventsCount = 0;
    this[kShapeMode] = false;
  } else {
    this[kShapeMode] = true;
  }
  this._maxListeners = this._maxListeners || undefined;
  if (opts !== null && opts !== undefined && opts.captureRejections) {
    if (typeof opts.captureRejections !== 'boolean') {
      throw codes.ERR_INVALID_ARG_TYPE('options.captureRejections', 'boolean', opts.captureRejections);
    }
    this[kCapture] = Boolean(opts.captureRejections);
  } else {
    this[kCapture] = EventEmitter.prototype[kCapture];
  }
};

function getMaxListenersOf(that) {
  return that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners;
}

proto.setMaxListeners = function setMaxListeners(n) {
  validateNumber(n, 'setMaxListeners', 0);
  this._maxListeners = n;
  return this;
};

proto.getMaxListeners = function getMaxListeners() {
  return getMaxListenersOf(this);
};

function emitUnhandledRejectionOrErr(ee, err, type, args) {
  if (typeof ee[kRejection] === 'function') {
    ee[kRejection](err, type, ...args);
  } else {
    const prev = ee[kCapture];
    try {
      ee[kCapture] = false;
      ee.emit('error', err);
    } finally {
      ee[kCapture] = prev;
    }
  }
}

function addCatch(that, promise, type, args) {
  if (!that[kCapture]) return;
  try {
    const then = promise.then;
    if (typeof then === 'function') {
      then.call(promise, undefined, (err) => {
        process.nextTick(emitUnhandledRejectionOrErr, that, err, type, args);
      });
    }
  } catch (err) {
    that.emit('error', err);
  }
}

proto.emit = function emit(type, ...args) {
  let doError = type === 'error';
  const events = this._events;
  if (events !== undefined) {
    if (doError && events[kErrorMonitor] !== undefined) this.emit(kErrorMonitor, ...args);
    doError = doError && events.error === undefined;
  } else if (!doError) {
    return false;
  }
  if (doError) {
    const er = args.length > 0 ? args[0] : undefined;
    if (er instanceof Error) throw er; // Unhandled 'error' event
    let shown;
    try {
      shown = lazyInspect()(er);
    } catch {
      shown = er;
    }
    throw codes.ERR_UNHANDLED_ERROR(shown, er);
  }
  const handler = events[type];
  if (handler === undefined) return false;
  if (typeof handler === 'function') {
    const result = Reflect.apply(handler, this, args);
    if (result !== undefined && result !== null) addCatch(this, result, type, args);
  } else {
    const listeners = handler.slice();
    for (let i = 0; i < listeners.length; ++i) {
      const result = Reflect.apply(listeners[i], this, args);
      if (result !== undefined && result !== null) addCatch(this, result, type, args);
    }
  }
  return true;
};

function addListener(target, type, listener, prepend) {
  checkListener(listener);
  let events = target._events;
  let existing;
  if (events === undefined) {
    events = target._events = Object.create(null);
    target._eventsCount = 0;
  } else {
    if (events.newListener !== undefined) {
      target.emit('newListener', type, listener.listener ? listener.listener : listener);
      events = target._events;
    }
    existing = events[type];
  }
  if (existing === undefined) {
    events[type] = listener;
    ++target._eventsCount;
  } else {
    if (typeof existing === 'function') {
      existing = events[type] = prepend ? [listener, existing] : [existing, listener];
    } else if (prepend) {
      existing.unshift(listener);
    } else {
      existing.push(listener);
    }
    const m = getMaxListenersOf(target);
    if (m > 0 && existing.length > m && !existing.warned) {
      existing.warned = true;
      const w = new Error('Possible EventEmitter memory leak detected. ' +
        `${existing.length} ${String(type)} listeners added to ${lazyInspect()(target, { depth: -1 })}. ` +
        `MaxListeners is ${m}. Use emitter.setMaxListeners() to increase limit`);
      w.name = 'MaxListenersExceededWarning';
      w.emitter = target;
      w.type = type;
      w.count = existing.length;
      if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
        process.emitWarning(w);
      }
    }
  }
  return target;
}

proto.addListener = function addListener_(type, listener) {
  return addListener(this, type, listener, false);
};
Object.defineProperty(proto.addListener, 'name', { value: 'addListener' });
proto.on = proto.addListener;

proto.prependListener = function prependListener(type, listener) {
  return addListener(this, type, listener, true);
};

const npmOnce = proto.once;
const npmPrependOnce = proto.prependOnceListener;
const npmRemoveListener = proto.removeListener;

proto.once = function once(type, listener) {
  checkListener(listener);
  return npmOnce.call(this, type, listener);
};

// removeAllListeners() tells 'removeListener' about symbol-keyed events
// too (the package walks Object.keys only).
proto.removeAllListeners = function removeAllListeners(type) {
  const events = this._events;
  if (events === undefined) return this;
  if (events.removeListener === undefined) {
    if (arguments.length === 0) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    } else if (events[type] !== undefined) {
      if (--this._eventsCount === 0) this._events = Object.create(null);
      else delete events[type];
    }
    this[kShapeMode] = false;
    return this;
  }
  if (arguments.length === 0) {
    for (const key of Reflect.ownKeys(events)) {
      if (key !== 'removeListener') this.removeAllListeners(key);
    }
    this.removeAllListeners('removeListener');
    this._events = Object.create(null);
    this._eventsCount = 0;
    this[kShapeMode] = false;
    return this;
  }
  const listeners = events[type];
  if (typeof listeners === 'function') {
    this.removeListener(type, listeners);
  } else if (listeners !== undefined) {
    // last added first
    for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
  }
  return this;
};

proto.prependOnceListener = function prependOnceListener(type, listener) {
  checkListener(listener);
  return npmPrependOnce.call(this, type, listener);
};

proto.removeListener = function removeListener(type, listener) {
  checkListener(listener);
  return npmRemoveListener.call(this, type, listener);
};
proto.off = proto.removeListener;

proto.listenerCount = function listenerCount(type, listener) {
  const events = this._events;
  if (events === undefined) return 0;
  const list = events[type];
  if (list === undefined) return 0;
  if (typeof list === 'function') {
    if (listener != null) return listener === list || listener === list.listener ? 1 : 0;
    return 1;
  }
  if (listener != null) {
    let n = 0;
    for (const l of list) if (l === listener || l.listener === listener) n++;
    return n;
  }
  return list.length;
};

// ---- module functions ------------------------------------------------------------

function listenerCountStatic(emitter, type) {
  if (typeof emitter.listenerCount === 'function') return emitter.listenerCount(type);
  return proto.listenerCount.call(emitter, type);
}

function validateSignal(signal, name) {
  if (signal !== undefined &&
      (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
    throw codes.ERR_INVALID_ARG_TYPE(name, 'AbortSignal', signal);
  }
}

function abortError(signal) {
  return new AbortError(undefined, { cause: signal ? signal.reason : undefined });
}

function agnosticAdd(emitter, name, listener, flags) {
  if (typeof emitter.on === 'function') {
    if (flags && flags.once) emitter.once(name, listener);
    else emitter.on(name, listener);
  } else if (typeof emitter.addEventListener === 'function') {
    emitter.addEventListener(name, listener, flags);
  } else {
    throw codes.ERR_INVALID_ARG_TYPE('emitter', 'EventEmitter', emitter);
  }
}

function agnosticRemove(emitter, name, listener, flags) {
  if (typeof emitter.removeListener === 'function') emitter.removeListener(name, listener);
  else if (typeof emitter.removeEventListener === 'function') emitter.removeEventListener(name, listener, flags);
  else throw codes.ERR_INVALID_ARG_TYPE('emitter', 'EventEmitter', emitter);
}

async function once(emitter, name, options = {}) {
  if (options === null || typeof options !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  const signal = options.signal;
  validateSignal(signal, 'options.signal');
  if (signal !== undefined && signal.aborted) throw abortError(signal);
  return new Promise((resolve, reject) => {
    const errorListener = (err) => {
      agnosticRemove(emitter, name, resolver);
      if (signal !== undefined) signal.removeEventListener('abort', abortListener);
      reject(err);
    };
    const resolver = (...args) => {
      if (typeof emitter.removeListener === 'function') emitter.removeListener('error', errorListener);
      if (signal !== undefined) signal.removeEventListener('abort', abortListener);
      resolve(args);
    };
    function abortListener() {
      agnosticRemove(emitter, name, resolver);
      agnosticRemove(emitter, 'error', errorListener);
      reject(abortError(signal));
    }
    const opts = { once: true };
    agnosticAdd(emitter, name, resolver, opts);
    if (name !== 'error' && typeof emitter.once === 'function') emitter.once('error', errorListener);
    if (signal !== undefined) signal.addEventListener('abort', abortListener, { once: true });
  });
}

const AsyncIteratorPrototype = Object.getPrototypeOf(
  Object.getPrototypeOf(async function* agen() {}).prototype);

function on(emitter, event, options = {}) {
  if (options === null || typeof options !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  const signal = options.signal;
  validateSignal(signal, 'options.signal');
  if (signal !== undefined && signal.aborted) throw abortError(signal);
  const closeEvents = options.close === undefined ? [] : options.close;

  const unconsumed = [];
  const pending = [];
  let error = null;
  let finished = false;

  const eventHandler = (...args) => {
    if (pending.length > 0) pending.shift().resolve({ value: args, done: false });
    else unconsumed.push(args);
  };
  const errorHandler = (err) => {
    if (pending.length > 0) pending.shift().reject(err);
    else error = err;
    iterator.return();
  };
  const closeHandler = () => {
    removeAll();
    finished = true;
    while (pending.length > 0) pending.shift().resolve({ value: undefined, done: true });
  };
  const abortListener = () => {
    errorHandler(abortError(signal));
  };

  function removeAll() {
    agnosticRemove(emitter, event, eventHandler);
    if (event !== 'error' && typeof emitter.on === 'function') agnosticRemove(emitter, 'error', errorHandler);
    for (const name of closeEvents) agnosticRemove(emitter, name, closeHandler);
    if (signal !== undefined) signal.removeEventListener('abort', abortListener);
  }

  const iterator = Object.setPrototypeOf({
    next() {
      if (unconsumed.length > 0) return Promise.resolve({ value: unconsumed.shift(), done: false });
      if (error) {
        const p = Promise.reject(error);
        error = null;
        return p;
      }
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
    return() {
      removeAll();
      finished = true;
      while (pending.length > 0) pending.shift().resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) {
      if (!err || !(err instanceof Error)) {
        throw codes.ERR_INVALID_ARG_TYPE('EventEmitter.AsyncIterator', 'Error', err);
      }
      errorHandler(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  }, AsyncIteratorPrototype);

  agnosticAdd(emitter, event, eventHandler);
  if (event !== 'error' && typeof emitter.on === 'function') emitter.on('error', errorHandler);
  for (const name of closeEvents) agnosticAdd(emitter, name, closeHandler);
  if (signal !== undefined) signal.addEventListener('abort', abortListener, { once: true });
  return iterator;
}

function getEventListeners(emitterOrTarget, type) {
  if (emitterOrTarget !== null && typeof emitterOrTarget === 'object' &&
      typeof emitterOrTarget.listeners === 'function') {
    return emitterOrTarget.listeners(type);
  }
  if (isEventTarget(emitterOrTarget)) return getEventTargetListeners(emitterOrTarget, type);
  throw codes.ERR_INVALID_ARG_TYPE('emitter', ['EventEmitter', 'EventTarget'], emitterOrTarget);
}

function getMaxListeners(emitterOrTarget) {
  if (emitterOrTarget !== null && typeof emitterOrTarget === 'object' &&
      typeof emitterOrTarget.getMaxListeners === 'function') {
    return getMaxListenersOf(emitterOrTarget);
  }
  if (isEventTarget(emitterOrTarget)) return getEventTargetMaxListeners(emitterOrTarget);
  throw codes.ERR_INVALID_ARG_TYPE('emitter', ['EventEmitter', 'EventTarget'], emitterOrTarget);
}

function setMaxListeners(n = defaultMaxListeners, ...eventTargets) {
  validateNumber(n, 'setMaxListeners', 0);
  if (eventTargets.length === 0) {
    defaultMaxListeners = n;
    setDefaultMaxListeners(n);
    return;
  }
  for (const target of eventTargets) {
    if (isEventTarget(target)) setEventTargetMaxListeners(target, n);
    else if (target !== null && typeof target === 'object' && typeof target.setMaxListeners === 'function') {
      target.setMaxListeners(n);
    } else {
      throw codes.ERR_INVALID_ARG_TYPE('eventTargets', ['EventEmitter', 'EventTarget'], target);
    }
  }
}

function addAbortListener(signal, listener) {
  if (signal === undefined) throw codes.ERR_INVALID_ARG_TYPE('signal', 'AbortSignal', signal);
  validateSignal(signal, 'signal');
  if (typeof listener !== 'function') throw codes.ERR_INVALID_ARG_TYPE('listener', 'Function', listener);
  let removeEventListener;
  if (signal.aborted) {
    queueMicrotask(() => listener());
  } else {
    signal.addEventListener('abort', listener, { once: true });
    removeEventListener = () => signal.removeEventListener('abort', listener);
  }
  return {
    __proto__: null,
    [Symbol.dispose]() {
      if (removeEventListener !== undefined) removeEventListener();
    },
  };
}

// Node's: the emitter's AsyncResource (an EventEmitterReferencingAsyncResource
// pointing back at it) made with the emitter; every emit runs in its scope.
let ReferencingResource;
function referencingResourceClass() {
  if (ReferencingResource === undefined) {
    const { AsyncResource } = require('async_hooks');
    ReferencingResource = class EventEmitterReferencingAsyncResource extends AsyncResource {
      #eventEmitter;

      constructor(ee, type, options) {
        super(type, options);
        this.#eventEmitter = ee;
      }

      get eventEmitter() {
        if (!(#eventEmitter in this)) throw codes.ERR_INVALID_THIS('EventEmitterReferencingAsyncResource');
        return this.#eventEmitter;
      }
    };
  }
  return ReferencingResource;
}

class EventEmitterAsyncResource extends EventEmitter {
  #resource;

  constructor(options = undefined) {
    let name;
    if (typeof options === 'string') {
      name = options;
      options = undefined;
    } else {
      if (new.target === EventEmitterAsyncResource) validateString(options?.name, 'options.name');
      name = options?.name || new.target.name;
    }
    super(options);
    const Resource = referencingResourceClass();
    this.#resource = new Resource(this, name, options);
  }

  static #own(ee) {
    if (ee === null || typeof ee !== 'object' || !(#resource in ee)) {
      throw codes.ERR_INVALID_THIS('EventEmitterAsyncResource');
    }
    return ee.#resource;
  }

  emit(event, ...args) {
    const resource = EventEmitterAsyncResource.#own(this);
    return resource.runInAsyncScope(super.emit, this, event, ...args);
  }

  emitDestroy() {
    EventEmitterAsyncResource.#own(this).emitDestroy();
  }

  get asyncId() {
    return EventEmitterAsyncResource.#own(this).asyncId();
  }

  get triggerAsyncId() {
    return EventEmitterAsyncResource.#own(this).triggerAsyncId();
  }

  get asyncResource() {
    return EventEmitterAsyncResource.#own(this);
  }
}

// Statics in Node's order (util.inspect(require('events')) shows them);
// setMaxListeners, init and listenerCount are anonymous there.
function anonymous(fn) {
  Object.defineProperty(fn, 'name', { value: '' });
  return fn;
}

const init = EventEmitter.init;
delete EventEmitter.init;
Object.assign(EventEmitter, {
  addAbortListener,
  once,
  on,
  getEventListeners,
  getMaxListeners,
  EventEmitter,
  usingDomains: false,
  captureRejectionSymbol: kRejection,
});
Object.defineProperty(EventEmitter, 'captureRejections', {
  get() {
    return EventEmitter.prototype[kCapture];
  },
  set(value) {
    if (typeof value !== 'boolean') {
      throw codes.ERR_INVALID_ARG_TYPE('EventEmitter.captureRejections', 'boolean', value);
    }
    EventEmitter.prototype[kCapture] = value;
  },
  enumerable: true,
});
Object.defineProperty(EventEmitter, 'EventEmitterAsyncResource', {
  enumerable: true,
  get() {
    return EventEmitterAsyncResource;
  },
  set: undefined,
  configurable: true,
});
EventEmitter.errorMonitor = kErrorMonitor;
Object.defineProperty(EventEmitter, 'defaultMaxListeners', {
  enumerable: true,
  get() {
    return defaultMaxListeners;
  },
  set(arg) {
    validateNumber(arg, 'defaultMaxListeners', 0);
    defaultMaxListeners = arg;
  },
});
EventEmitter.setMaxListeners = anonymous((n = defaultMaxListeners, ...targets) => setMaxListeners(n, ...targets));
EventEmitter.init = anonymous(function (opts) {
  return Reflect.apply(init, this, [opts]);
});
EventEmitter.listenerCount = anonymous((emitter, type) => listenerCountStatic(emitter, type));

module.exports = EventEmitter;
