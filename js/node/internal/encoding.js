// node/internal/encoding.js — TextEncoder / TextDecoder (WHATWG Encoding).
//
// V8 has neither, so both are own code: UTF-8 encode (lone surrogates become
// U+FFFD), and decoders for utf-8 (WHATWG error handling: each maximal
// invalid subsequence becomes one U+FFFD; `fatal` throws
// ERR_ENCODING_INVALID_ENCODED_DATA; `stream: true` keeps a partial
// sequence for the next call), utf-16le and utf-16be, and the windows-1252 labels
// (latin1, ascii, iso-8859-1 …) decoded as ISO-8859-1, as Node 20/22 do.
// Any other label throws ERR_ENCODING_NOT_SUPPORTED.
// Also exports utf8Encode / utf8DecodeWithoutBOM, the two helpers whatwg-url
// needs (see build-support.js). No state outside instances.
'use strict';

const kInspect = Symbol.for('nodejs.util.inspect.custom');

function lazyErrors() {
  return require('./errors').codes;
}

// ---- UTF-8 encode ----------------------------------------------------------

function utf8Length(str) {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else n += 3;
  }
  return n;
}

// Writes as many whole code points of `str` as fit; returns [read, written]
// in UTF-16 code units and bytes.
function utf8Write(str, dest, start = 0, end = dest.length) {
  let j = start;
  let i = 0;
  for (; i < str.length; i++) {
    let c = str.charCodeAt(i);
    let units = 1;
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          units = 2;
        } else c = 0xfffd;
      } else c = 0xfffd;
    }
    if (c < 0x80) {
      if (j + 1 > end) break;
      dest[j++] = c;
    } else if (c < 0x800) {
      if (j + 2 > end) break;
      dest[j++] = 0xc0 | (c >> 6);
      dest[j++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      if (j + 3 > end) break;
      dest[j++] = 0xe0 | (c >> 12);
      dest[j++] = 0x80 | ((c >> 6) & 0x3f);
      dest[j++] = 0x80 | (c & 0x3f);
    } else {
      if (j + 4 > end) break;
      dest[j++] = 0xf0 | (c >> 18);
      dest[j++] = 0x80 | ((c >> 12) & 0x3f);
      dest[j++] = 0x80 | ((c >> 6) & 0x3f);
      dest[j++] = 0x80 | (c & 0x3f);
    }
    i += units - 1;
  }
  return [i, j - start];
}

function utf8Encode(str) {
  const out = new Uint8Array(utf8Length(str));
  utf8Write(str, out);
  return out;
}

// ---- decoders ----------------------------------------------------------------

const CHUNK = 0x2000;

// Collects UTF-16 code units and turns them into a string in bounded chunks.
class StringSink {
  constructor() {
    this.parts = [];
    this.units = [];
  }

  push(unit) {
    this.units.push(unit);
    if (this.units.length >= CHUNK) this.flush();
  }

  pushCodePoint(cp) {
    if (cp > 0xffff) {
      cp -= 0x10000;
      this.push(0xd800 + (cp >> 10));
      this.push(0xdc00 + (cp & 0x3ff));
    } else {
      this.push(cp);
    }
  }

  flush() {
    if (this.units.length > 0) {
      this.parts.push(String.fromCharCode.apply(null, this.units));
      this.units = [];
    }
  }

  result() {
    this.flush();
    return this.parts.join('');
  }
}

class Utf8Decoder {
  constructor(fatal) {
    this.fatal = fatal;
    this.reset();
  }

  reset() {
    this.cp = 0;
    this.needed = 0;
    this.seen = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }

  error(sink) {
    if (this.fatal) {
      this.reset();
      throw lazyErrors().ERR_ENCODING_INVALID_ENCODED_DATA('utf-8');
    }
    sink.push(0xfffd);
  }

