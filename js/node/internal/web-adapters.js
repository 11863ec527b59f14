// node/internal/web-adapters.js — Writable.fromWeb/toWeb and
// Duplex.fromWeb/toWeb: Node's adapters between node streams and WHATWG
// WritableStream / ReadableStream+WritableStream pairs (readable-stream
// leaves them to the host; Readable's pair is in node/stream.js).
// Behaviour as Node 22's internal/webstreams/adapters: writes wait for the
// writer's ready, a string is written as bytes unless decodeStrings is
// false, end() closes the writer, destroy(err) aborts it (cancels the
// reader), a web side that closes first destroys the node side with
// ERR_STREAM_PREMATURE_CLOSE, one that errors destroys it with the error;
// toWeb writes into the node stream with its backpressure ('drain').
// The web stream classes are the lazy globals, read at call time.
'use strict';

const { codes, AbortError, makeNodeError } = require('./errors');
const { validateObject, validateBoolean } = require('./validators');

function prematureClose() {
  return makeNodeError(Error, 'ERR_STREAM_PREMATURE_CLOSE', 'Premature close');
}

function isWeb(obj, method) {
  return obj !== null && typeof obj === 'object' && typeof obj[method] === 'function' &&
    typeof obj.pipe !== 'function' && typeof obj.on !== 'function';
}

// destroy()'s end: the callback with the error; a throw from it is
// rethrown on the next tick.
function destroyDone(callback, error) {
  return () => {
    try {
      callback(error);
    } catch (err) {
      process.nextTick(() => { throw err; });
    }
  };
}

// A web stream that is already over: closed (writable) or cancelled.
function overStream(Ctor) {
  const stream = new Ctor();
  if (typeof stream.close === 'function') stream.close();
  else stream.cancel();
  return stream;
}

