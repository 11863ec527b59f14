'use strict';
// node:stream/web — the WHATWG streams (ReadableStream with byte streams
// and BYOB readers, WritableStream, TransformStream, queuing strategies)
// from the npm ponyfill web-streams-polyfill (the spec's reference
// implementation), with what Node adds on top:
//
// - the Symbol.for('nodejs.stream.*') / ('nodejs.webstream.*') hooks Node's
//   own web streams carry, so `stream.isDisturbed/isErrored/isReadable`,
//   `finished()` and `addAbortSignal()` (readable-stream) work on them;
// - Node's errors where programs (undici) test them: closing or enqueueing
//   into a closed controller is ERR_INVALID_STATE "Invalid state:
//   Controller is already closed" / "ReadableStream is already closed";
// - util.inspect as Node shows them (`ReadableStream { locked, state,
//   supportsBYOB }`, ...);
// - TextEncoderStream / TextDecoderStream and CompressionStream /
//   DecompressionStream (deflate, deflate-raw, gzip; over zlib), own code.
//
// Not loaded into the startup snapshot: the bootstrap builds it at first
// use (the globals are lazy accessors, as in Node).

const ponyfill = require('web-streams-polyfill');
const { makeNodeError } = require('./internal/errors');
const { validateOneOf } = require('./internal/validators');

const {
  ReadableStream,
  ReadableStreamDefaultReader,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableByteStreamController,
  ReadableStreamDefaultController,
  TransformStream,
  TransformStreamDefaultController,
  WritableStream,
  WritableStreamDefaultWriter,
  WritableStreamDefaultController,
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
} = ponyfill;

const kInspect = Symbol.for('nodejs.util.inspect.custom');
const kIsDisturbed = Symbol.for('nodejs.stream.disturbed');
const kIsErrored = Symbol.for('nodejs.stream.errored');
const kIsReadable = Symbol.for('nodejs.stream.readable');
const kIsWritable = Symbol.for('nodejs.stream.writable');
const kIsClosedPromise = Symbol.for('nodejs.webstream.isClosedPromise');
const kControllerErrorFunction = Symbol.for('nodejs.webstream.controllerErrorFunction');

// ---- state hooks ------------------------------------------------------------
// The ponyfill keeps a stream's state in `_state` (assigned, never defined):
// an accessor on the prototype sees each change and settles the stream's
// closed promise, as Node's kIsClosedPromise.

const kState = Symbol('state');
const kClosed = Symbol('closed');

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function hookState(proto, closedStates) {
  Object.defineProperty(proto, '_state', {
    get() {
      return this[kState];
    },
    set(value) {
      this[kState] = value;
      const d = this[kClosed];
      if (d === undefined) return;
      if (closedStates.includes(value)) d.resolve();
      else if (value === 'errored') d.reject(this._storedError);
    },
    configurable: true,
    enumerable: false,
  });
  Object.defineProperty(proto, kIsClosedPromise, {
    get() {
      if (this[kClosed] === undefined) {
        this[kClosed] = deferred();
        const state = this[kState];
        if (closedStates.includes(state)) this[kClosed].resolve();
        else if (state === 'errored') this[kClosed].reject(this._storedError);
      }
      return this[kClosed];
    },
    configurable: true,
    enumerable: false,
  });
}

hookState(ReadableStream.prototype, ['closed']);
hookState(WritableStream.prototype, ['closed']);

Object.defineProperties(ReadableStream.prototype, {
  [kIsDisturbed]: { get() { return this._disturbed === true; }, configurable: true },
  [kIsErrored]: { get() { return this[kState] === 'errored'; }, configurable: true },
  [kIsReadable]: { get() { return this[kState] === 'readable'; }, configurable: true },
  [kControllerErrorFunction]: {
    get() {
      const controller = this._readableStreamController;
      return (err) => controller.error(err);
    },
    configurable: true,
  },
});

Object.defineProperties(WritableStream.prototype, {
  [kIsErrored]: { get() { return this[kState] === 'errored'; }, configurable: true },
  [kIsWritable]: { get() { return this[kState] === 'writable'; }, configurable: true },
  [kControllerErrorFunction]: {
    get() {
      const controller = this._writableStreamController;
      return (err) => controller.error(err);
    },
    configurable: true,
  },
});

// ---- Node's errors for a closed controller ---------------------------------

function invalidState(message) {
  return makeNodeError(TypeError, 'ERR_INVALID_STATE', `Invalid state: ${message}`);
}

