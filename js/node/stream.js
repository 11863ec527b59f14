// node/stream.js — Node's `stream` module.
//
// readable-stream 4 (Node's own streams code, published for browsers):
// require('stream') is the legacy Stream constructor carrying Readable,
// Writable, Duplex, Transform, PassThrough, pipeline, finished, compose,
// addAbortSignal, destroy, is* helpers, promises, get/setDefaultHighWaterMark
// — as in Node. Added here: duplexPair (Node 22.6), _isArrayBufferView, the
// web adapters (Readable's below, Writable's and Duplex's in
// internal/web-adapters.js) and Writable's Symbol.asyncDispose.
// The default high-water mark is Node 22's 64 KiB for byte streams (Node 20:
// 16 KiB). readable-stream reaches `buffer`, `events`, `process`,
// `string_decoder` and `abort-controller` through the build's aliases, so it
// shares this project's modules.
'use strict';

require('./internal/dispose-symbols');
const Stream = require('readable-stream/lib/stream.js');

Stream.setDefaultHighWaterMark(false, 64 * 1024);

Stream._isArrayBufferView = function isArrayBufferView(value) {
  return ArrayBuffer.isView(value);
};

// Two Duplex streams where what is written to one is read from the other.
function duplexPair(options = undefined) {
  const { Duplex } = Stream;
  const make = () => new Duplex({
    ...options,
    read() {
      const pending = this._sePendingCallback;
      if (pending !== undefined) {
        this._sePendingCallback = undefined;
        pending();
      }
    },
    write(chunk, encoding, callback) {
      const other = this._seOther;
      if (other.push(chunk, encoding)) callback();
      else other._sePendingCallback = callback;
    },
    final(callback) {
      this._seOther.push(null);
      callback();
    },
  });
  const a = make();
  const b = make();
  for (const [self, other] of [[a, b], [b, a]]) {
    Object.defineProperty(self, '_seOther', { value: other, enumerable: false, writable: true });
    Object.defineProperty(self, '_sePendingCallback', { value: undefined, enumerable: false, writable: true });
  }
  return [a, b];
}

Stream.duplexPair = duplexPair;

// Node 22: a writable is disposed of by destroying it (an AbortError unless
// it had finished), the promise settling when it is done.
Stream.Writable.prototype[Symbol.asyncDispose] = function asyncDispose() {
  let error;
  if (!this.destroyed) {
    error = this.writableFinished ? null : new (require('./internal/errors').AbortError)();
    this.destroy(error);
  }
  return new Promise((resolve, reject) => {
    Stream.finished(this, (err) => (err && err.name !== 'AbortError' ? reject(err) : resolve(null)));
  });
};

// Readable.toWeb and Readable.fromWeb: Node's adapters between a stream
// and a WHATWG ReadableStream (readable-stream leaves them to the host).
// The web streams are the lazy globals (stream/web), loaded at first use.
Stream.Readable.toWeb = function toWeb(streamReadable, options = {}) {
  if (typeof streamReadable?._readableState !== 'object') {
    throw require('./internal/errors').codes.ERR_INVALID_ARG_TYPE(
      'streamReadable', 'stream.Readable', streamReadable);
  }
  const { ReadableStream, CountQueuingStrategy } = globalThis;
  if (Stream.isDestroyed(streamReadable) || !Stream.isReadable(streamReadable)) {
    const gone = new ReadableStream();
    gone.cancel();
    return gone;
  }
  const objectMode = streamReadable.readableObjectMode;
  const highWaterMark = streamReadable.readableHighWaterMark;
  const strategy = options?.strategy ||
    (objectMode ? new CountQueuingStrategy({ highWaterMark }) : { highWaterMark });
  let controller;
  const onData = (chunk) => {
    // a Buffer goes out as a Uint8Array of its own bytes, as Node's does
    controller.enqueue(Buffer.isBuffer(chunk) && !objectMode ? new Uint8Array(chunk) : chunk);
    if (controller.desiredSize <= 0) streamReadable.pause();
  };
  streamReadable.on('data', onData);
  const cleanup = Stream.finished(streamReadable, (error) => {
    cleanup();
    streamReadable.removeListener('data', onData);
    if (error?.code === 'ERR_STREAM_PREMATURE_CLOSE') {
      const { AbortError } = require('./internal/errors');
      error = AbortError ? new AbortError(undefined, { cause: error }) : error;
    }
    if (error) controller.error(error);
    else controller.close();
  });
  return new ReadableStream({
    start(c) { controller = c; },
    pull() { streamReadable.resume(); },
    cancel(reason) { Stream.destroy(streamReadable, reason); },
  }, strategy);
};

Stream.Readable.fromWeb = function fromWeb(readableStream, options = {}) {
  if (typeof readableStream?.getReader !== 'function') {
    throw require('./internal/errors').codes.ERR_INVALID_ARG_TYPE(
      'readableStream', 'ReadableStream', readableStream);
  }
  const { highWaterMark, encoding, objectMode = false, signal } = options;
  const reader = readableStream.getReader();
  let closed = false;
  const readable = new Stream.Readable({
    objectMode, highWaterMark, encoding, signal,
    read() {
      reader.read().then((chunk) => readable.push(chunk.done ? null : chunk.value),
        (error) => Stream.destroy(readable, error));
    },
    destroy(error, callback) {
      const done = () => callback(error);
      if (!closed) reader.cancel(error).then(done, done);
      else done();
    },
  });
  reader.closed.then(() => { closed = true; }, (error) => {
    closed = true;
    Stream.destroy(readable, error);
  });
  return readable;
};

// A stream's event names skip the empty slots its constructor made.
Stream.prototype.eventNames = function eventNames() {
  const names = [];
  for (const key of Reflect.ownKeys(this._events)) {
    const listeners = this._events[key];
    if (typeof listeners === 'function' || (Array.isArray(listeners) && listeners.length > 0)) names.push(key);
  }
  return names;
};

// Writable.fromWeb/toWeb and Duplex.fromWeb/toWeb.
require('./internal/web-adapters').install(Stream);

module.exports = Stream;
