// node/buffer.js — Node's `buffer` module.
//
// Buffer is the npm `buffer` package (a Uint8Array subclass) with Node's
// extras added here: the 'base64url' encoding everywhere an encoding is
// taken, Node's argument errors for from/alloc*, Node's inspect output
// (`<Buffer 68 69 ... 3 more bytes>`, extra own properties shown), isUtf8,
// isAscii, transcode, copyBytesFrom, and the module-level exports (Blob,
// File, atob, btoa, resolveObjectURL, constants, kMaxLength,
// kStringMaxLength, INSPECT_MAX_BYTES, SlowBuffer). The npm package is
// reached by a relative path because the bare name `buffer` is aliased to
// this file. kMaxLength is V8 10.2's typed-array limit (2^32) and
// kStringMaxLength its string limit (2^29 - 24).
'use strict';

const npm = require('../node_modules/buffer/index.js');
const { codes } = require('./internal/errors');
const { Blob, File, resolveObjectURL } = require('./internal/blob');
const { atob, btoa } = require('./internal/base64');
const { isValidUtf8 } = require('./internal/encoding');
const binding = require('./internal/binding');

const { Buffer } = npm;
const kMaxLength = 2 ** 32;
const kStringMaxLength = 2 ** 29 - 24;
const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };
const kInspect = Symbol.for('nodejs.util.inspect.custom');

let INSPECT_MAX_BYTES = 50;

// ---- base64url -----------------------------------------------------------------

function isBase64url(enc) {
  return typeof enc === 'string' && (enc === 'base64url' || enc.toLowerCase() === 'base64url');
}

function mapEnc(enc) {
  return isBase64url(enc) ? 'base64' : enc;
}

const npmFrom = Buffer.from;
const npmAlloc = Buffer.alloc;
const npmAllocUnsafe = Buffer.allocUnsafe;
const npmAllocUnsafeSlow = Buffer.allocUnsafeSlow;
const npmByteLength = Buffer.byteLength;
const npmIsEncoding = Buffer.isEncoding;
const proto = Buffer.prototype;
const npmToString = proto.toString;
const npmWrite = proto.write;
const npmFill = proto.fill;
const npmIndexOf = proto.indexOf;
const npmLastIndexOf = proto.lastIndexOf;
const npmIncludes = proto.includes;

function validateSize(size) {
  if (typeof size !== 'number') throw codes.ERR_INVALID_ARG_TYPE('size', 'number', size);
  if (!(size >= 0 && size <= kMaxLength)) {
    throw codes.ERR_OUT_OF_RANGE('size', `>= 0 && <= ${kMaxLength}`, size);
  }
}

function checkEncoding(encoding) {
  if (typeof encoding === 'string' && encoding !== '' && !Buffer.isEncoding(encoding)) {
    throw codes.ERR_UNKNOWN_ENCODING(encoding);
  }
}

Buffer.from = function from(value, encodingOrOffset, length) {
  if (typeof value === 'string') {
    checkEncoding(encodingOrOffset);
    return npmFrom(value, mapEnc(encodingOrOffset));
  }
  if (value === null || value === undefined ||
      (typeof value !== 'object' && typeof value !== 'function')) {
    throw codes.ERR_INVALID_ARG_TYPE('first argument',
      ['string', 'Buffer', 'ArrayBuffer', 'Array', 'Array-like Object'], value);
  }
  return npmFrom(value, encodingOrOffset, length);
};

Buffer.alloc = function alloc(size, fill, encoding) {
  validateSize(size);
  return npmAlloc(size, fill, mapEnc(encoding));
};

// The allocator's zero-fill switch (a Uint32Array; undefined while the
// snapshot is built, so it is asked for again at run time): off for the
// one allocation of allocUnsafe, which may then get back, unzeroed, a
// backing store the guest itself freed, as Node's does from its pool.
// While it is off nothing but that allocation runs: a Uint8Array made with
// the constructor taken here (its `prototype` cannot be redefined) from a
// size that is already an integer; the prototype is set after, with the
// function taken here too, as guest code may replace the globals. Sizes the
// npm package refuses go to it, zero-filling on.
let zeroFill;
const Uint8ArrayCtor = Uint8Array;
const setPrototypeOf = Object.setPrototypeOf;
const kNpmMaxLength = 0x7fffffff;

