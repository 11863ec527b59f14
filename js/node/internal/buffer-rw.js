// node/internal/buffer-rw.js — Buffer's fixed-width reads and writes
// (readUInt8 … readBigUInt64BE, writeUInt8 … writeDoubleBE, the variable
// width readUIntLE/readIntBE/writeUIntLE … of 1 to 6 bytes) with Node 22's
// argument rules: the offset must be a number (ERR_INVALID_ARG_TYPE), an
// integer inside the buffer (ERR_OUT_OF_RANGE '>= 0 and <= N', or
// ERR_BUFFER_OUT_OF_BOUNDS when the buffer is shorter than the width), a
// written integer inside its type's range (ERR_OUT_OF_RANGE of "value",
// ranges of more than 3 bytes said as powers of 2), byteLength 1 to 6.
// Values are coerced as Node does (+value; bytes taken modulo 256).
// install(proto) puts them on Buffer.prototype, enumerable, with the
// lower-case `Uint` aliases.
'use strict';

const { codes } = require('./errors');
const { validateNumber } = require('./validators');

const scratch = new DataView(new ArrayBuffer(8));

// Node's error for an offset (or byteLength, with `type`) that does not fit.
function boundsError(value, length, type) {
  if (Math.floor(value) !== value) {
    validateNumber(value, type);
    throw codes.ERR_OUT_OF_RANGE(type || 'offset', 'an integer', value);
  }
  if (length < 0) throw codes.ERR_BUFFER_OUT_OF_BOUNDS();
  throw codes.ERR_OUT_OF_RANGE(type || 'offset', `>= ${type ? 1 : 0} and <= ${length}`, value);
}

// The offset of `width` bytes inside buf, or Node's error.
function checkBounds(buf, offset, width) {
  validateNumber(offset, 'offset');
  if (buf[offset] === undefined || buf[offset + width - 1] === undefined) {
    boundsError(offset, buf.length - width);
  }
}

function rangeText(min, max, width) {
  const n = typeof min === 'bigint' ? 'n' : '';
  if (width <= 4) return `>= ${min}${n} and <= ${max}${n}`;
  const bits = width * 8;
  if (min === 0 || min === 0n) return `>= 0${n} and < 2${n} ** ${bits}${n}`;
  return `>= -(2${n} ** ${bits - 1}${n}) and < 2${n} ** ${bits - 1}${n}`;
}

function checkInt(buf, value, offset, width, min, max) {
  if (value > max || value < min) throw codes.ERR_OUT_OF_RANGE('value', rangeText(min, max, width), value);
  checkBounds(buf, offset, width);
}

// ---- reads ------------------------------------------------------------------------

function readInt(buf, offset, width, signed, le) {
  checkBounds(buf, offset, width);
  let v = 0;
  for (let i = 0; i < width; i++) v += buf[offset + (le ? i : width - 1 - i)] * 2 ** (8 * i);
  if (signed && v >= 2 ** (8 * width - 1)) v -= 2 ** (8 * width);
  return v;
}

// The bytes into the scratch view, in the view's (big-endian) order when
// `le` is false.
function load(buf, offset, width) {
  checkBounds(buf, offset, width);
  for (let i = 0; i < width; i++) scratch.setUint8(i, buf[offset + i]);
}

function store(buf, offset, width) {
  for (let i = 0; i < width; i++) buf[offset + i] = scratch.getUint8(i);
  return offset + width;
}

function byteLengthError(byteLength) {
  boundsError(byteLength, 6, 'byteLength');
}

function validWidth(byteLength) {
  return byteLength === 1 || byteLength === 2 || byteLength === 3 || byteLength === 4 ||
    byteLength === 5 || byteLength === 6;
}

// ---- writes -----------------------------------------------------------------------

function writeInt(buf, value, offset, width, min, max, le) {
  value = +value;
  if (width === 1) {
    // one entry: the value's range is checked before the offset's type
    validateNumber(offset, 'offset');
    if (value > max || value < min) throw codes.ERR_OUT_OF_RANGE('value', `>= ${min} and <= ${max}`, value);
    if (buf[offset] === undefined) boundsError(offset, buf.length - 1);
    buf[offset] = value;
    return offset + 1;
  }
  checkInt(buf, value, offset, width, min, max);
  const hi = Math.floor(value * 2 ** -32);
  for (let i = 0; i < width; i++) {
    const byte = i < 4 ? value >>> (8 * i) : hi >>> (8 * (i - 4));
    buf[offset + (le ? i : width - 1 - i)] = byte;
  }
  return offset + width;
}

