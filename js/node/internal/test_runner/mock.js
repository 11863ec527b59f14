'use strict';
// node/internal/test_runner/mock.js — node:test's mocks (Node 22.14's
// MockTracker, MockFunctionContext and MockTimers, written anew): mock.fn,
// mock.method/getter/setter with their call records, restore and reset,
// and mock.timers over setTimeout/setInterval/setImmediate and Date (the
// globals and the timers module's exports).

const { codes } = require('../errors');
const { validateFunction, validateObject, validateInteger, validateNumber } = require('../validators');

const kMock = Symbol('kMock');

class MockFunctionContext {
  #calls = [];
  #implementation;
  #original;
  #restore;
  #times;
  #once = new Map();

  constructor(implementation, restore, times, original) {
    this.#implementation = implementation;
    this.#original = original;
    this.#restore = restore;
    this.#times = times;
  }

  get calls() {
    return this.#calls.slice();
  }

  callCount() {
    return this.#calls.length;
  }

  mockImplementation(implementation) {
    validateFunction(implementation, 'implementation');
    this.#implementation = implementation;
  }

  mockImplementationOnce(implementation, onCall) {
    validateFunction(implementation, 'implementation');
    const call = onCall ?? this.#calls.length;
    validateInteger(call, 'onCall', this.#calls.length);
    this.#once.set(call, implementation);
  }

  resetCalls() {
    this.#calls = [];
  }

  restore() {
    if (this.#restore !== undefined) this.#restore();
  }

  // The implementation of the next call.
  nextImplementation() {
    const n = this.#calls.length;
    const once = this.#once.get(n);
    if (once !== undefined) {
      this.#once.delete(n);
      return once;
    }
    if (this.#times !== undefined) {
      if (n >= this.#times) return this.#original;
    }
    return this.#implementation;
  }

  record(call) {
    this.#calls.push(call);
  }
}

function makeMockFunction(ctx, original) {
  const mocked = function (...args) {
    const impl = ctx.nextImplementation();
    const call = { arguments: args, error: undefined, result: undefined, stack: new Error(), target: new.target, this: this };
    try {
      let result;
      if (new.target) result = Reflect.construct(impl, args, new.target);
      else result = Reflect.apply(impl, this, args);
      call.result = result;
      if (new.target) call.this = result;
      return result;
    } catch (err) {
      call.error = err;
      throw err;
    } finally {
      ctx.record(call);
    }
  };
  Object.defineProperty(mocked, 'name', { value: original.name, configurable: true });
  Object.defineProperty(mocked, 'length', { value: original.length, configurable: true });
  Object.defineProperty(mocked, 'mock', { value: ctx, enumerable: false, configurable: false });
  mocked[kMock] = true;
  return mocked;
}

class MockTracker {
  #mocks = [];
  #timers;

  get timers() {
    if (this.#timers === undefined) this.#timers = new MockTimers();
    return this.#timers;
  }

  fn(original = function () {}, implementation = original, options = {}) {
    if (original !== null && typeof original === 'object') {
      options = original;
      original = function () {};
      implementation = original;
    } else if (implementation !== null && typeof implementation === 'object') {
      options = implementation;
      implementation = original;
    }
    validateFunction(original, 'original');
    validateFunction(implementation, 'implementation');
    validateObject(options, 'options');
    const { times = Infinity } = options;
    validateTimes(times);
    const ctx = new MockFunctionContext(implementation, undefined, times === Infinity ? undefined : times, original);
    const mocked = makeMockFunction(ctx, original);
    this.#mocks.push(ctx);
    return mocked;
  }

  method(object, methodName, implementation = undefined, options = {}) {
    if (object === null || (typeof object !== 'object' && typeof object !== 'function')) {
      throw codes.ERR_INVALID_ARG_TYPE('object', 'Object', object);
    }
    if (typeof methodName !== 'string' && typeof methodName !== 'symbol') {
      throw codes.ERR_INVALID_ARG_TYPE('methodName', ['string', 'symbol'], methodName);
    }
    if (implementation !== null && typeof implementation === 'object' && options !== undefined &&
        Object.keys(options).length === 0) {
      options = implementation;
      implementation = undefined;
    }
    validateObject(options, 'options');
    const { getter = false, setter = false, times = Infinity } = options;
    validateTimes(times);
    if (getter && setter) {
      throw codes.ERR_INVALID_ARG_VALUE('options.setter', setter, "cannot be used with 'options.getter'");
    }
    let owner = object;
    let descriptor;
    while (owner !== null) {
      descriptor = Object.getOwnPropertyDescriptor(owner, methodName);
      if (descriptor !== undefined) break;
      owner = Object.getPrototypeOf(owner);
    }
    if (descriptor === undefined) {
      throw codes.ERR_INVALID_ARG_VALUE('methodName', methodName, 'must be a method');
    }
    const kind = getter ? 'get' : setter ? 'set' : 'value';
    const original = descriptor[kind];
    if (typeof original !== 'function') {
      throw codes.ERR_INVALID_ARG_VALUE('methodName', original, `must be a ${getter ? 'getter' : setter ? 'setter' : 'method'}`);
    }
    if (implementation === undefined) implementation = original;
    validateFunction(implementation, 'implementation');
    const ownDescriptor = Object.getOwnPropertyDescriptor(object, methodName);
    const restore = () => {
      if (ownDescriptor !== undefined) Object.defineProperty(object, methodName, ownDescriptor);
      else delete object[methodName];
    };
    const ctx = new MockFunctionContext(implementation, restore, times === Infinity ? undefined : times, original);
    const mocked = makeMockFunction(ctx, original);
    const next = { ...descriptor, configurable: true };
    next[kind] = mocked;
    Object.defineProperty(object, methodName, next);
    this.#mocks.push(ctx);
    return mocked;
  }

  getter(object, methodName, implementation = undefined, options = {}) {
    return this.#accessor('getter', object, methodName, implementation, options);
  }

  setter(object, methodName, implementation = undefined, options = {}) {
    return this.#accessor('setter', object, methodName, implementation, options);
  }

  #accessor(kind, object, methodName, implementation, options) {
    if (implementation !== null && typeof implementation === 'object') {
      options = implementation;
      implementation = undefined;
    }
    if (options?.[kind] === false) {
      throw codes.ERR_INVALID_ARG_VALUE(`options.${kind}`, false, 'cannot be false');
    }
    return this.method(object, methodName, implementation, { ...options, [kind]: true });
  }

  reset() {
    this.restoreAll();
    if (this.#timers !== undefined) this.#timers.reset();
    this.#mocks = [];
  }

  restoreAll() {
    for (const ctx of this.#mocks) ctx.restore();
  }
}

function validateTimes(times) {
  if (times === Infinity) return;
  validateInteger(times, 'options.times', 1);
}

// ---- timers ---------------------------------------------------------------------------------

let warnedTimers = false;
const kApis = ['setTimeout', 'setInterval', 'setImmediate', 'Date'];
const TIMEOUT_MAX = 2 ** 31 - 1;

class MockTimers {
  #enabled = false;
  #apis = [];
  #now = 0;
  #queue = [];
  #nextId = 1;
  #saved = [];

  #schedule(callback, delay, args, interval, kind) {
    validateFunction(callback, 'callback');
    delay = Number(delay);
    if (!(delay >= 1 && delay <= TIMEOUT_MAX)) delay = 1;
    if (kind === 'immediate') delay = 0;
    const timer = {
      id: this.#nextId++, callback, args, runAt: this.#now + delay, interval: interval ? delay : 0, kind,
      ref() {
        return this;
      },
      unref() {
        return this;
      },
      hasRef() {
        return true;
      },
      refresh() {
        return this;
      },
      [Symbol.toPrimitive]() {
        return this.id;
      },
    };
    this.#queue.push(timer);
    return timer;
  }

  #clear(timer) {
    const i = this.#queue.findIndex((t) => t === timer || t.id === timer);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  #replace(target, name, value) {
    if (target === null || target === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, name);
    this.#saved.push([target, name, descriptor]);
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: descriptor?.enumerable ?? false });
  }

  enable(options = {}) {
    if (this.#enabled) throw codes.ERR_INVALID_STATE('MockTimers is already enabled!');
    if (!warnedTimers) {
      warnedTimers = true;
      process.emitWarning('The MockTimers API is an experimental feature and might change at any time',
        'ExperimentalWarning');
    }
    validateObject(options, 'options');
    const { apis = kApis, now = 0 } = options;
    if (!Array.isArray(apis)) throw codes.ERR_INVALID_ARG_TYPE('options.apis', 'Array', apis);
    for (const api of apis) {
      if (!kApis.includes(api)) {
        throw codes.ERR_INVALID_ARG_VALUE('options.apis', api, `option ${api} is not supported`);
      }
    }
    let start = now;
    if (now instanceof Date) start = now.getTime();
    validateNumber(start, 'options.now', 0);
    this.#now = start;
    this.#apis = apis;
    this.#enabled = true;
    const timers = require('timers');
    const targets = [globalThis, timers];
    const set = (name, value) => {
      for (const t of targets) this.#replace(t, name, value);
    };
    if (apis.includes('setTimeout')) {
      set('setTimeout', (cb, delay, ...args) => this.#schedule(cb, delay, args, false, 'timeout'));
      set('clearTimeout', (t) => this.#clear(t));
    }
    if (apis.includes('setInterval')) {
      set('setInterval', (cb, delay, ...args) => this.#schedule(cb, delay, args, true, 'interval'));
      set('clearInterval', (t) => this.#clear(t));
    }
    if (apis.includes('setImmediate')) {
      set('setImmediate', (cb, ...args) => this.#schedule(cb, 0, args, false, 'immediate'));
      set('clearImmediate', (t) => this.#clear(t));
    }
    if (apis.includes('Date')) {
      const RealDate = this.#saved.find(([t, n]) => t === globalThis && n === 'Date')?.[2]?.value ?? Date;
      const mock = this;
      const MockDate = function Date(...args) {
        if (!new.target) return new RealDate(mock.#now).toString();
        if (args.length === 0) return Reflect.construct(RealDate, [mock.#now], new.target);
        return Reflect.construct(RealDate, args, new.target);
      };
      Object.setPrototypeOf(MockDate, RealDate);
      MockDate.prototype = RealDate.prototype;
      MockDate.now = () => mock.#now;
      MockDate.parse = RealDate.parse;
      MockDate.UTC = RealDate.UTC;
      this.#replace(globalThis, 'Date', MockDate);
    }
  }

  setTime(time) {
    if (!this.#enabled) throw codes.ERR_INVALID_STATE('You should enable MockTimers first by calling the .enable function');
    validateNumber(time, 'time');
    this.#now = time;
  }

  tick(time = 1) {
    if (!this.#enabled) throw codes.ERR_INVALID_STATE('You should enable MockTimers first by calling the .enable function');
    validateNumber(time, 'time', 0);
    // Node's order: the clock moves first, then the timers due run (so
    // Date.now() in their callbacks is the new time), earliest first.
    this.#now += time;
    for (;;) {
      let next = null;
      for (const t of this.#queue) {
        if (t.runAt <= this.#now && (next === null || t.runAt < next.runAt ||
            (t.runAt === next.runAt && t.id < next.id))) {
          next = t;
        }
      }
      if (next === null) break;
      this.#clear(next);
      if (next.interval) {
        next.runAt += next.interval;
        this.#queue.push(next);
      }
      Reflect.apply(next.callback, undefined, next.args);
    }
  }

  runAll() {
    if (!this.#enabled) throw codes.ERR_INVALID_STATE('You should enable MockTimers first by calling the .enable function');
    const latest = this.#queue.reduce((m, t) => Math.max(m, t.runAt), this.#now);
    this.tick(latest - this.#now);
  }

  reset() {
    for (let i = this.#saved.length - 1; i >= 0; i--) {
      const [target, name, descriptor] = this.#saved[i];
      if (descriptor !== undefined) Object.defineProperty(target, name, descriptor);
      else delete target[name];
    }
    this.#saved = [];
    this.#queue = [];
    this.#enabled = false;
    this.#now = 0;
  }

  [Symbol.dispose]() {
    this.reset();
  }
}

module.exports = { MockTracker, MockTimers };
