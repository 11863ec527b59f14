// node/internal/abort.js — AbortController and AbortSignal.
//
// Own code over internal/event-target.js. Follows Node 22: `new
// AbortSignal()` throws ERR_ILLEGAL_CONSTRUCTOR; abort() without a reason
// uses DOMException('This operation was aborted', 'AbortError');
// AbortSignal.timeout(ms) aborts with a TimeoutError DOMException from an
// unref'd timer (the global setTimeout, looked up when called, since timers
// are installed by the bootstrap after this module loads); AbortSignal.any
// follows its sources; the 'abort' event is trusted and fires once, before
// dependent signals abort.
'use strict';

const { codes } = require('./errors');
const { EventTarget, Event, kTrustEvent, defineEventHandler } = require('./event-target');
const { DOMException } = require('./dom-exception');

const kInspect = Symbol.for('nodejs.util.inspect.custom');
const kConstruct = Symbol('kConstruct');

function lazyInspect() {
  return require('../util').inspect;
}

function customInspect(self, obj, depth, options) {
  if (depth < 0) return self;
  const opts = { ...options, depth: options.depth === null ? null : options.depth - 1 };
  return `${self.constructor.name} ${lazyInspect()(obj, opts)}`;
}

class AbortSignal extends EventTarget {
  #aborted = false;
  #reason = undefined;
  #dependents = [];

  constructor(key = undefined) {
    if (key !== kConstruct) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
    super();
  }

  static #isSignal(value) {
    return value !== null && typeof value === 'object' && #aborted in value;
  }

  static _isSignal(value) {
    return AbortSignal.#isSignal(value);
  }

  get aborted() {
    if (!AbortSignal.#isSignal(this)) throw codes.ERR_INVALID_THIS('AbortSignal');
    return this.#aborted;
  }

  get reason() {
    if (!AbortSignal.#isSignal(this)) throw codes.ERR_INVALID_THIS('AbortSignal');
    return this.#reason;
  }

  throwIfAborted() {
    if (!AbortSignal.#isSignal(this)) throw codes.ERR_INVALID_THIS('AbortSignal');
    if (this.#aborted) throw this.#reason;
  }

  static abort(reason = new DOMException('This operation was aborted', 'AbortError')) {
    const signal = new AbortSignal(kConstruct);
    signal.#aborted = true;
    signal.#reason = reason;
    return signal;
  }

  static timeout(delay) {
    if (typeof delay !== 'number') throw codes.ERR_INVALID_ARG_TYPE('delay', 'number', delay);
    if (!Number.isInteger(delay)) throw codes.ERR_OUT_OF_RANGE('delay', 'an integer', delay);
    if (delay < 0 || delay > 4294967295) {
      throw codes.ERR_OUT_OF_RANGE('delay', '>= 0 && <= 4294967295', delay);
    }
    const signal = new AbortSignal(kConstruct);
    const timer = globalThis.setTimeout(() => {
      abortSignal(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, delay);
    if (timer !== null && typeof timer === 'object' && typeof timer.unref === 'function') {
      timer.unref();
    }
    return signal;
  }

  static any(signals) {
    if (signals === null || typeof signals !== 'object' ||
        typeof signals[Symbol.iterator] !== 'function') {
      throw codes.ERR_INVALID_ARG_TYPE('signals', 'AbortSignal[]', signals);
    }
    const list = [...signals];
    list.forEach((s, i) => {
      if (!AbortSignal.#isSignal(s)) {
        throw codes.ERR_INVALID_ARG_TYPE(`signals[${i}]`, 'AbortSignal', s);
      }
    });
    const result = new AbortSignal(kConstruct);
    for (const s of list) {
      if (s.#aborted) {
        result.#aborted = true;
        result.#reason = s.#reason;
        return result;
      }
    }
    for (const s of list) s.#dependents.push(result);
    return result;
  }

  static _abort(signal, reason) {
    if (signal.#aborted) return;
    signal.#aborted = true;
    signal.#reason = reason;
    signal.dispatchEvent(new Event('abort', { [kTrustEvent]: true }));
    const dependents = signal.#dependents;
    signal.#dependents = [];
    for (const d of dependents) abortSignal(d, reason);
  }

  [kInspect](depth, options) {
    return customInspect(this, { aborted: this.aborted }, depth, options);
  }
}

const abortSignal = AbortSignal._abort;
const isAbortSignal = AbortSignal._isSignal;
delete AbortSignal._abort;
delete AbortSignal._isSignal;

defineEventHandler(AbortSignal.prototype, 'abort');

class AbortController {
  #signal = new AbortSignal(kConstruct);

  get signal() {
    return this.#signal;
  }

  abort(reason = new DOMException('This operation was aborted', 'AbortError')) {
    abortSignal(this.#signal, reason);
  }

  [kInspect](depth, options) {
    return customInspect(this, { signal: this.signal }, depth, options);
  }
}

for (const C of [AbortSignal, AbortController]) {
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

module.exports = { AbortController, AbortSignal, abortSignal, isAbortSignal };