function unzeroed(alloc, size) {
  if (size >= kNpmMaxLength) return alloc(size);
  if (zeroFill === undefined) zeroFill = binding.util.zeroFillSwitch();
  if (zeroFill === undefined) return alloc(size);
  const n = size | 0;
  let bytes;
  zeroFill[0] = 0;
  try {
    bytes = new Uint8ArrayCtor(n);
  } finally {
    zeroFill[0] = 1;
  }
  setPrototypeOf(bytes, Buffer.prototype);
  return bytes;
}

Buffer.allocUnsafe = function allocUnsafe(size) {
  validateSize(size);
  return unzeroed(npmAllocUnsafe, size);
};

Buffer.allocUnsafeSlow = function allocUnsafeSlow(size) {
  validateSize(size);
  return unzeroed(npmAllocUnsafeSlow, size);
};

Buffer.byteLength = function byteLength(string, encoding) {
  if (typeof string !== 'string' && !ArrayBuffer.isView(string) &&
      !(string instanceof ArrayBuffer) &&
      Object.prototype.toString.call(string) !== '[object SharedArrayBuffer]') {
    throw codes.ERR_INVALID_ARG_TYPE('string', ['string', 'Buffer', 'ArrayBuffer'], string);
  }
  return npmByteLength(string, mapEnc(encoding));
};

Buffer.isEncoding = function isEncoding(encoding) {
  return isBase64url(encoding) || npmIsEncoding(encoding);
};

Buffer.copyBytesFrom = function copyBytesFrom(view, offset = 0, length = undefined) {
  if (!ArrayBuffer.isView(view) || view instanceof DataView) {
    throw codes.ERR_INVALID_ARG_TYPE('view', ['TypedArray'], view);
  }
  const size = view.BYTES_PER_ELEMENT;
  const count = view.length;
  if (offset >= count) return Buffer.alloc(0);
  const end = length === undefined ? count : Math.min(count, offset + length);
  if (end <= offset) return Buffer.alloc(0);
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset * size, (end - offset) * size);
  return npmFrom(bytes);
};