// The node side's write/writev/final over a web writer. `state.closed`
// says the writer is closed (set by the caller's watch of writer.closed).
function writerSide(Stream, getNode, writer, state, decodeStrings, objectMode) {
  const settle = (callback) => (error) => {
    try {
      callback(error);
    } catch (err) {
      process.nextTick(() => Stream.destroy(getNode(), err));
    }
  };
  const toBytes = (chunk, encoding) => {
    if (typeof chunk !== 'string' || !decodeStrings || objectMode) return chunk;
    const b = Buffer.from(chunk, encoding);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  return {
    write(chunk, encoding, callback) {
      const done = settle(callback);
      writer.ready.then(() => writer.write(toBytes(chunk, encoding)).then(() => done(), done), done);
    },
    writev(chunks, callback) {
      const done = (errors) => {
        const list = (Array.isArray(errors) ? errors : [errors]).filter((e) => e);
        settle(callback)(list.length === 0 ? undefined : list);
      };
      writer.ready.then(() => Promise.all(chunks.map((c) => writer.write(c.chunk)))
        .then(() => done([]), done), done);
    },
    final(callback) {
      if (!state.closed) writer.close().then(() => settle(callback)(), settle(callback));
    },
  };
}

function writableFromWeb(Stream, writableStream, options = {}) {
  if (!isWeb(writableStream, 'getWriter')) {
    throw codes.ERR_INVALID_ARG_TYPE('writableStream', 'WritableStream', writableStream);
  }
  validateObject(options, 'options');
  const { highWaterMark, decodeStrings = true, objectMode = false, signal } = options;
  validateBoolean(objectMode, 'options.objectMode');
  validateBoolean(decodeStrings, 'options.decodeStrings');
  const writer = writableStream.getWriter();
  const state = { closed: false };
  const writable = new Stream.Writable({
    highWaterMark, objectMode, decodeStrings, signal,
    ...writerSide(Stream, () => writable, writer, state, decodeStrings, objectMode),
    destroy(error, callback) {
      const done = destroyDone(callback, error);
      if (state.closed) {
        done();
        return;
      }
      (error != null ? writer.abort(error) : writer.close()).then(done, done);
    },
  });
  writer.closed.then(() => {
    state.closed = true;
    if (!writable.writableEnded) Stream.destroy(writable, prematureClose());
  }, (error) => {
    state.closed = true;
    Stream.destroy(writable, error);
  });
  return writable;
}

function writableToWeb(Stream, streamWritable) {
  // a stream.Writable or an http.OutgoingMessage: anything that writes and
  // emits (a Duplex whose writable side is off gets a closed stream)
  if (!streamWritable || typeof streamWritable.write !== 'function' || typeof streamWritable.on !== 'function') {
    throw codes.ERR_INVALID_ARG_TYPE('streamWritable', 'stream.Writable', streamWritable);
  }
  const { WritableStream, CountQueuingStrategy } = globalThis;
  if (Stream.isDestroyed(streamWritable) || !Stream.isWritable(streamWritable)) return overStream(WritableStream);
  const highWaterMark = streamWritable.writableHighWaterMark;
  const strategy = streamWritable.writableObjectMode ? new CountQueuingStrategy({ highWaterMark }) : { highWaterMark };
  let controller;
  let backpressure;
  let closing;
  const cleanup = Stream.finished(streamWritable, (error) => {
    if (error && error.code === 'ERR_STREAM_PREMATURE_CLOSE') error = new AbortError(undefined, { cause: error });
    cleanup();
    // a legacy stream may emit 'error' again after finishing
    streamWritable.on('error', () => {});
    if (error != null) {
      if (backpressure !== undefined) backpressure.reject(error);
      if (closing !== undefined) {
        closing.reject(error);
        closing = undefined;
      }
      controller.error(error);
      controller = undefined;
      return;
    }
    if (closing !== undefined) {
      closing.resolve();
      closing = undefined;
      return;
    }
    controller.error(new AbortError());
    controller = undefined;
  });
  streamWritable.on('drain', () => {
    if (backpressure !== undefined) backpressure.resolve();
  });
  return new WritableStream({
    start(c) {
      controller = c;
    },
    write(chunk) {
      if (streamWritable.writableNeedDrain || !streamWritable.write(chunk)) {
        // settled by 'drain' or by the stream's end
        return new Promise((resolve, reject) => {
          backpressure = { resolve, reject };
        }).finally(() => {
          backpressure = undefined;
        });
      }
      return undefined;
    },
    abort(reason) {
      Stream.destroy(streamWritable, reason);
    },
    close() {
      if (closing === undefined && !streamWritable.writableEnded) {
        const closed = new Promise((resolve, reject) => {
          closing = { resolve, reject };
        });
        streamWritable.end();
        return closed;
      }
      controller = undefined;
      return Promise.resolve();
    },
  }, strategy);
}

function duplexFromWeb(Stream, pair, options = {}) {
  validateObject(pair, 'pair');
  const { readable: readableStream, writable: writableStream } = pair;
  if (!isWeb(readableStream, 'getReader')) {
    throw codes.ERR_INVALID_ARG_TYPE('pair.readable', 'ReadableStream', readableStream);
  }
  if (!isWeb(writableStream, 'getWriter')) {
    throw codes.ERR_INVALID_ARG_TYPE('pair.writable', 'WritableStream', writableStream);
  }
  validateObject(options, 'options');
  const { allowHalfOpen = false, objectMode = false, encoding, decodeStrings = true, highWaterMark, signal } = options;
  validateBoolean(objectMode, 'options.objectMode');
  if (encoding !== undefined && !Buffer.isEncoding(encoding)) {
    throw codes.ERR_INVALID_ARG_VALUE(encoding, 'options.encoding');
  }
  const writer = writableStream.getWriter();
  const reader = readableStream.getReader();
  const state = { closed: false };
  let readableClosed = false;
  const duplex = new Stream.Duplex({
    allowHalfOpen, highWaterMark, objectMode, encoding, decodeStrings, signal,
    ...writerSide(Stream, () => duplex, writer, state, decodeStrings, objectMode),
    read() {
      reader.read().then((chunk) => duplex.push(chunk.done ? null : chunk.value),
        (error) => Stream.destroy(duplex, error));
    },
    destroy(error, callback) {
      const done = destroyDone(callback, error);
      if (state.closed && readableClosed) {
        done();
        return;
      }
      Promise.all([
        state.closed ? undefined : writer.abort(error),
        readableClosed ? undefined : reader.cancel(error),
      ]).then(done, done);
    },
  });
  writer.closed.then(() => {
    state.closed = true;
    if (!duplex.writableEnded) Stream.destroy(duplex, prematureClose());
  }, (error) => {
    state.closed = true;
    readableClosed = true;
    Stream.destroy(duplex, error);
  });
  reader.closed.then(() => {
    readableClosed = true;
  }, (error) => {
    state.closed = true;
    readableClosed = true;
    Stream.destroy(duplex, error);
  });
  return duplex;
}

function duplexToWeb(Stream, duplex) {
  if (duplex === null || typeof duplex !== 'object' || typeof duplex._writableState !== 'object' ||
      typeof duplex._readableState !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('duplex', 'stream.Duplex', duplex);
  }
  const { ReadableStream, WritableStream } = globalThis;
  if (Stream.isDestroyed(duplex)) return { readable: overStream(ReadableStream), writable: overStream(WritableStream) };
  return {
    writable: Stream.isWritable(duplex) ? writableToWeb(Stream, duplex) : overStream(WritableStream),
    readable: Stream.isReadable(duplex) ? Stream.Readable.toWeb(duplex) : overStream(ReadableStream),
  };
}

// Puts the four on the stream classes (Duplexify inherits Duplex's).
function install(Stream) {
  Stream.Writable.fromWeb = function fromWeb(writableStream, options) {
    return writableFromWeb(Stream, writableStream, options);
  };
  Stream.Writable.toWeb = function toWeb(streamWritable) {
    return writableToWeb(Stream, streamWritable);
  };
  Stream.Duplex.fromWeb = function fromWeb(pair, options) {
    return duplexFromWeb(Stream, pair, options);
  };
  Stream.Duplex.toWeb = function toWeb(duplex) {
    return duplexToWeb(Stream, duplex);
  };
}

module.exports = { install };
