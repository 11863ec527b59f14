// node/internal/event-target.js — Event, CustomEvent, EventTarget (Node's
// flavour of the DOM interfaces).
//
// Own code (event-target-shim differs from Node in options, errors and
// inspect output). Behaviour follows Node 22: addEventListener takes
// { once, capture, passive, signal }; listeners are functions or objects
// with handleEvent; a listener added during dispatch of the same type is
// still called (Node walks a live list); a listener that throws, or returns
// a promise that rejects, surfaces as an uncaught exception on the next
// tick; dispatching an Event that is already being dispatched throws
// ERR_EVENT_RECURSION. State lives in private fields and a WeakMap, so
// instances inspect as `EventTarget {}`. Exposes listener introspection
// (getEventListeners, max-listener get/set) for the events module and
// defineEventHandler for `on<type>` attributes.
'use strict';

const { codes } = require('./errors');

const kInspect = Symbol.for('nodejs.util.inspect.custom');
// Passed in an Event's options by trusted internal dispatchers (AbortSignal).
const kTrustEvent = Symbol('kTrustEvent');

let defaultMaxListeners = 10;

function lazyInspect() {
  return require('../util').inspect;
}

function now() {
  const perf = globalThis.performance;
  return perf !== undefined && perf !== null && typeof perf.now === 'function' ? perf.now() : 0;
}

// ---- Event --------------------------------------------------------------------

class Event {
  #type;
  #bubbles;
  #cancelable;
  #composed;
  #defaultPrevented = false;
  #timestamp;
  #propagationStopped = false;
  #trusted = false;
  #target = null;
  #currentTarget = null;
  #phase = 0;
  #dispatching = false;
  #immediateStopped = false;

  constructor(type, options = null) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('type');
    if (options !== null && options !== undefined && typeof options !== 'object' &&
        typeof options !== 'function') {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    this.#type = `${type}`;
    this.#bubbles = !!(options && options.bubbles);
    this.#cancelable = !!(options && options.cancelable);
    this.#composed = !!(options && options.composed);
    this.#trusted = !!(options && options[kTrustEvent]);
    this.#timestamp = now();
  }

  static isEvent(value) {
    return value !== null && typeof value === 'object' && #type in value;
  }

  initEvent(type, bubbles = false, cancelable = false) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('type');
    if (this.#dispatching) return;
    this.#type = `${type}`;
    this.#bubbles = !!bubbles;
    this.#cancelable = !!cancelable;
  }

  stopImmediatePropagation() {
    this.#propagationStopped = true;
    this.#immediateStopped = true;
  }

