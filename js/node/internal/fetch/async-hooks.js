'use strict';
// What undici takes from node:async_hooks (its bundle only; the guest's
// require('async_hooks') is not this): AsyncResource, whose scope is the
// caller's here — the sandbox has no async context tracking, so
// runInAsyncScope calls the function as it is.

let nextId = 1;

class AsyncResource {
  constructor(type, opts = {}) {
    if (typeof type !== 'string') {
      throw require('../errors').codes.ERR_INVALID_ARG_TYPE('type', 'string', type);
    }
    this._asyncId = nextId++;
    this._triggerId = typeof opts === 'number' ? opts
      : (opts && opts.triggerAsyncId !== undefined ? opts.triggerAsyncId : 0);
  }

  runInAsyncScope(fn, thisArg, ...args) {
    return Reflect.apply(fn, thisArg, args);
  }

  emitDestroy() {
    return this;
  }

  asyncId() {
    return this._asyncId;
  }

  triggerAsyncId() {
    return this._triggerId;
  }

  bind(fn, thisArg) {
    const bound = thisArg === undefined
      ? (...args) => this.runInAsyncScope(fn, this, ...args)
      : (...args) => this.runInAsyncScope(fn, thisArg, ...args);
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    Object.defineProperty(bound, 'asyncResource', { value: this, configurable: true, writable: true, enumerable: true });
    return bound;
  }

  static bind(fn, type, thisArg) {
    return new AsyncResource(type || fn.name || 'bound-anonymous-fn').bind(fn, thisArg);
  }
}

module.exports = { AsyncResource };
