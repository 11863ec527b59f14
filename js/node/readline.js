'use strict';
// require('readline'): Interface over any readable/writable pair (the
// guest's process.stdin/stdout, a file stream, a socket). Without a
// terminal, input is decoded as UTF-8 and cut into 'line' events at \n,
// \r\n or \r (a \r\n split between two reads is one end of line, within
// crlfDelay); the last line without an end of line comes at 'end'. With a
// terminal (output.isTTY, or terminal: true), input is read as keypresses
// (emitKeypressEvents) and edited in place: cursor moves, word and line
// deletes, history (historySize, removeHistoryDuplicates, 'history'),
// tab completion (completer, sync or with a callback), ^C ('SIGINT' or
// close), ^D, ^L; the line is redrawn with the CSI helpers.
// question() (a callback, an AbortSignal, util.promisify), prompt(),
// write(), pause()/resume(), close(), and `for await (const line of rl)`
// (lines buffered while the loop body runs; the input pauses past 1024).
// Own code written to Node 22's documented behaviour and its tests.

const { AbortError } = require('./internal/errors');
const { validateAbortSignal } = require('./internal/validators');
const {
  clearLine, clearScreenDown, cursorTo, emitKeypressEvents, kSawKeyPress, moveCursor,
} = require('./internal/readline-keys');
const {
  InterfaceConstructor, kDecoder, kLineBuffer, kOldPrompt, kPreviousKey, kPrompt,
  kQuestionCallback, kSawReturnAt,
} = require('./internal/readline-interface');

// The legacy constructor: callable without `new`.
function Interface(input, output, completer, terminal) {
  if (!(this instanceof Interface)) return new Interface(input, output, completer, terminal);
  if (input && input.input && typeof input.completer === 'function' && input.completer.length !== 2) {
    const { completer: c } = input;
    input.completer = (v, cb) => cb(null, c(v));
  } else if (typeof completer === 'function' && completer.length !== 2) {
    const c = completer;
    completer = (v, cb) => cb(null, c(v));
  }
  return Reflect.construct(InterfaceConstructor, [input, output, completer, terminal], new.target || Interface);
}
Object.setPrototypeOf(Interface.prototype, InterfaceConstructor.prototype);
Object.setPrototypeOf(Interface, InterfaceConstructor);

Interface.prototype.question = function question(query, options, cb) {
  cb = typeof options === 'function' ? options : cb;
  if (options !== null && typeof options === 'object') {
    const { signal } = options;
    if (signal) {
      validateAbortSignal(signal, 'options.signal');
      if (signal.aborted) return;
      const onAbort = () => this._questionCancel();
      signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal.removeEventListener('abort', onAbort);
      const original = cb;
      cb = typeof cb === 'function' ? (answer) => {
        cleanup();
        return original(answer);
      } : cleanup;
    }
  }
  if (typeof cb === 'function') this._question(query, cb);
};
Interface.prototype.question[require('util').promisify.custom] = function question(query, options) {
  if (options === null || typeof options !== 'object') options = {};
  const { signal } = options;
  if (signal && signal.aborted) {
    return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  }
  return new Promise((resolve, reject) => {
    let cb = resolve;
    if (signal) {
      const onAbort = () => reject(new AbortError(undefined, { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      cb = (answer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(answer);
      };
    }
    this.question(query, options, cb);
  });
};

// Node's underscore names of the internals, kept for programs that use them.
for (const [name, sym] of [['_line_buffer', kLineBuffer], ['_oldPrompt', kOldPrompt],
  ['_previousKey', kPreviousKey], ['_prompt', kPrompt], ['_questionCallback', kQuestionCallback],
  ['_sawReturnAt', kSawReturnAt], ['_decoder', kDecoder], ['_sawKeyPress', kSawKeyPress]]) {
  Object.defineProperty(Interface.prototype, name, {
    get() {
      return this[sym];
    },
    set(v) {
      this[sym] = v;
    },
    configurable: true,
    enumerable: false,
  });
}

function createInterface(input, output, completer, terminal) {
  return new Interface(input, output, completer, terminal);
}

module.exports = {
  Interface,
  clearLine,
  clearScreenDown,
  createInterface,
  cursorTo,
  emitKeypressEvents,
  moveCursor,
};
Object.defineProperty(module.exports, 'promises', {
  configurable: true,
  enumerable: true,
  get() {
    return require('./readline_promises');
  },
});