function wrapClosedChecks(Controller, streamOf, byte) {
  const proto = Controller.prototype;
  for (const method of ['close', 'enqueue']) {
    const original = proto[method];
    const wrapped = {
      [method](...args) {
        // The brand check first (the ponyfill's own TypeError).
        const stream = Object.prototype.hasOwnProperty.call(this, byte
          ? '_controlledReadableByteStream' : '_controlledReadableStream') ? streamOf(this) : undefined;
        if (stream !== undefined) {
          if (this._closeRequested) throw invalidState('Controller is already closed');
          if (stream._state !== 'readable') {
            throw invalidState(byte ? 'ReadableStream is already closed' : 'Controller is already closed');
          }
        }
        return Reflect.apply(original, this, args);
      },
    }[method];
    Object.defineProperty(proto, method, {
      value: wrapped, writable: true, enumerable: true, configurable: true,
    });
  }
}
wrapClosedChecks(ReadableStreamDefaultController, (c) => c._controlledReadableStream, false);
wrapClosedChecks(ReadableByteStreamController, (c) => c._controlledReadableByteStream, true);

// A reader of a locked stream: Node's ERR_INVALID_STATE (getReader,
// values(), for await).
for (const key of ['getReader', 'values', Symbol.asyncIterator]) {
  const original = ReadableStream.prototype[key];
  if (typeof original !== 'function') continue;
  Object.defineProperty(ReadableStream.prototype, key, {
    value: {
      [key](...args) {
        if (ReadableStream.prototype.isPrototypeOf(this) && this.locked) throw invalidState('ReadableStream is locked');
        return Reflect.apply(original, this, args);
      },
    }[key],
    writable: true, enumerable: typeof key === 'string', configurable: true,
  });
}

// ---- util.inspect -----------------------------------------------------------

function customInspect(name, fields) {
  return function inspect(depth, options, inspectFn) {
    const out = fields(this);
    if (depth < 0) return this;
    const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
    return `${name} ${inspectFn(out, opts)}`;
  };
}

function defineInspect(Class, fields) {
  Object.defineProperty(Class.prototype, kInspect, {
    value: customInspect(Class.name, fields), writable: true, configurable: true, enumerable: false,
  });
}

defineInspect(ReadableStream, (s) => ({
  locked: s.locked,
  state: s[kState],
  supportsBYOB: s._readableStreamController instanceof ReadableByteStreamController,
}));
defineInspect(WritableStream, (s) => ({ locked: s.locked, state: s[kState] }));
defineInspect(TransformStream, (s) => ({
  readable: s.readable, writable: s.writable, backpressure: s._backpressure,
}));
defineInspect(ReadableStreamDefaultReader, (r) => ({
  stream: r._ownerReadableStream,
  readRequests: r._readRequests ? r._readRequests.length : 0,
  close: r._closedPromise,
}));
defineInspect(WritableStreamDefaultWriter, (w) => ({
  stream: w._ownerWritableStream,
  close: w._closedPromise,
  ready: w._readyPromise,
  desiredSize: w._ownerWritableStream ? w.desiredSize : null,
}));

// ---- TextEncoderStream / TextDecoderStream --------------------------------
// Private fields, as Node's: a getter on a foreign object throws V8's
// "Cannot read private member ... from an object whose class did not
// declare it".

function inspectAs(name, fields, depth, options, inspectFn) {
  return `${name} ${inspectFn(fields, { ...options, depth: options.depth == null ? null : options.depth - 1 })}`;
}

class TextEncoderStream {
  #pendingHighSurrogate = null;
  #handle = new TextEncoder();
  #transform = new TransformStream({
    transform: (chunk, controller) => {
      let s = `${chunk}`;
      if (this.#pendingHighSurrogate !== null) {
        s = this.#pendingHighSurrogate + s;
        this.#pendingHighSurrogate = null;
      }
      if (s.length > 0) {
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          this.#pendingHighSurrogate = s[s.length - 1];
          s = s.slice(0, -1);
        }
      }
      if (s.length > 0) controller.enqueue(this.#handle.encode(s));
    },
    flush: (controller) => {
      if (this.#pendingHighSurrogate !== null) controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
    },
  });

  get encoding() {
    return this.#handle.encoding;
  }

  get readable() {
    return this.#transform.readable;
  }

  get writable() {
    return this.#transform.writable;
  }

  [kInspect](depth, options, inspectFn) {
    if (depth < 0) return this;
    return inspectAs('TextEncoderStream', {
      encoding: this.#handle.encoding,
      readable: this.#transform.readable,
      writable: this.#transform.writable,
    }, depth, options, inspectFn);
  }
}