  preventDefault() {
    if (this.#cancelable && !Event.#passive.has(this)) this.#defaultPrevented = true;
  }

  get target() {
    return this.#target;
  }

  get currentTarget() {
    return this.#currentTarget;
  }

  get srcElement() {
    return this.#target;
  }

  get type() {
    return this.#type;
  }

  get cancelable() {
    return this.#cancelable;
  }

  get defaultPrevented() {
    return this.#cancelable && this.#defaultPrevented;
  }

  get timeStamp() {
    return this.#timestamp;
  }

  composedPath() {
    return this.#dispatching ? [this.#currentTarget] : [];
  }

  get returnValue() {
    return !this.defaultPrevented;
  }

  set returnValue(value) {
    if (!value) this.preventDefault();
  }

  get bubbles() {
    return this.#bubbles;
  }

  get composed() {
    return this.#composed;
  }

  get eventPhase() {
    return this.#phase;
  }

  get cancelBubble() {
    return this.#propagationStopped;
  }

  set cancelBubble(value) {
    if (value) this.stopPropagation();
  }

  stopPropagation() {
    this.#propagationStopped = true;
  }

  get isTrusted() {
    return this.#trusted;
  }

  [kInspect](depth, options) {
    const name = this.constructor.name;
    if (depth < 0) return name;
    const opts = { ...options, depth: Number.isInteger(options.depth) ? options.depth - 1 : options.depth };
    return `${name} ${lazyInspect()({
      type: this.#type,
      defaultPrevented: this.#defaultPrevented,
      cancelable: this.#cancelable,
      timeStamp: this.#timestamp,
    }, opts)}`;
  }

  // Used by EventTarget.dispatchEvent only.
  static #passive = new WeakSet();

  static _begin(event, target) {
    if (event.#dispatching) throw codes.ERR_EVENT_RECURSION(event.#type);
    event.#dispatching = true;
    event.#target = target;
    event.#currentTarget = target;
    event.#phase = 2;
    event.#immediateStopped = false;
  }

  static _stopped(event) {
    return event.#immediateStopped;
  }

  static _setPassive(event, passive) {
    if (passive) Event.#passive.add(event);
    else Event.#passive.delete(event);
  }

  static _end(event) {
    event.#dispatching = false;
    event.#currentTarget = null;
    event.#phase = 0;
    Event.#passive.delete(event);
  }
}

for (const [i, name] of ['NONE', 'CAPTURING_PHASE', 'AT_TARGET', 'BUBBLING_PHASE'].entries()) {
  Object.defineProperty(Event, name, { value: i, enumerable: true, writable: false, configurable: false });
}

const isEvent = Event.isEvent;
const beginDispatch = Event._begin;
const immediateStopped = Event._stopped;
const setPassive = Event._setPassive;
const endDispatch = Event._end;
delete Event.isEvent;
delete Event._begin;
delete Event._stopped;
delete Event._setPassive;
delete Event._end;

class CustomEvent extends Event {
  #detail;

  constructor(type, options = null) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('type');
    super(type, options);
    this.#detail = options && options.detail !== undefined ? options.detail : null;
  }

  get detail() {
    return this.#detail;
  }
}

// ---- EventTarget ----------------------------------------------------------------

// target -> { types: Map<type, record[]>, maxListeners, warned: Set }
const targets = new WeakMap();

function stateOf(target) {
  const s = targets.get(target);
  if (s === undefined) throw codes.ERR_INVALID_THIS('EventTarget');
  return s;
}

function reportError(err) {
  process.nextTick(() => {
    throw err;
  });
}

function emitLeakWarning(target, type, count, max) {
  if (typeof process === 'undefined' || typeof process.emitWarning !== 'function') return;
  const w = new Error(`Possible EventTarget memory leak detected. ${count} ${type} listeners ` +
    `added to ${lazyInspect()(target, { depth: -1 })}. MaxListeners is ${max}. ` +
    'Use events.setMaxListeners() to increase limit');
  w.name = 'MaxListenersExceededWarning';
  w.target = target;
  w.type = type;
  w.count = count;
  process.emitWarning(w);
}

function parseOptions(options) {
  if (typeof options === 'boolean') return { capture: options };
  if (options === null || options === undefined) return {};
  if (typeof options !== 'object') return {};
  return options;
}

class EventTarget {
  constructor() {
    targets.set(this, { types: new Map(), maxListeners: defaultMaxListeners, warned: new Set() });
  }

  addEventListener(type, listener, options = undefined) {
    const state = stateOf(this);
    if (arguments.length < 2) throw codes.ERR_MISSING_ARGS('type', 'listener');
    const opts = parseOptions(options);
    const once = !!opts.once;
    const capture = !!opts.capture;
    const passive = !!opts.passive;
    const signal = opts.signal;
    if (signal !== undefined &&
        (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
      throw codes.ERR_INVALID_ARG_TYPE('options.signal', 'AbortSignal', signal);
    }
    if (listener === null || listener === undefined) {
      if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
        const w = new Error(`addEventListener called with ${listener} which has no effect.`);
        w.name = 'AddEventListenerArgumentTypeWarning';
        w.target = this;
        w.type = type;
        process.emitWarning(w);
      }
      return;
    }
    if (typeof listener !== 'function' && typeof listener !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('listener', 'EventListener', listener);
    }
    type = `${type}`;
    if (signal !== undefined && signal.aborted) return;
    let list = state.types.get(type);
    if (list === undefined) {
      list = [];
      state.types.set(type, list);
    }
    for (const rec of list) {
      if (!rec.removed && rec.listener === listener && rec.capture === capture) return;
    }
    const rec = { listener, capture, once, passive, removed: false };
    list.push(rec);
    const live = list.filter((r) => !r.removed).length;
    if (state.maxListeners > 0 && live > state.maxListeners && !state.warned.has(type)) {
      state.warned.add(type);
      emitLeakWarning(this, type, live, state.maxListeners);
    }
    if (signal !== undefined) {
      signal.addEventListener('abort', () => {
        this.removeEventListener(type, listener, { capture });
      }, { once: true });
    }
  }

  removeEventListener(type, listener, options = undefined) {
    const state = stateOf(this);
    if (arguments.length < 2) throw codes.ERR_MISSING_ARGS('type', 'listener');
    const capture = !!parseOptions(options).capture;
    type = `${type}`;
    const list = state.types.get(type);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const rec = list[i];
      if (!rec.removed && rec.listener === listener && rec.capture === capture) {
        rec.removed = true;
        if (list.dispatching) list.dirty = true;
        else list.splice(i, 1);
        break;
      }
    }
    if (list.length === 0) state.types.delete(type);
  }