const intRange = {
  1: [-0x80, 0x7f, 0xff], 2: [-0x8000, 0x7fff, 0xffff], 3: [-0x800000, 0x7fffff, 0xffffff],
  4: [-0x80000000, 0x7fffffff, 0xffffffff], 5: [-0x8000000000, 0x7fffffffff, 0xffffffffff],
  6: [-0x800000000000, 0x7fffffffffff, 0xffffffffffff],
};

function named(name, fn) {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

function install(proto) {
  const methods = {};
  for (const [width, suffixes] of [[1, ['8']], [2, ['16LE', '16BE']], [4, ['32LE', '32BE']]]) {
    for (const suffix of suffixes) {
      const le = !suffix.endsWith('BE');
      const [min, smax, umax] = intRange[width];
      methods[`readUInt${suffix}`] = { [`readUInt${suffix}`](offset = 0) { return readInt(this, offset, width, false, le); } }[`readUInt${suffix}`];
      methods[`readInt${suffix}`] = { [`readInt${suffix}`](offset = 0) { return readInt(this, offset, width, true, le); } }[`readInt${suffix}`];
      methods[`writeUInt${suffix}`] = { [`writeUInt${suffix}`](value, offset = 0) { return writeInt(this, value, offset, width, 0, umax, le); } }[`writeUInt${suffix}`];
      methods[`writeInt${suffix}`] = { [`writeInt${suffix}`](value, offset = 0) { return writeInt(this, value, offset, width, min, smax, le); } }[`writeInt${suffix}`];
    }
  }
  for (const end of ['LE', 'BE']) {
    const le = end === 'LE';
    methods[`readUInt${end}`] = { [`readUInt${end}`](offset, byteLength) {
      if (offset === undefined) throw codes.ERR_INVALID_ARG_TYPE('offset', 'number', offset);
      if (!validWidth(byteLength)) byteLengthError(byteLength);
      return readInt(this, offset, byteLength, false, le);
    } }[`readUInt${end}`];
    methods[`readInt${end}`] = { [`readInt${end}`](offset, byteLength) {
      if (offset === undefined) throw codes.ERR_INVALID_ARG_TYPE('offset', 'number', offset);
      if (!validWidth(byteLength)) byteLengthError(byteLength);
      return readInt(this, offset, byteLength, true, le);
    } }[`readInt${end}`];
    methods[`writeUInt${end}`] = { [`writeUInt${end}`](value, offset, byteLength) {
      if (!validWidth(byteLength)) byteLengthError(byteLength);
      return writeInt(this, value, offset, byteLength, 0, intRange[byteLength][2], le);
    } }[`writeUInt${end}`];
    methods[`writeInt${end}`] = { [`writeInt${end}`](value, offset, byteLength) {
      if (!validWidth(byteLength)) byteLengthError(byteLength);
      const [min, max] = intRange[byteLength];
      return writeInt(this, value, offset, byteLength, min, max, le);
    } }[`writeInt${end}`];
    // the rest through the scratch view: [name, width, view type, range]
    for (const [kind, width, view, range] of [['Float', 4, 'Float32'], ['Double', 8, 'Float64'],
      ['BigUInt64', 8, 'BigUint64', [0n, 0xffffffffffffffffn]],
      ['BigInt64', 8, 'BigInt64', [-0x8000000000000000n, 0x7fffffffffffffffn]]]) {
      const get = DataView.prototype[`get${view}`];
      const set = range ? DataView.prototype.setBigUint64 : DataView.prototype[`set${view}`];
      methods[`read${kind}${end}`] = named(`read${kind}${end}`, function read(offset = 0) {
        load(this, offset, width);
        return get.call(scratch, 0, le);
      });
      methods[`write${kind}${end}`] = named(`write${kind}${end}`, function write(value, offset = 0) {
        if (range) {
          checkInt(this, value, offset, width, range[0], range[1]);
          value &= 0xffffffffffffffffn;
        } else {
          value = +value;
          checkBounds(this, offset, width);
        }
        set.call(scratch, 0, value, le);
        return store(this, offset, width);
      });
    }
  }
  for (const [name, fn] of Object.entries(methods)) {
    proto[name] = fn;
    if (name.includes('UInt')) proto[name.replace('UInt', 'Uint')] = fn;
  }
}

module.exports = { install, boundsError };
