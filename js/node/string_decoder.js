// node/string_decoder.js — Node's `string_decoder` module.
//
// The npm string_decoder package (Node's JS decoder of an older release)
// does the decoding; this wrapper adds what Node 22 has on top: the
// 'base64url' encoding, ERR_UNKNOWN_ENCODING / ERR_INVALID_ARG_TYPE errors,
// and acceptance of any TypedArray or DataView (copied into a Buffer view).
// The npm package is reached by a relative path because `string_decoder`
// is aliased to this file.
'use strict';

const npm = require('../node_modules/string_decoder/lib/string_decoder.js');
const { Buffer } = require('./buffer');
const { codes } = require('./internal/errors');

const encodings = {
  utf8: 'utf8', 'utf-8': 'utf8', ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le',
  'utf-16le': 'utf16le', latin1: 'latin1', binary: 'latin1', base64: 'base64',
  base64url: 'base64url', ascii: 'ascii', hex: 'hex',
};

function normalizeEncoding(enc) {
  if (enc === undefined || enc === null || enc === '') return 'utf8';
  const out = encodings[`${enc}`.toLowerCase()];
  if (out === undefined) throw codes.ERR_UNKNOWN_ENCODING(enc);
  return out;
}

function toBuffer(buf) {
  if (Buffer.isBuffer(buf)) return buf;
  if (ArrayBuffer.isView(buf)) return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  throw codes.ERR_INVALID_ARG_TYPE('buf', ['Buffer', 'TypedArray', 'DataView'], buf);
}

function toBase64url(s) {
  return s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const kDecoder = Symbol('kDecoder');

// A plain function, as Node's: packages inherit from it with
// StringDecoder.call(this, encoding) (iconv-lite, under body-parser).
function StringDecoder(encoding) {
  const enc = normalizeEncoding(encoding);
  this.encoding = enc;
  Object.defineProperty(this, kDecoder, {
    value: new npm.StringDecoder(enc === 'base64url' ? 'base64' : enc), writable: true,
  });
}

const decoderMethods = {
  write(buf) {
    if (typeof buf === 'string') return buf;
    const out = this[kDecoder].write(toBuffer(buf));
    return this.encoding === 'base64url' ? toBase64url(out) : out;
  },

  // Flushes, then starts afresh (the decoder is reusable, as in Node).
  end(buf = undefined) {
    let out = '';
    if (buf !== undefined && buf !== null) out = this.write(buf);
    const rest = this[kDecoder].end();
    this[kDecoder] = new npm.StringDecoder(this.encoding === 'base64url' ? 'base64' : this.encoding);
    return out + (this.encoding === 'base64url' ? toBase64url(rest) : rest);
  },

  text(buf, offset) {
    const out = this[kDecoder].text(toBuffer(buf), offset);
    return this.encoding === 'base64url' ? toBase64url(out) : out;
  },

  get lastChar() {
    const last = this[kDecoder].lastChar;
    return last === undefined ? Buffer.alloc(0) : last;
  },

  get lastNeed() {
    return this[kDecoder].lastNeed || 0;
  },

  get lastTotal() {
    return this[kDecoder].lastTotal || 0;
  },
};
// enumerable, as Node's prototype assignments make them
for (const key of Object.keys(decoderMethods)) {
  Object.defineProperty(StringDecoder.prototype, key, Object.getOwnPropertyDescriptor(decoderMethods, key));
}

module.exports = { StringDecoder };