  decode(bytes, sink, flush) {
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      const b = bytes[i];
      if (this.needed === 0) {
        if (b < 0x80) {
          sink.push(b);
        } else if (b >= 0xc2 && b <= 0xdf) {
          this.needed = 1;
          this.cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.lower = 0xa0;
          if (b === 0xed) this.upper = 0x9f;
          this.needed = 2;
          this.cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.lower = 0x90;
          if (b === 0xf4) this.upper = 0x8f;
          this.needed = 3;
          this.cp = b & 0x7;
        } else {
          this.error(sink);
        }
        continue;
      }
      if (b < this.lower || b > this.upper) {
        this.reset();
        this.error(sink);
        i--; // reprocess this byte as a lead
        continue;
      }
      this.lower = 0x80;
      this.upper = 0xbf;
      this.cp = (this.cp << 6) | (b & 0x3f);
      this.seen++;
      if (this.seen === this.needed) {
        sink.pushCodePoint(this.cp);
        this.reset();
      }
    }
    if (flush && this.needed !== 0) {
      this.reset();
      this.error(sink);
    }
  }
}

class Utf16Decoder {
  constructor(fatal, bigEndian) {
    this.fatal = fatal;
    this.bigEndian = bigEndian;
    this.pendingByte = -1;
    this.lead = -1;
  }

  error(sink) {
    if (this.fatal) {
      this.pendingByte = -1;
      this.lead = -1;
      throw lazyErrors().ERR_ENCODING_INVALID_ENCODED_DATA(this.bigEndian ? 'utf-16be' : 'utf-16le');
    }
    sink.push(0xfffd);
  }

  unit(u, sink) {
    if (this.lead !== -1) {
      const lead = this.lead;
      this.lead = -1;
      if (u >= 0xdc00 && u <= 0xdfff) {
        sink.push(lead);
        sink.push(u);
        return;
      }
      this.error(sink);
    }
    if (u >= 0xd800 && u <= 0xdbff) this.lead = u;
    else if (u >= 0xdc00 && u <= 0xdfff) this.error(sink);
    else sink.push(u);
  }

  // a code unit from its two bytes in stream order
  join(first, second) {
    return this.bigEndian ? (first << 8) | second : first | (second << 8);
  }

  decode(bytes, sink, flush) {
    let i = 0;
    if (this.pendingByte !== -1 && bytes.length > 0) {
      this.unit(this.join(this.pendingByte, bytes[0]), sink);
      this.pendingByte = -1;
      i = 1;
    }
    for (; i + 1 < bytes.length; i += 2) this.unit(this.join(bytes[i], bytes[i + 1]), sink);
    if (i < bytes.length) this.pendingByte = bytes[i];
    if (flush) {
      if (this.pendingByte !== -1 || this.lead !== -1) {
        this.pendingByte = -1;
        this.lead = -1;
        this.error(sink);
      }
    }
  }
}

// The "windows-1252" labels (latin1, ascii, iso-8859-1 …). Node 20.x/22.x
// decode them byte for byte as ISO-8859-1 (0x80-0x9F stay C1 controls)
// rather than with the WHATWG windows-1252 table; this matches Node.
class Latin1Decoder {
  decode(bytes, sink) {
    for (let i = 0; i < bytes.length; i++) sink.push(bytes[i]);
  }
}

const labels = new Map();
for (const l of ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8',
  'x-unicode20utf8']) labels.set(l, 'utf-8');
for (const l of ['csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16',
  'utf-16le']) labels.set(l, 'utf-16le');
for (const l of ['unicodefffe', 'utf-16be']) labels.set(l, 'utf-16be');
for (const l of ['ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819',
  'iso-8859-1', 'iso-ir-100', 'iso8859-1', 'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1',
  'latin1', 'us-ascii', 'windows-1252', 'x-cp1252']) labels.set(l, 'windows-1252');

function toBytes(input) {
  if (input === undefined) return new Uint8Array(0);
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  const tag = Object.prototype.toString.call(input);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
    return new Uint8Array(input);
  }
  // Node's wording for this case (from its native decoder).
  throw require('./errors').makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "list" argument must be an instance of SharedArrayBuffer, ArrayBuffer or ArrayBufferView.');
}

