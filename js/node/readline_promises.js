'use strict';
// require('readline/promises'): Interface whose question() returns a
// promise (rejected with an AbortError by options.signal), a completer
// that may return a promise, and Readline: cursor and clear actions queued
// on a TTY stream and written by commit() (or at once with autoCommit).

const { AbortError, codes } = require('./internal/errors');
const { validateAbortSignal, validateBoolean } = require('./internal/validators');
const { InterfaceConstructor } = require('./internal/readline-interface');
const { CSI } = require('./internal/readline-keys');

class Interface extends InterfaceConstructor {
  constructor(input, output, completer, terminal) {
    const opts = input && input.input ? input : undefined;
    const given = opts ? opts.completer : completer;
    if (typeof given === 'function') {
      const wrapped = (v, cb) => {
        Promise.resolve().then(() => given(v)).then((ret) => cb(null, ret), cb);
      };
      if (opts) input = { ...opts, completer: wrapped };
      else completer = wrapped;
    }
    super(input, output, completer, terminal);
  }

  question(query, options = {}) {
    return new Promise((resolve, reject) => {
      let cb = resolve;
      if (options !== null && typeof options === 'object' && options.signal) {
        const { signal } = options;
        validateAbortSignal(signal, 'options.signal');
        if (signal.aborted) {
          reject(new AbortError(undefined, { cause: signal.reason }));
          return;
        }
        const onAbort = () => {
          this._questionCancel();
          reject(new AbortError(undefined, { cause: signal.reason }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        cb = (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        };
      }
      this._question(query, cb);
    });
  }
}

const kStream = Symbol('kStream');
const kTodo = Symbol('kTodo');
const kAutoCommit = Symbol('kAutoCommit');

class Readline {
  constructor(stream, options = undefined) {
    if (stream == null || typeof stream.write !== 'function') {
      throw codes.ERR_INVALID_ARG_TYPE('stream', 'Writable', stream);
    }
    this[kStream] = stream;
    this[kTodo] = [];
    this[kAutoCommit] = false;
    if (options != null && options.autoCommit !== undefined) {
      validateBoolean(options.autoCommit, 'options.autoCommit');
      this[kAutoCommit] = options.autoCommit;
    }
  }

  #add(data) {
    if (this[kAutoCommit]) process.nextTick(() => this[kStream].write(data));
    else this[kTodo].push(data);
    return this;
  }

  cursorTo(x, y = undefined) {
    require('./internal/validators').validateInteger(x, 'x');
    if (y != null) require('./internal/validators').validateInteger(y, 'y');
    return this.#add(y == null ? CSI`${x + 1}G` : CSI`${y + 1};${x + 1}H`);
  }

  moveCursor(dx, dy) {
    const { validateInteger } = require('./internal/validators');
    validateInteger(dx, 'dx');
    validateInteger(dy, 'dy');
    if (!dx && !dy) return this;
    let data = '';
    if (dx < 0) data += CSI`${-dx}D`;
    else if (dx > 0) data += CSI`${dx}C`;
    if (dy < 0) data += CSI`${-dy}A`;
    else if (dy > 0) data += CSI`${dy}B`;
    return this.#add(data);
  }

  clearLine(dir) {
    require('./internal/validators').validateInteger(dir, 'dir', -1, 1);
    return this.#add(dir < 0 ? CSI.kClearToLineBeginning
      : dir > 0 ? CSI.kClearToLineEnd : CSI.kClearLine);
  }

  clearScreenDown() {
    return this.#add(CSI.kClearScreenDown);
  }

  commit() {
    return new Promise((resolve) => {
      this[kStream].write(this[kTodo].join(''), resolve);
      this[kTodo] = [];
    });
  }

  rollback() {
    this[kTodo] = [];
    return this;
  }
}

function createInterface(input, output, completer, terminal) {
  return new Interface(input, output, completer, terminal);
}

module.exports = { Interface, Readline, createInterface };