function toBase64url(b64) {
  return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

proto.toString = function toString(encoding, start, end) {
  if (arguments.length === 0) return npmToString.call(this);
  if (encoding !== undefined) checkEncoding(`${encoding}`);
  if (isBase64url(encoding)) return toBase64url(npmToString.call(this, 'base64', start, end));
  return Reflect.apply(npmToString, this, arguments);
};
proto.toLocaleString = proto.toString;

proto.write = function write(string, offset, length, encoding) {
  if (typeof string !== 'string') throw codes.ERR_INVALID_ARG_TYPE('argument', 'string', string);
  for (const arg of [offset, length, encoding]) if (typeof arg === 'string') checkEncoding(arg);
  return npmWrite.call(this, string, mapEnc(offset), mapEnc(length), mapEnc(encoding));
};

proto.fill = function fill(value, offset, end, encoding) {
  return npmFill.call(this, value, mapEnc(offset), mapEnc(end), mapEnc(encoding));
};

proto.indexOf = function indexOf(value, byteOffset, encoding) {
  return npmIndexOf.call(this, value, mapEnc(byteOffset), mapEnc(encoding));
};

proto.lastIndexOf = function lastIndexOf(value, byteOffset, encoding) {
  return Reflect.apply(npmLastIndexOf, this,
    [value, mapEnc(byteOffset), mapEnc(encoding)].slice(0, Math.max(arguments.length, 1)));
};

proto.includes = function includes(value, byteOffset, encoding) {
  return npmIncludes.call(this, value, mapEnc(byteOffset), mapEnc(encoding));
};

for (const enc of ['base64url']) {
  proto[`${enc}Slice`] = function slice(start, end) {
    return this.toString(enc, start, end);
  };
  proto[`${enc}Write`] = function write(string, offset, length) {
    return this.write(string, offset, length, enc);
  };
}

// ---- inspect ----------------------------------------------------------------------

// Node: `<Buffer 68 69>`, `... N more bytes` past INSPECT_MAX_BYTES, then any
// extra own (non-index) properties.
function inspectBuffer(recurseTimes, ctx) {
  const max = INSPECT_MAX_BYTES;
  const shown = Math.min(max, this.length);
  const remaining = this.length - max;
  let str = npmToString.call(this, 'hex', 0, shown).replace(/(.{2})/g, '$1 ').trim();
  if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
  if (ctx) {
    const util = require('./util');
    const extras = {};
    let any = false;
    const keys = ctx.showHidden ? Object.getOwnPropertyNames(this) : Object.keys(this);
    for (const key of keys) {
      if (/^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1) continue;
      any = true;
      extras[key] = this[key];
    }
    for (const sym of Object.getOwnPropertySymbols(this)) {
      if (!ctx.showHidden && !Object.prototype.propertyIsEnumerable.call(this, sym)) continue;
      any = true;
      extras[sym] = this[sym];
    }
    if (any) {
      if (this.length !== 0) str += ', ';
      const inner = util.inspect(extras, { ...ctx, breakLength: Infinity, compact: true });
      str += inner.slice(2, -2);
    }
  }
  return `<${this.constructor.name} ${str}>`;
}
proto[kInspect] = inspectBuffer;
proto.inspect = inspectBuffer;

// ---- module functions ------------------------------------------------------------------

function bytesOf(input, name) {
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const tag = Object.prototype.toString.call(input);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(input);
  throw codes.ERR_INVALID_ARG_TYPE(name, ['ArrayBuffer', 'Buffer', 'TypedArray'], input);
}

function isUtf8(input) {
  return isValidUtf8(bytesOf(input, 'input'));
}

function isAscii(input) {
  const bytes = bytesOf(input, 'input');
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

const transcodeEncodings = {
  utf8: 'utf8', 'utf-8': 'utf8', ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le',
  'utf-16le': 'utf16le', latin1: 'latin1', binary: 'latin1', ascii: 'ascii',
};

function transcode(source, fromEncoding, toEncoding) {
  if (!(source instanceof Uint8Array)) {
    throw codes.ERR_INVALID_ARG_TYPE('source', ['Buffer', 'Uint8Array'], source);
  }
  if (source.length === 0) return Buffer.alloc(0);
  const from = transcodeEncodings[`${fromEncoding}`.toLowerCase()];
  const to = transcodeEncodings[`${toEncoding}`.toLowerCase()];
  if (from === undefined || to === undefined) {
    const err = new Error(`Unable to transcode Buffer [U_ILLEGAL_ARGUMENT_ERROR]`);
    err.code = 'U_ILLEGAL_ARGUMENT_ERROR';
    err.errno = 1;
    throw err;
  }
  let text = npmToString.call(npmFrom(source.buffer, source.byteOffset, source.byteLength), from);
  if (to === 'ascii') text = text.replace(/[^\x00-\x7f]/g, '?');
  else if (to === 'latin1') text = text.replace(/[^\x00-\xff]/g, '?');
  return npmFrom(text, to);
}

function SlowBuffer(size) {
  return Buffer.allocUnsafeSlow(size);
}
Object.setPrototypeOf(SlowBuffer.prototype, Uint8Array.prototype);
Object.setPrototypeOf(SlowBuffer, Uint8Array);

// Fixed-width reads and writes check their offset the way Node does
// (ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE / ERR_BUFFER_OUT_OF_BOUNDS)
// before the npm implementation runs; its own checks throw uncoded errors.
function checkOffset(buf, offset, size) {
  if (offset === undefined) offset = 0;
  if (typeof offset !== 'number') throw codes.ERR_INVALID_ARG_TYPE('offset', 'number', offset);
  const last = buf.length - size;
  if (!Number.isInteger(offset)) throw codes.ERR_OUT_OF_RANGE('offset', 'an integer', offset);
  if (last < 0) throw codes.ERR_BUFFER_OUT_OF_BOUNDS();
  if (offset < 0 || offset > last) throw codes.ERR_OUT_OF_RANGE('offset', `>= 0 and <= ${last}`, offset);
  return offset;
}
const fixedWidth = {
  Int8: 1, UInt8: 1, Uint8: 1, Int16LE: 2, Int16BE: 2, UInt16LE: 2, UInt16BE: 2, Uint16LE: 2,
  Uint16BE: 2, Int32LE: 4, Int32BE: 4, UInt32LE: 4, UInt32BE: 4, Uint32LE: 4, Uint32BE: 4,
  FloatLE: 4, FloatBE: 4, DoubleLE: 8, DoubleBE: 8, BigInt64LE: 8, BigInt64BE: 8,
  BigUInt64LE: 8, BigUInt64BE: 8, BigUint64LE: 8, BigUint64BE: 8,
};
for (const [suffix, size] of Object.entries(fixedWidth)) {
  const read = proto[`read${suffix}`];
  if (typeof read === 'function') {
    Object.defineProperty(proto, `read${suffix}`, {
      value: { [`read${suffix}`](offset) { return read.call(this, checkOffset(this, offset, size)); } }[`read${suffix}`],
      writable: true, configurable: true, enumerable: true,
    });
  }
  const write = proto[`write${suffix}`];
  if (typeof write === 'function') {
    Object.defineProperty(proto, `write${suffix}`, {
      value: { [`write${suffix}`](value, offset) { return write.call(this, value, checkOffset(this, offset, size)); } }[`write${suffix}`],
      writable: true, configurable: true, enumerable: true,
    });
  }
}

// Buffer.prototype's methods are enumerable in Node (assigned, not
// defined): packages walk them with for...in (mysql2's MockBuffer). The
// polyfill's own marker is not Node's and stays out of the walk.
for (const name of ['asciiSlice', 'base64Slice', 'base64urlSlice', 'latin1Slice', 'hexSlice',
  'ucs2Slice', 'utf8Slice', 'asciiWrite', 'base64Write', 'base64urlWrite', 'latin1Write',
  'hexWrite', 'ucs2Write', 'utf8Write', 'copy', 'toString', 'equals', 'inspect', 'compare',
  'indexOf', 'lastIndexOf', 'includes', 'fill', 'write', 'toJSON', 'subarray', 'slice', 'swap16',
  'swap32', 'swap64', 'toLocaleString']) {
  const d = Object.getOwnPropertyDescriptor(proto, name);
  if (d && !d.enumerable && d.configurable) Object.defineProperty(proto, name, { ...d, enumerable: true });
}
{
  const d = Object.getOwnPropertyDescriptor(proto, '_isBuffer');
  if (d && d.configurable) Object.defineProperty(proto, '_isBuffer', { ...d, enumerable: false });
}

module.exports = {
  Buffer,
  SlowBuffer,
  transcode,
  isUtf8,
  isAscii,
  kMaxLength,
  kStringMaxLength,
  btoa,
  atob,
  constants,
  INSPECT_MAX_BYTES: undefined,
  Blob,
  resolveObjectURL,
  File,
};

Object.defineProperty(module.exports, 'INSPECT_MAX_BYTES', {
  get() {
    return INSPECT_MAX_BYTES;
  },
  set(value) {
    if (typeof value !== 'number') throw codes.ERR_INVALID_ARG_TYPE('INSPECT_MAX_BYTES', 'number', value);
    if (!(value >= 0)) throw codes.ERR_OUT_OF_RANGE('INSPECT_MAX_BYTES', '>= 0', value);
    INSPECT_MAX_BYTES = value;
  },
  enumerable: true,
  configurable: true,
});
