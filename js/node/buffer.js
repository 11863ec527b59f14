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
// this file. kMaxLength is Node 22's (2^53 - 1; V8 10.2 allocates up to
// 2^32 bytes) and kStringMaxLength V8's string limit (2^29 - 24).
'use strict';

const npm = require('../node_modules/buffer/index.js');
const { codes, makeNodeError } = require('./internal/errors');
const { validateInteger, validateString } = require('./internal/validators');
const { Blob, File, resolveObjectURL } = require('./internal/blob');
const { atob, btoa } = require('./internal/base64');
const { isValidUtf8 } = require('./internal/encoding');
const binding = require('./internal/binding');

const NpmBuffer = npm.Buffer;

// Buffer itself is Node's: Buffer(n) is Buffer.alloc(n), Buffer(x, ...) is
// Buffer.from(x, ...), with DEP0005 warned once when the caller is outside
// node_modules. It carries the package's statics (replaced below) and
// shares its prototype.
function Buffer(arg, encodingOrOffset, length) {
  showFlaggedDeprecation();
  if (typeof arg === 'number') {
    if (typeof encodingOrOffset === 'string') throw codes.ERR_INVALID_ARG_TYPE('string', 'string', arg);
    return Buffer.alloc(arg);
  }
  return Buffer.from(arg, encodingOrOffset, length);
}
for (const key of Reflect.ownKeys(NpmBuffer)) {
  if (!['length', 'name', 'prototype', 'arguments', 'caller'].includes(key)) {
    Object.defineProperty(Buffer, key, Object.getOwnPropertyDescriptor(NpmBuffer, key));
  }
}
Object.setPrototypeOf(Buffer, Uint8Array);
Buffer.isBuffer = function isBuffer(b) {
  return b instanceof Buffer;
};

let bufferWarned = false;
let deprecationChecks = 0;