class TextDecoderStream {
  #handle;
  #transform;

  constructor(encoding = 'utf-8', options = {}) {
    this.#handle = new TextDecoder(encoding, options);
    this.#transform = new TransformStream({
      transform: (chunk, controller) => {
        const value = this.#handle.decode(chunk, { stream: true });
        if (value) controller.enqueue(value);
      },
      flush: (controller) => {
        const value = this.#handle.decode();
        if (value) controller.enqueue(value);
        controller.terminate();
      },
    });
  }

  get encoding() {
    return this.#handle.encoding;
  }

  get fatal() {
    return this.#handle.fatal;
  }

  get ignoreBOM() {
    return this.#handle.ignoreBOM;
  }

  get readable() {
    return this.#transform.readable;
  }

  get writable() {
    return this.#transform.writable;
  }

  [kInspect](depth, options, inspectFn) {
    if (depth < 0) return this;
    return inspectAs('TextDecoderStream', {
      encoding: this.#handle.encoding,
      fatal: this.#handle.fatal,
      ignoreBOM: this.#handle.ignoreBOM,
      readable: this.#transform.readable,
      writable: this.#transform.writable,
    }, depth, options, inspectFn);
  }
}

// ---- CompressionStream / DecompressionStream ------------------------------

const formats = ['deflate', 'deflate-raw', 'gzip'];

// A TransformStream over a zlib stream: each chunk is written to it, its
// output enqueued; close ends it and waits for the rest.
function zlibTransform(handle) {
  let controllerRef;
  let failed = null;
  handle.on('data', (chunk) => {
    controllerRef.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  handle.on('error', (err) => {
    failed = err;
    controllerRef.error(err);
  });
  return new TransformStream({
    start(controller) {
      controllerRef = controller;
    },
    transform(chunk) {
      if (failed) throw failed;
      return new Promise((resolve, reject) => {
        try {
          handle.write(chunk, (err) => (err ? reject(err) : resolve()));
        } catch (err) {
          reject(err);
        }
      });
    },
    flush() {
      if (failed) throw failed;
      return new Promise((resolve, reject) => {
        handle.once('end', resolve);
        handle.once('error', reject);
        handle.end();
      });
    },
    cancel(reason) {
      handle.destroy(reason);
    },
  });
}

class CompressionStream {
  #transform;

  constructor(format) {
    validateOneOf(format, 'format', formats);
    const zlib = require('zlib');
    this.#transform = zlibTransform(format === 'deflate' ? zlib.createDeflate()
      : format === 'gzip' ? zlib.createGzip() : zlib.createDeflateRaw());
  }

  get readable() {
    return this.#transform.readable;
  }

  get writable() {
    return this.#transform.writable;
  }

  [kInspect](depth, options, inspectFn) {
    if (depth < 0) return this;
    return inspectAs('CompressionStream', {
      readable: this.#transform.readable, writable: this.#transform.writable,
    }, depth, options, inspectFn);
  }
}

class DecompressionStream {
  #transform;

  constructor(format) {
    validateOneOf(format, 'format', formats);
    const zlib = require('zlib');
    this.#transform = zlibTransform(format === 'deflate' ? zlib.createInflate()
      : format === 'gzip' ? zlib.createGunzip() : zlib.createInflateRaw());
  }

  get readable() {
    return this.#transform.readable;
  }

  get writable() {
    return this.#transform.writable;
  }

  [kInspect](depth, options, inspectFn) {
    if (depth < 0) return this;
    return inspectAs('DecompressionStream', {
      readable: this.#transform.readable, writable: this.#transform.writable,
    }, depth, options, inspectFn);
  }
}

for (const C of [TextEncoderStream, TextDecoderStream, CompressionStream, DecompressionStream]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, {
    value: C.name, configurable: true, enumerable: false, writable: false,
  });
}

module.exports = {
  ReadableStream,
  ReadableStreamDefaultReader,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableByteStreamController,
  ReadableStreamDefaultController,
  TransformStream,
  TransformStreamDefaultController,
  WritableStream,
  WritableStreamDefaultWriter,
  WritableStreamDefaultController,
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  TextEncoderStream,
  TextDecoderStream,
  CompressionStream,
  DecompressionStream,
};