class TextEncoder {
  get encoding() {
    return 'utf-8';
  }

  encode(input = '') {
    return utf8Encode(`${input}`);
  }

  encodeInto(src, dest) {
    if (!(dest instanceof Uint8Array)) {
      throw lazyErrors().ERR_INVALID_ARG_TYPE('dest', 'Uint8Array', dest);
    }
    const [read, written] = utf8Write(`${src}`, dest);
    return { read, written };
  }

  [kInspect](depth, opts) {
    if (typeof depth === 'number' && depth < 0) return this;
    return require('../util').inspect({ encoding: 'utf-8' }, opts);
  }
}

Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, {
  value: 'TextEncoder', configurable: true,
});

class TextDecoder {
  #encoding;
  #fatal;
  #ignoreBOM;
  #decoder;
  #bomSeen = false;

  constructor(label = 'utf-8', options = {}) {
    // only ASCII whitespace is trimmed (WHATWG's "get an encoding")
    const name = labels.get(`${label}`.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').toLowerCase());
    if (name === undefined) throw lazyErrors().ERR_ENCODING_NOT_SUPPORTED(label);
    if (options !== null && options !== undefined && typeof options !== 'object') {
      throw lazyErrors().ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    this.#encoding = name;
    this.#fatal = !!(options && options.fatal);
    this.#ignoreBOM = !!(options && options.ignoreBOM);
    this.#decoder = this.#makeDecoder();
  }

  #makeDecoder() {
    if (this.#encoding === 'utf-8') return new Utf8Decoder(this.#fatal);
    if (this.#encoding === 'utf-16le') return new Utf16Decoder(this.#fatal, false);
    if (this.#encoding === 'utf-16be') return new Utf16Decoder(this.#fatal, true);
    return new Latin1Decoder();
  }

  get encoding() {
    return this.#encoding;
  }

  get fatal() {
    return this.#fatal;
  }

  get ignoreBOM() {
    return this.#ignoreBOM;
  }

  decode(input = undefined, options = {}) {
    const bytes = toBytes(input);
    const stream = !!(options && options.stream);
    const sink = new StringSink();
    try {
      this.#decoder.decode(bytes, sink, !stream);
    } catch (err) {
      this.#bomSeen = false;
      throw err;
    }
    let out = sink.result();
    if (!this.#ignoreBOM && !this.#bomSeen && out.length > 0) {
      if (this.#encoding !== 'windows-1252' && out.charCodeAt(0) === 0xfeff) out = out.slice(1);
      this.#bomSeen = true;
    }
    if (!stream) {
      this.#bomSeen = false;
      this.#decoder = this.#makeDecoder();
    }
    return out;
  }

  [kInspect](depth, opts) {
    if (typeof depth === 'number' && depth < 0) return this;
    const inspect = require('../util').inspect;
    return `TextDecoder ${inspect({
      encoding: this.#encoding, fatal: this.#fatal, ignoreBOM: this.#ignoreBOM,
    }, opts)}`;
  }
}

Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, {
  value: 'TextDecoder', configurable: true,
});
for (const C of [TextEncoder, TextDecoder]) {
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    if (key === 'constructor') continue;
    const desc = Object.getOwnPropertyDescriptor(C.prototype, key);
    desc.enumerable = true;
    Object.defineProperty(C.prototype, key, desc);
  }
}

// whatwg-url's lib/encoding.js interface.
let sharedDecoder;
function utf8DecodeWithoutBOM(bytes) {
  if (sharedDecoder === undefined) sharedDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  return sharedDecoder.decode(bytes);
}

// Strict UTF-8 validity (for buffer.isUtf8).
function isValidUtf8(bytes) {
  try {
    new Utf8Decoder(true).decode(bytes, { push() {}, pushCodePoint() {} }, true);
    return true;
  } catch {
    return false;
  }
}

module.exports = {
  TextEncoder,
  TextDecoder,
  utf8Encode,
  utf8Length,
  utf8Write,
  utf8DecodeWithoutBOM,
  isValidUtf8,
};