// Node's isInsideNodeModules: the first frame outside node: decides; none
// in 100 frames counts as inside. The frames are taken without the guest's
// Error.prepareStackTrace.
function callerInNodeModules() {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder = {};
  try {
    Error.prepareStackTrace = (err, frames) => frames;
    Error.stackTraceLimit = 100;
    Error.captureStackTrace(holder, Buffer);
    const frames = holder.stack;
    // inside a prepareStackTrace V8 formats the frames itself: read the text
    const files = Array.isArray(frames) ? frames.map((frame) => frame.getFileName())
      : `${frames}`.split('\n').slice(1).map((line) => {
        const m = /\(([^()]*?):\d+:\d+\)$|at ([^() ]*?):\d+:\d+$/.exec(line);
        return m === null ? undefined : m[1] || m[2];
      });
    for (const file of files) {
      if (!file || file.startsWith('node:')) continue;
      return /[\\/]node_modules[\\/]/.test(file);
    }
    return true;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

function showFlaggedDeprecation() {
  if (bufferWarned || ++deprecationChecks > 10000 || callerInNodeModules()) return;
  bufferWarned = true;
  process.emitWarning('Buffer() is deprecated due to security and usability issues. Please use the ' +
    'Buffer.alloc(), Buffer.allocUnsafe(), or Buffer.from() methods instead.', 'DeprecationWarning', 'DEP0005');
}

// ---- FastBuffer: how a Buffer is made ------------------------------------------
// As in Node, a Buffer is an instance of a Uint8Array subclass made by its
// constructor, and Buffer.prototype is that subclass's prototype. The npm
// package makes a plain Uint8Array and changes its prototype afterwards: a
// runtime call per Buffer (about 1 us, and every site that reads one sees a
// new map). The package's methods move onto the subclass's prototype, and
// Buffer.prototype is pointed at it: the package reads Buffer.prototype at
// call time, so what it still makes itself gets the same prototype.
// Buffer[Symbol.species] is the subclass, so subarray(), map() and filter()
// make FastBuffers directly, as in Node.
class FastBuffer extends Uint8Array {
  // eslint-disable-next-line no-useless-constructor
  constructor(bufferOrLength, byteOffset, length) {
    super(bufferOrLength, byteOffset, length);
  }
}
{
  const old = NpmBuffer.prototype;
  for (const key of Reflect.ownKeys(old)) {
    if (key !== 'constructor') Object.defineProperty(FastBuffer.prototype, key, Object.getOwnPropertyDescriptor(old, key));
  }
  Object.defineProperty(FastBuffer.prototype, 'constructor', {
    value: Buffer, writable: true, configurable: true, enumerable: false,
  });
  Buffer.prototype = FastBuffer.prototype;
  NpmBuffer.prototype = FastBuffer.prototype;
  Object.defineProperty(Buffer, Symbol.species, { get() { return FastBuffer; }, configurable: true });
}
// Node 22's limit (V8 12's typed arrays); V8 10.2's stop at 2^32 bytes, and a
// Buffer between the two fails as an allocation Node could not make does.
const kMaxLength = Number.MAX_SAFE_INTEGER;
const kEngineMaxLength = 2 ** 32;
function allocationFailed() {
  return new RangeError('Array buffer allocation failed');
}
const kStringMaxLength = 2 ** 29 - 24;
const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };
const kInspect = Symbol.for('nodejs.util.inspect.custom');

let INSPECT_MAX_BYTES = 50;

// ---- base64url -----------------------------------------------------------------

function isBase64url(enc) {
  return typeof enc === 'string' && (enc === 'base64url' || enc.toLowerCase() === 'base64url');
}

const npmIsEncoding = Buffer.isEncoding;
const proto = Buffer.prototype;

function validateSize(size) {
  if (typeof size !== 'number') throw codes.ERR_INVALID_ARG_TYPE('size', 'number', size);
  if (!(size >= 0 && size <= kMaxLength)) {
    throw codes.ERR_OUT_OF_RANGE('size', `>= 0 && <= ${kMaxLength}`, size);
  }
}

// Node's offset check: a number, an integer, within [0, max].
function validateOffset(value, name, max) {
  if (typeof value !== 'number') throw codes.ERR_INVALID_ARG_TYPE(name, 'number', value);
  if (!Number.isInteger(value)) throw codes.ERR_OUT_OF_RANGE(name, 'an integer', value);
  if (value < 0 || value > max) throw codes.ERR_OUT_OF_RANGE(name, `>= 0 && <= ${max}`, value);
}

// ---- encodings ------------------------------------------------------------------
// Codes of the encodings isolate/v8/buffer.cc converts (binding.buffer):
// Every encoding natively both ways (isolate/v8/buffer.cc).
const ENC_UTF8 = 0;
const ENC_LATIN1 = 1;
const ENC_ASCII = 2;
const ENC_UTF16LE = 3;
const ENC_HEX = 4;
const ENC_BASE64 = 5;
const ENC_BASE64URL = 6;

function encCodeExact(enc) {
  switch (enc) {
    case 'utf8': case 'utf-8': return ENC_UTF8;
    case 'latin1': case 'binary': return ENC_LATIN1;
    case 'ascii': return ENC_ASCII;
    case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return ENC_UTF16LE;
    case 'hex': return ENC_HEX;
    case 'base64': return ENC_BASE64;
    case 'base64url': return ENC_BASE64URL;
    default: return -1;
  }
}

// The code of an encoding name in any case, -1 if Node has no such encoding.
function encCode(enc) {
  const code = encCodeExact(enc);
  return code >= 0 ? code : encCodeExact(`${enc}`.toLowerCase());
}

// ---- allocation -----------------------------------------------------------------

// The allocator's zero-fill switch (a Uint32Array; undefined while the
// snapshot is built, so it is asked for again at run time): off for the
// one allocation of an unzeroed store, which may then get back, unzeroed,
// a backing store the guest itself freed, as Node's does from its pool.
// While it is off nothing but that allocation runs: an ArrayBuffer made
// with the constructor taken here, from a size that is already an
// integer. Sizes past the npm package's limit are zeroed.
let zeroFill;
const ArrayBufferCtor = ArrayBuffer;
const kNpmMaxLength = 0x7fffffff;

function unzeroedStore(size) {
  if (size > kEngineMaxLength) throw allocationFailed();
  if (size >= kNpmMaxLength) return new ArrayBufferCtor(size);
  if (zeroFill === undefined) zeroFill = binding.util.zeroFillSwitch();
  if (zeroFill === undefined) return new ArrayBufferCtor(size);
  const n = size | 0;
  zeroFill[0] = 0;
  try {
    return new ArrayBufferCtor(n);
  } finally {
    zeroFill[0] = 1;
  }
}

// Small buffers are slices of a shared pool, as in Node: allocUnsafe and
// from(string) below half of Buffer.poolSize take the next 8-aligned slice
// of an unzeroed store, a new one when it is full.
Buffer.poolSize = 8 * 1024;
let pool;
let poolOffset = 0;

function newPool() {
  pool = unzeroedStore(Buffer.poolSize);
  poolOffset = 0;
}

function alignPool() {
  if (poolOffset & 7) poolOffset = (poolOffset | 7) + 1;
}

function allocate(size) {
  if (size <= 0) return new FastBuffer();
  if (size < (Buffer.poolSize >>> 1)) {
    if (pool === undefined || size > pool.byteLength - poolOffset) newPool();
    const b = new FastBuffer(pool, poolOffset, size);
    poolOffset += size;
    alignPool();
    return b;
  }
  return new FastBuffer(unzeroedStore(size));
}

// from(string) for the natively written encodings: into the pool at the
// largest size the text can take, trimmed to what was written; a text
// too large for the pool gets a store of its exact size.
function fromStringNative(string, code) {
  const n = string.length;
  if (n === 0) return new FastBuffer();
  const half = Buffer.poolSize >>> 1;
  let max = code === ENC_UTF8 ? n * 3 : code === ENC_UTF16LE ? n * 2 : code === ENC_HEX ? n >>> 1 :
    code >= ENC_BASE64 ? base64ByteLength(string, n) : n;
  if (max >= half) {
    if (code === ENC_UTF8) max = binding.buffer.byteLengthUtf8(string);
    if (max >= half) {
      const b = new FastBuffer(unzeroedStore(max));
      const wrote = binding.buffer.write(b, string, 0, max, code);
      return wrote === max ? b : new FastBuffer(b.buffer, 0, wrote);
    }
  }
  if (pool === undefined || max > pool.byteLength - poolOffset) newPool();
  let b = new FastBuffer(pool, poolOffset, max);
  const wrote = binding.buffer.write(b, string, 0, max, code);
  if (wrote !== max) b = new FastBuffer(pool, poolOffset, wrote);
  poolOffset += wrote;
  alignPool();
  return b;
}

function fromString(string, encoding) {
  let code = ENC_UTF8;
  if (typeof encoding === 'string' && encoding !== '') {
    code = encCode(encoding);
    if (code < 0) throw codes.ERR_UNKNOWN_ENCODING(encoding);
  }
  return fromStringNative(string, code);
}

// Node's estimate of a base64 text's bytes: its length less one or two
// trailing '=', times 3/4 (what Buffer.from allocates before it writes).
function base64ByteLength(str, bytes) {
  if (str.charCodeAt(bytes - 1) === 0x3D) bytes--;
  if (bytes > 1 && str.charCodeAt(bytes - 1) === 0x3D) bytes--;
  return (bytes * 3) >>> 2;
}

// Node's checks of from(arrayBuffer, byteOffset, length): the view shares
// the store.
function fromArrayBuffer(store, byteOffset, length) {
  if (byteOffset === undefined) {
    byteOffset = 0;
  } else {
    byteOffset = +byteOffset;
    if (Number.isNaN(byteOffset)) byteOffset = 0;
  }
  const room = store.byteLength - byteOffset;
  if (room < 0) throw codes.ERR_BUFFER_OUT_OF_BOUNDS('offset');
  if (length === undefined) {
    length = room;
  } else {
    length = +length;
    if (length > 0) {
      if (length > room) throw codes.ERR_BUFFER_OUT_OF_BOUNDS('length');
    } else {
      length = 0;
    }
  }
  return new FastBuffer(store, byteOffset, length);
}

const isUint8Array = (v) => binding.util.isUint8Array(v);

// A copy of an array-like's elements, small ones in the pool.
function fromArrayLike(obj) {
  const n = obj.length;
  if (n <= 0) return new FastBuffer();
  if (n < (Buffer.poolSize >>> 1)) {
    const b = allocate(n);
    Uint8Array.prototype.set.call(b, obj, 0);
    return b;
  }
  return new FastBuffer(obj);
}

// Node's reading of an object: array-likes and views copied, a
// `{ type: 'Buffer', data }` (toJSON's shape) rebuilt; undefined otherwise.
function fromObject(obj) {
  if (obj.length !== undefined || binding.util.isAnyArrayBuffer(obj.buffer)) {
    if (typeof obj.length !== 'number') return new FastBuffer();
    return fromArrayLike(obj);
  }
  if (obj.type === 'Buffer' && Array.isArray(obj.data)) return fromArrayLike(obj.data);
  return undefined;
}

Buffer.from = function from(value, encodingOrOffset, length) {
  if (typeof value === 'string') return fromString(value, encodingOrOffset);
  if (typeof value === 'object' && value !== null) {
    if (binding.util.isAnyArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
    const valueOf = value.valueOf && value.valueOf();
    if (valueOf != null && valueOf !== value && (typeof valueOf === 'string' || typeof valueOf === 'object')) {
      return from(valueOf, encodingOrOffset, length);
    }
    const b = fromObject(value);
    if (b) return b;
    if (typeof value[Symbol.toPrimitive] === 'function') {
      const primitive = value[Symbol.toPrimitive]('string');
      if (typeof primitive === 'string') return fromString(primitive, encodingOrOffset);
    }
  }
  throw codes.ERR_INVALID_ARG_TYPE('first argument',
    ['string', 'Buffer', 'ArrayBuffer', 'Array', 'Array-like Object'], value);
};

// Buffer.of makes a Buffer (not `new this(n)`, which would be the
// deprecated constructor).
Buffer.of = function of(...items) {
  const b = new FastBuffer(items.length);
  for (let k = 0; k < items.length; k++) b[k] = items[k];
  return b;
};

Buffer.alloc = function alloc(size, fill, encoding) {
  validateSize(size);
  if (fill !== undefined && fill !== 0 && size > 0) return new FastBuffer(unzeroedStore(size)).fill(fill, 0, size, encoding);
  if (size > kEngineMaxLength) throw allocationFailed();
  return new FastBuffer(size);
};

Buffer.allocUnsafe = function allocUnsafe(size) {
  validateSize(size);
  return allocate(size);
};

Buffer.allocUnsafeSlow = function allocUnsafeSlow(size) {
  validateSize(size);
  return size <= 0 ? new FastBuffer() : new FastBuffer(unzeroedStore(size));
};

Buffer.byteLength = function byteLength(string, encoding) {
  if (typeof string === 'string') {
    const code = encoding === undefined ? ENC_UTF8 : encCode(encoding);
    switch (code) {
      case ENC_LATIN1: case ENC_ASCII: return string.length;
      case ENC_UTF16LE: return string.length * 2;
      case ENC_HEX: return string.length >>> 1;
      case ENC_BASE64: case ENC_BASE64URL: return base64ByteLength(string, string.length);
      default: return binding.buffer.byteLengthUtf8(string);
    }
  }
  if (!ArrayBuffer.isView(string) && !binding.util.isAnyArrayBuffer(string)) {
    throw codes.ERR_INVALID_ARG_TYPE('string', ['string', 'Buffer', 'ArrayBuffer'], string);
  }
  return string.byteLength;
};

// Buffer.concat as Node does it: one allocation (from the pool when
// small), each piece copied in, the rest of a larger totalLength zeroed.
Buffer.concat = function concat(list, totalLength) {
  if (!Array.isArray(list)) throw codes.ERR_INVALID_ARG_TYPE('list', 'Array', list);
  if (list.length === 0) return new FastBuffer();
  if (totalLength === undefined) {
    totalLength = 0;
    for (let i = 0; i < list.length; i++) {
      if (!isUint8Array(list[i])) {
        throw codes.ERR_INVALID_ARG_TYPE(`list[${i}]`, ['Buffer', 'Uint8Array'], list[i]);
      }
      totalLength += list[i].length;
    }
  } else {
    validateOffset(totalLength, 'length', kMaxLength);
  }
  const out = allocate(totalLength);
  let pos = 0;
  for (let i = 0; i < list.length && pos < totalLength; i++) {
    const piece = list[i];
    if (!isUint8Array(piece)) {
      throw codes.ERR_INVALID_ARG_TYPE(`list[${i}]`, ['Buffer', 'Uint8Array'], piece);
    }
    const take = Math.min(piece.length, totalLength - pos);
    out.set(take === piece.length ? piece : piece.subarray(0, take), pos);
    pos += take;
  }
  if (pos < totalLength) out.fill(0, pos, totalLength);
  return out;
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
  return fromArrayLike(bytes);
};

// toString with Node's coercion of start and end (clamped, truncated;
// nothing past the end), then one native conversion.
proto.toString = function toString(encoding, start, end) {
  if (arguments.length === 0) return binding.buffer.slice(this, 0, this.length, ENC_UTF8);
  const len = this.length;
  if (start <= 0) start = 0;
  else if (start >= len) return '';
  else start = Math.trunc(start) || 0;
  if (end === undefined || end > len) end = len;
  else end = Math.trunc(end) || 0;
  if (end <= start) return '';
  const code = encoding === undefined ? ENC_UTF8 : encCode(encoding);
  if (code < 0) throw codes.ERR_UNKNOWN_ENCODING(encoding);
  if (decodedLength(end - start, code) > kStringMaxLength) throw stringTooLong();
  return binding.buffer.slice(this, start, end, code);
};
proto.toLocaleString = proto.toString;

// The length of the text n bytes decode to, for Node's ERR_STRING_TOO_LONG
// (V8 makes no longer string).
function decodedLength(n, code) {
  switch (code) {
    case ENC_UTF16LE: return n >>> 1;
    case ENC_HEX: return n * 2;
    case ENC_BASE64: return Math.ceil(n / 3) * 4;
    case ENC_BASE64URL: return Math.ceil((n * 4) / 3);
    default: return n;
  }
}
function stringTooLong() {
  return makeNodeError(Error, 'ERR_STRING_TOO_LONG',
    `Cannot create a string longer than 0x${kStringMaxLength.toString(16)} characters`);
}

// write(string[, offset[, length]][, encoding]) as Node reads its arguments.
proto.write = function write(string, offset, length, encoding) {
  if (typeof string !== 'string') throw notString();
  const len = this.length;
  if (offset === undefined) return binding.buffer.write(this, string, 0, len, ENC_UTF8);
  if (length === undefined && typeof offset === 'string') {
    encoding = offset;
    length = len;
    offset = 0;
  } else {
    validateOffset(offset, 'offset', len);
    const remaining = len - offset;
    if (length === undefined) {
      length = remaining;
    } else if (typeof length === 'string') {
      encoding = length;
      length = remaining;
    } else {
      validateOffset(length, 'length', len);
      if (length > remaining) length = remaining;
    }
  }
  let code = ENC_UTF8;
  if (encoding) {
    code = encCode(encoding);
    if (code < 0) throw codes.ERR_UNKNOWN_ENCODING(encoding);
  }
  return binding.buffer.write(this, string, offset, length, code);
};

// Node's per-encoding methods (xSlice(start, end), xWrite(string, offset,
// length)), which packages call directly: indexes out of the buffer are a
// RangeError, as Node's bindings throw.
// Node's native write's words for a value that is not a string.
function notString() {
  return makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'argument must be a string');
}
function outOfRange() {
  return makeNodeError(RangeError, 'ERR_OUT_OF_RANGE', 'Index out of range');
}
const sliceNames = { ascii: ENC_ASCII, base64: ENC_BASE64, base64url: ENC_BASE64URL, latin1: ENC_LATIN1,
  hex: ENC_HEX, ucs2: ENC_UTF16LE, utf8: ENC_UTF8 };
for (const [name, code] of Object.entries(sliceNames)) {
  proto[`${name}Slice`] = function slice(start, end) {
    const len = this.length;
    start = start === undefined ? 0 : Math.trunc(start) || 0;
    end = end === undefined ? len : Math.trunc(end) || 0;
    if (start < 0 || end < 0 || start > len || end > len) throw outOfRange();
    return end <= start ? '' : binding.buffer.slice(this, start, end, code);
  };
  proto[`${name}Write`] = function write(string, offset, length) {
    if (typeof string !== 'string') throw notString();
    const len = this.length;
    offset = offset === undefined ? 0 : Math.trunc(offset) || 0;
    if (offset < 0 || offset > len) throw codes.ERR_BUFFER_OUT_OF_BOUNDS('offset');
    length = length === undefined ? len - offset : Math.min(Math.trunc(length) || 0, len - offset);
    if (length < 0) throw codes.ERR_BUFFER_OUT_OF_BOUNDS('length');
    return binding.buffer.write(this, string, offset, length, code);
  };
}

// ---- fill, search, compare, copy: Node's argument rules and results ------------

// Node's validateOffset: an integer in [min, max] (ERR_INVALID_ARG_TYPE,
// ERR_OUT_OF_RANGE '>= min && <= max').
function validateRange(value, name, min = 0, max = kMaxLength) {
  validateInteger(value, name, min, max);
}

// The bytes of a fill or search value given as a string.
function stringBytes(value, encoding) {
  const code = encoding === undefined ? ENC_UTF8 : encCode(encoding);
  if (code < 0) throw codes.ERR_UNKNOWN_ENCODING(encoding);
  return fromStringNative(value, code);
}

proto.fill = function fill(value, offset, end, encoding) {
  if (typeof value === 'string') {
    if (offset === undefined || typeof offset === 'string') {
      encoding = offset;
      offset = 0;
      end = this.length;
    } else if (typeof end === 'string') {
      encoding = end;
      end = this.length;
    }
    if (encoding !== undefined && encoding !== null && encCode(encoding) < 0) {
      validateString(encoding, 'encoding');
      throw codes.ERR_UNKNOWN_ENCODING(encoding);
    }
    if (encoding === null) encoding = undefined;
    if (value.length === 0) value = 0;
  } else {
    encoding = undefined;
  }
  if (offset === undefined) {
    offset = 0;
    end = this.length;
  } else {
    validateRange(offset, 'offset');
    if (end === undefined) end = this.length;
    else validateRange(end, 'end', 0, this.length);
    if (offset >= end) return this;
  }
  if (offset > end || end > this.byteLength) throw codes.ERR_BUFFER_OUT_OF_BOUNDS();
  let bytes;
  if (typeof value === 'string') bytes = stringBytes(value, encoding);
  else if (isUint8Array(value)) bytes = Uint8Array.prototype.slice.call(value);
  else return Uint8Array.prototype.fill.call(this, (Number(value) >>> 0) & 255, offset, end);
  if (bytes.length === 0) {
    if (typeof value === 'string') throw codes.ERR_INVALID_ARG_VALUE('value', value);
    return this;
  }
  let filled = Math.min(bytes.length, end - offset);
  this.set(bytes.length === filled ? bytes : bytes.subarray(0, filled), offset);
  // doubling copies of what is already in place
  while (offset + filled < end) {
    const n = Math.min(filled, end - offset - filled);
    this.copyWithin(offset + filled, offset, offset + n);
    filled += n;
  }
  return this;
};

// Node's IndexOfOffset: where a search starts, or -1 for none.
function searchStart(length, offset, needleLength, forward) {
  if (offset < 0) {
    if (offset + length >= 0) return length + offset;
    return forward || needleLength === 0 ? 0 : -1;
  }
  if (offset + needleLength <= length) return offset;
  if (needleLength === 0) return length;
  return forward ? -1 : length - 1;
}

// The first (forward) or last position at or after / at or before `from`
// where `needle` is in `hay`, stepping by `step` (2 for UTF-16 units).
function searchBytes(hay, needle, from, forward, step) {
  const n = needle.length;
  const last = hay.length - n;
  const first = needle[0];
  if (forward) {
    for (let i = from; i <= last; i += step) {
      if (hay[i] !== first) continue;
      let j = 1;
      while (j < n && hay[i + j] === needle[j]) j++;
      if (j === n) return i;
    }
  } else {
    for (let i = Math.min(from, last); i >= 0; i -= step) {
      if (hay[i] !== first) continue;
      let j = 1;
      while (j < n && hay[i + j] === needle[j]) j++;
      if (j === n) return i;
    }
  }
  return -1;
}

function bidirectionalIndexOf(buffer, value, byteOffset, encoding, forward) {
  if (!ArrayBuffer.isView(buffer)) {
    throw codes.ERR_INVALID_ARG_TYPE('buffer', ['Buffer', 'TypedArray', 'DataView'], buffer);
  }
  if (typeof byteOffset === 'string') {
    encoding = byteOffset;
    byteOffset = undefined;
  } else if (byteOffset > 0x7fffffff) {
    byteOffset = 0x7fffffff;
  } else if (byteOffset < -0x80000000) {
    byteOffset = -0x80000000;
  }
  byteOffset = +byteOffset;
  if (Number.isNaN(byteOffset)) byteOffset = forward ? 0 : buffer.length || buffer.byteLength;
  byteOffset = Math.trunc(byteOffset);
  const hay = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (typeof value === 'number') {
    const start = searchStart(hay.length, byteOffset, 1, forward);
    if (start < 0 || hay.length === 0) return -1;
    const byte = (value >>> 0) & 255;
    return forward ? Uint8Array.prototype.indexOf.call(hay, byte, start)
      : Uint8Array.prototype.lastIndexOf.call(hay, byte, start);
  }
  let code = ENC_UTF8;
  if (encoding !== undefined) code = encCode(encoding);
  let needle;
  if (typeof value === 'string') {
    if (code < 0) throw codes.ERR_UNKNOWN_ENCODING(encoding);
    needle = fromStringNative(value, code);
  } else if (isUint8Array(value)) {
    needle = value;
  } else {
    throw codes.ERR_INVALID_ARG_TYPE('value', ['number', 'string', 'Buffer', 'Uint8Array'], value);
  }
  const start = searchStart(hay.length, byteOffset, needle.length, forward);
  if (needle.length === 0) return start;
  if (hay.length === 0 || start < 0) return -1;
  if ((forward && needle.length + start > hay.length) || needle.length > hay.length) return -1;
  if (code === ENC_UTF16LE) {
    // UTF-16 code units: aligned positions only
    if (hay.length < 2 || needle.length < 2) return -1;
    return searchBytes(hay, needle.length & 1 ? needle.subarray(0, needle.length - 1) : needle,
      start - (start & 1), forward, 2);
  }
  return searchBytes(hay, needle, start, forward, 1);
}

proto.indexOf = function indexOf(value, byteOffset, encoding) {
  return bidirectionalIndexOf(this, value, byteOffset, encoding, true);
};

proto.lastIndexOf = function lastIndexOf(value, byteOffset, encoding) {
  return bidirectionalIndexOf(this, value, byteOffset, encoding, false);
};

proto.includes = function includes(value, byteOffset, encoding) {
  return this.indexOf(value, byteOffset, encoding) !== -1;
};

// memcmp of two ranges, then the shorter first.
function compareRanges(a, aStart, aEnd, b, bStart, bEnd) {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const x = a[aStart + i];
    const y = b[bStart + i];
    if (x !== y) return x < y ? -1 : 1;
  }
  const la = aEnd - aStart;
  const lb = bEnd - bStart;
  return la > lb ? 1 : la < lb ? -1 : 0;
}

