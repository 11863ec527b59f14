// node/stream.js — Node's `stream` module.
//
// readable-stream 4 (Node's own streams code, published for browsers):
// require('stream') is the legacy Stream constructor carrying Readable,
// Writable, Duplex, Transform, PassThrough, pipeline, finished, compose,
// addAbortSignal, destroy, is* helpers, promises, get/setDefaultHighWaterMark
// — as in Node. Added here: duplexPair (Node 22.6) and _isArrayBufferView.
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

module.exports = Stream;
