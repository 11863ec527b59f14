// node/string_decoder.js — Node's `string_decoder` module.
//
// Own code following Node 22's native decoder (src/string_decoder.cc): a
// character cut at a chunk's end waits in a 4-byte buffer (lastChar) for
// the bytes it misses (lastNeed); utf8 decides where a cut character
// starts from the lead byte, and a byte that should have continued it ends
// it early; utf16le keeps an odd byte or a lone high surrogate; base64 and
// base64url keep what does not fill 3 bytes; the text itself is made by
// the Buffer conversions (V8's UTF-8 decoder, so invalid bytes become
// U+FFFD as in Node). ascii, latin1 and hex keep nothing. Errors as
// Node's: ERR_UNKNOWN_ENCODING, ERR_INVALID_ARG_TYPE, ERR_INVALID_THIS.
'use strict';

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

const kState = Symbol('kNativeDecoder');

// The decoder's state: the cut character's bytes, how many are held and
// how many are still missing.
class DecoderState {
  constructor(encoding) {
    this.encoding = encoding;
    this.chars = Buffer.alloc(4);
    this.missing = 0;
    this.buffered = 0;
  }

  text(bytes, start, end) {
    if (end <= start) return '';
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString(this.encoding);
  }

  decode(bytes) {
    const enc = this.encoding;
    if (enc !== 'utf8' && enc !== 'utf16le' && enc !== 'base64' && enc !== 'base64url') {
      return this.text(bytes, 0, bytes.length);
    }
    let pos = 0;
    let end = bytes.length;
    let prepend = '';
    if (this.missing > 0) {
      if (enc === 'utf8') {
        // a byte that does not continue the character starts a new one
        for (let i = 0; i < end && i < this.missing; i++) {
          if ((bytes[i] & 0xc0) !== 0x80) {
            this.missing = 0;
            this.chars.set(bytes.subarray(0, i), this.buffered);
            this.buffered += i;
            pos = i;
            break;
          }
        }
      }
      const found = Math.min(end - pos, this.missing);
      this.chars.set(bytes.subarray(pos, pos + found), this.buffered);
      pos += found;
      this.missing -= found;
      this.buffered += found;
      if (this.missing === 0) {
        prepend = this.text(this.chars, 0, this.buffered);
        this.buffered = 0;
      }
    }
    if (pos === end) return prepend;
    if (enc === 'utf8' && bytes[end - 1] & 0x80) {
      for (let i = end - 1; ; i--) {
        this.buffered++;
        if ((bytes[i] & 0xc0) === 0x80) {
          // trailing bytes only, or too many of them: V8 decides
          if (this.buffered >= 4 || i === pos) {
            this.buffered = 0;
            break;
          }
        } else {
          const lead = bytes[i];
          if ((lead & 0xe0) === 0xc0) this.missing = 2;
          else if ((lead & 0xf0) === 0xe0) this.missing = 3;
          else if ((lead & 0xf8) === 0xf0) this.missing = 4;
          else {
            this.buffered = 0;
            break;
          }
          if (this.buffered >= this.missing) {
            this.missing = 0;
            this.buffered = 0;
          }
          this.missing -= this.buffered;
          break;
        }
      }
    } else if (enc === 'utf16le') {
      if ((end - pos) % 2 === 1) {
        this.buffered = 1;
        this.missing = 1;
      } else if ((bytes[end - 1] & 0xfc) === 0xd8) {
        this.buffered = 2;
        this.missing = 2;
      }
    } else if (enc === 'base64' || enc === 'base64url') {
      this.buffered = (end - pos) % 3;
      if (this.buffered > 0) this.missing = 3 - this.buffered;
    }
    if (this.buffered > 0) {
      end -= this.buffered;
      this.chars.set(bytes.subarray(end, end + this.buffered), 0);
    }
    return prepend + this.text(bytes, pos, end);
  }

  flush() {
    if (this.encoding === 'utf16le' && this.buffered % 2 === 1) {
      // a single trailing byte is dropped
      this.missing--;
      this.buffered--;
    }
    if (this.buffered === 0) return '';
    const out = this.text(this.chars, 0, this.buffered);
    this.missing = 0;
    this.buffered = 0;
    return out;
  }
}

function stateOf(decoder) {
  const state = decoder !== null && typeof decoder === 'object' ? decoder[kState] : undefined;
  if (!(state instanceof DecoderState)) throw codes.ERR_INVALID_THIS('StringDecoder');
  return state;
}

// A plain function, as Node's: packages inherit from it with
// StringDecoder.call(this, encoding) (iconv-lite, under body-parser).
function StringDecoder(encoding) {
  this.encoding = normalizeEncoding(encoding);
  Object.defineProperty(this, kState, {
    value: new DecoderState(this.encoding), writable: true, configurable: true,
  });
}

const decoderMethods = {
  write(buf) {
    if (typeof buf === 'string') return buf;
    if (!ArrayBuffer.isView(buf)) {
      throw codes.ERR_INVALID_ARG_TYPE('buf', ['Buffer', 'TypedArray', 'DataView'], buf);
    }
    const state = stateOf(this);
    return state.decode(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  },

  end(buf = undefined) {
    let out = '';
    if (buf !== undefined) out = this.write(buf);
    const state = stateOf(this);
    if (state.buffered > 0) out += state.flush();
    return out;
  },

  text(buf, offset) {
    const state = stateOf(this);
    state.missing = 0;
    state.buffered = 0;
    return this.write(buf.slice(offset));
  },

  get lastChar() {
    return stateOf(this).chars;
  },

  get lastNeed() {
    return stateOf(this).missing;
  },

  get lastTotal() {
    const state = stateOf(this);
    return state.buffered + state.missing;
  },
};
// enumerable, as Node's prototype assignments make them
for (const key of Object.keys(decoderMethods)) {
  Object.defineProperty(StringDecoder.prototype, key, Object.getOwnPropertyDescriptor(decoderMethods, key));
}

module.exports = { StringDecoder };