Buffer.compare = function compare(buf1, buf2) {
  if (!isUint8Array(buf1)) throw codes.ERR_INVALID_ARG_TYPE('buf1', ['Buffer', 'Uint8Array'], buf1);
  if (!isUint8Array(buf2)) throw codes.ERR_INVALID_ARG_TYPE('buf2', ['Buffer', 'Uint8Array'], buf2);
  if (buf1 === buf2) return 0;
  return compareRanges(buf1, 0, buf1.length, buf2, 0, buf2.length);
};

proto.equals = function equals(otherBuffer) {
  if (!isUint8Array(otherBuffer)) {
    throw codes.ERR_INVALID_ARG_TYPE('otherBuffer', ['Buffer', 'Uint8Array'], otherBuffer);
  }
  if (this === otherBuffer) return true;
  if (this.byteLength !== otherBuffer.byteLength) return false;
  return compareRanges(this, 0, this.length, otherBuffer, 0, otherBuffer.length) === 0;
};

proto.compare = function compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
  if (!isUint8Array(target)) throw codes.ERR_INVALID_ARG_TYPE('target', ['Buffer', 'Uint8Array'], target);
  if (arguments.length === 1) return compareRanges(this, 0, this.length, target, 0, target.length);
  if (targetStart === undefined) targetStart = 0;
  else validateRange(targetStart, 'targetStart');
  if (targetEnd === undefined) targetEnd = target.length;
  else validateRange(targetEnd, 'targetEnd', 0, target.length);
  if (sourceStart === undefined) sourceStart = 0;
  else validateRange(sourceStart, 'sourceStart');
  if (sourceEnd === undefined) sourceEnd = this.length;
  else validateRange(sourceEnd, 'sourceEnd', 0, this.length);
  if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
  if (targetStart >= targetEnd) return 1;
  if (sourceStart > this.length) {
    throw makeNodeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "sourceStart" is out of range.');
  }
  if (targetStart > target.length) {
    throw makeNodeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "targetStart" is out of range.');
  }
  const n = Math.min(sourceEnd - sourceStart, targetEnd - targetStart, this.length - sourceStart);
  const c = compareRanges(this, sourceStart, sourceStart + n, target, targetStart, targetStart + n);
  if (c !== 0) return c;
  const la = sourceEnd - sourceStart;
  const lb = targetEnd - targetStart;
  return la > lb ? 1 : la < lb ? -1 : 0;
};