  dispatchEvent(event) {
    const state = stateOf(this);
    if (!isEvent(event)) throw codes.ERR_INVALID_ARG_TYPE('event', 'Event', event);
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS('event');
    beginDispatch(event, this);
    const list = state.types.get(event.type);
    if (list !== undefined) {
      const outer = list.dispatching === true;
      list.dispatching = true;
      try {
        // Like Node's linked list: whether there is a next listener is
        // decided before the current one runs, so a listener added by the
        // last one is not called in this dispatch.
        for (let i = 0; i < list.length; i++) {
          const rec = list[i];
          const more = i + 1 < list.length;
          if (!rec.removed) {
            if (rec.once) {
              rec.removed = true;
              list.dirty = true;
            }
            setPassive(event, rec.passive);
            const listener = rec.listener;
            try {
              let result;
              if (typeof listener === 'function') {
                result = Reflect.apply(listener, this, [event]);
              } else if (listener !== null && typeof listener.handleEvent === 'function') {
                result = Reflect.apply(listener.handleEvent, listener, [event]);
              }
              if (result !== undefined && result !== null && typeof result.then === 'function') {
                Promise.resolve(result).then(undefined, reportError);
              }
            } catch (err) {
              reportError(err);
            }
            setPassive(event, false);
            if (immediateStopped(event)) break;
          }
          if (!more) break;
        }
      } finally {
        if (!outer) {
          list.dispatching = false;
          if (list.dirty) {
            list.dirty = false;
            for (let i = list.length - 1; i >= 0; i--) if (list[i].removed) list.splice(i, 1);
            if (list.length === 0 && state.types.get(event.type) === list) {
              state.types.delete(event.type);
            }
          }
        }
      }
    }
    endDispatch(event);
    return !event.defaultPrevented;
  }

  [kInspect](depth, options) {
    const name = this.constructor.name;
    if (depth < 0) return name;
    const opts = { ...options, depth: Number.isInteger(options.depth) ? options.depth - 1 : options.depth };
    return `${name} ${lazyInspect()({}, opts)}`;
  }
}

for (const C of [Event, CustomEvent, EventTarget]) {
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    if (key === 'constructor') continue;
    const desc = Object.getOwnPropertyDescriptor(C.prototype, key);
    desc.enumerable = true;
    Object.defineProperty(C.prototype, key, desc);
  }
  Object.defineProperty(C.prototype, Symbol.toStringTag, {
    value: C.name, writable: false, enumerable: false, configurable: true,
  });
}

function isEventTarget(value) {
  return value !== null && typeof value === 'object' && targets.has(value);
}

// The listeners (as passed to addEventListener) for `type`.
function getEventTargetListeners(target, type) {
  const list = stateOf(target).types.get(`${type}`);
  if (list === undefined) return [];
  return list.filter((r) => !r.removed).map((r) => r.listener);
}

function setEventTargetMaxListeners(target, n) {
  stateOf(target).maxListeners = n;
}

function getEventTargetMaxListeners(target) {
  return stateOf(target).maxListeners;
}

function setDefaultMaxListeners(n) {
  defaultMaxListeners = n;
}

// `on<type>` attribute: one wrapper listener, registered on the first
// non-null set, whose `handler` is swapped by later sets.
function defineEventHandler(proto, type) {
  const wrappers = new WeakMap();
  Object.defineProperty(proto, `on${type}`, {
    get() {
      const w = wrappers.get(this);
      return w === undefined ? null : w.handler;
    },
    set(value) {
      let w = wrappers.get(this);
      const fn = typeof value === 'function' || (typeof value === 'object' && value !== null)
        ? value : null;
      if (w === undefined) {
        if (fn === null) return;
        w = function eventHandler(...args) {
          const h = eventHandler.handler;
          if (typeof h === 'function') return Reflect.apply(h, this, args);
          return undefined;
        };
        w.handler = fn;
        wrappers.set(this, w);
        this.addEventListener(type, w);
        return;
      }
      w.handler = fn;
      if (fn === null) {
        this.removeEventListener(type, w);
        wrappers.delete(this);
      }
    },
    configurable: true,
    enumerable: true,
  });
}

module.exports = {
  Event,
  CustomEvent,
  EventTarget,
  kTrustEvent,
  isEvent,
  isEventTarget,
  getEventTargetListeners,
  setEventTargetMaxListeners,
  getEventTargetMaxListeners,
  setDefaultMaxListeners,
  defineEventHandler,
};