// Node's toInteger for copy's positions: safe integers floored, else the
// default.
function toInteger(n, dflt) {
  n = +n;
  if (!Number.isNaN(n) && n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) {
    return n % 1 === 0 ? n : Math.floor(n);
  }
  return dflt;
}

function bytesView(v) {
  return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function copyBytes(source, target, targetStart, sourceStart, sourceEnd) {
  if (!ArrayBuffer.isView(source)) throw codes.ERR_INVALID_ARG_TYPE('source', ['Buffer', 'Uint8Array'], source);
  if (!ArrayBuffer.isView(target)) throw codes.ERR_INVALID_ARG_TYPE('target', ['Buffer', 'Uint8Array'], target);
  if (targetStart === undefined) {
    targetStart = 0;
  } else {
    targetStart = Number.isInteger(targetStart) ? targetStart : toInteger(targetStart, 0);
    if (targetStart < 0) throw codes.ERR_OUT_OF_RANGE('targetStart', '>= 0', targetStart);
  }
  if (sourceStart === undefined) {
    sourceStart = 0;
  } else {
    sourceStart = Number.isInteger(sourceStart) ? sourceStart : toInteger(sourceStart, 0);
    if (sourceStart < 0 || sourceStart > source.byteLength) {
      throw codes.ERR_OUT_OF_RANGE('sourceStart', `>= 0 && <= ${source.byteLength}`, sourceStart);
    }
  }
  if (sourceEnd === undefined) {
    sourceEnd = source.byteLength;
  } else {
    sourceEnd = Number.isInteger(sourceEnd) ? sourceEnd : toInteger(sourceEnd, 0);
    if (sourceEnd < 0) throw codes.ERR_OUT_OF_RANGE('sourceEnd', '>= 0', sourceEnd);
  }
  if (targetStart >= target.byteLength || sourceStart >= sourceEnd) return 0;
  if (sourceEnd - sourceStart > target.byteLength - targetStart) sourceEnd = sourceStart + target.byteLength - targetStart;
  const n = Math.min(sourceEnd - sourceStart, source.byteLength - sourceStart);
  if (n <= 0) return 0;
  bytesView(target).set(bytesView(source).subarray(sourceStart, sourceStart + n), targetStart);
  return n;
}

proto.copy = function copy(target, targetStart, sourceStart, sourceEnd) {
  return copyBytes(this, target, targetStart, sourceStart, sourceEnd);
};

// ---- inspect ----------------------------------------------------------------------

// Node: `<Buffer 68 69>`, `... N more bytes` past INSPECT_MAX_BYTES, then any
// extra own (non-index) properties.
function inspectBuffer(recurseTimes, ctx) {
  const max = INSPECT_MAX_BYTES;
  const shown = Math.min(max, this.length);
  const remaining = this.length - max;
  let str = binding.buffer.slice(this, 0, shown, ENC_HEX).replace(/(.{2})/g, '$1 ').trim();
  if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
  if (ctx) {
    const util = require('./util');
    const extras = {};
    let any = false;
    // the properties besides the bytes' indices (a list of every index
    // would cost as much as the buffer is long): V8's filter, as Node's
    // getOwnNonIndexProperties (ONLY_ENUMERABLE = 2, SKIP_SYMBOLS = 16)
    const keys = binding.util.getOwnNonIndexProperties(this, ctx.showHidden ? 16 : 2 | 16) || [];
    for (const key of keys) {
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

// The bytes of a TypedArray or (Shared)ArrayBuffer for isUtf8/isAscii; a
// detached store is Node's ERR_INVALID_STATE.
function bytesOf(input, name) {
  let store;
  if (ArrayBuffer.isView(input) && !(input instanceof DataView)) store = input.buffer;
  else if (binding.util.isAnyArrayBuffer(input)) store = input;
  else throw codes.ERR_INVALID_ARG_TYPE(name, ['ArrayBuffer', 'Buffer', 'TypedArray'], input);
  if (store.byteLength === 0) {
    try {
      // eslint-disable-next-line no-new
      new Uint8Array(store);
    } catch {
      throw makeNodeError(Error, 'ERR_INVALID_STATE', 'Cannot validate on a detached buffer');
    }
  }
  if (store === input) return new Uint8Array(input);
  return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
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
  let text = binding.buffer.slice(source, 0, source.length, encCode(from));
  if (to === 'ascii') text = text.replace(/[^\x00-\x7f]/g, '?');
  else if (to === 'latin1') text = text.replace(/[^\x00-\xff]/g, '?');
  return fromString(text, to);
}

function SlowBuffer(size) {
  return Buffer.allocUnsafeSlow(size);
}
Object.setPrototypeOf(SlowBuffer.prototype, Uint8Array.prototype);
Object.setPrototypeOf(SlowBuffer, Uint8Array);

// Fixed-width reads and writes: Node's checks and coercions
// (internal/buffer-rw.js).
require('./internal/buffer-rw').install(proto);

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
