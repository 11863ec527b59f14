// node/internal/es-builtins.js — the ECMAScript built-ins Node 22's V8 has
// and the sandbox's V8 10.2 lacks, after the spec's algorithms: the
// change-array-by-copy methods (Array and TypedArray toReversed, toSorted,
// toSpliced, with: ES2023), String isWellFormed/toWellFormed (ES2024),
// Object.groupBy/Map.groupBy (ES2024) and Promise.withResolvers (ES2024).
// Each is installed only where V8 has none, as V8 installs its own:
// non-enumerable, with the spec's name and length, and the array methods
// in Array.prototype[Symbol.unscopables]. Error texts are V8's.
// (Not here yet: the Set methods, Array.fromAsync, ArrayBuffer transfer.)
'use strict';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function toObject(value, method) {
  if (value === null || value === undefined) {
    throw new TypeError(`${method} called on null or undefined`);
  }
  return Object(value);
}

function toIntegerOrInfinity(value) {
  const n = Number(value);
  if (Number.isNaN(n) || n === 0) return 0;
  if (!Number.isFinite(n)) return n;
  return Math.trunc(n);
}

function lengthOf(o) {
  const len = toIntegerOrInfinity(o.length);
  return len <= 0 ? 0 : Math.min(len, MAX_SAFE);
}

// ArrayCreate(len): past 2^32 - 1 a RangeError
function arrayCreate(len) {
  if (len > 4294967295) throw new RangeError('Invalid array length');
  return new Array(len);
}

function validComparator(fn) {
  if (fn !== undefined && typeof fn !== 'function') {
    throw new TypeError('The comparison function must be either a function or undefined');
  }
}

const arrayMethods = {
  toReversed() {
    const o = toObject(this, 'Array.prototype.toReversed');
    const len = lengthOf(o);
    const a = arrayCreate(len);
    for (let k = 0; k < len; k++) a[k] = o[len - 1 - k];
    return a;
  },
  toSorted(comparefn) {
    validComparator(comparefn);
    const o = toObject(this, 'Array.prototype.toSorted');
    const len = lengthOf(o);
    const a = arrayCreate(len);
    for (let k = 0; k < len; k++) a[k] = o[k];
    return Array.prototype.sort.call(a, comparefn);
  },
  toSpliced(start, skipCount, ...items) {
    const o = toObject(this, 'Array.prototype.toSpliced');
    const len = lengthOf(o);
    const rel = toIntegerOrInfinity(start);
    const actualStart = rel === -Infinity ? 0 : rel < 0 ? Math.max(len + rel, 0) : Math.min(rel, len);
    let skip;
    if (arguments.length === 0) skip = 0;
    else if (arguments.length === 1) skip = len - actualStart;
    else skip = Math.min(Math.max(toIntegerOrInfinity(skipCount), 0), len - actualStart);
    const newLen = len + items.length - skip;
    if (newLen > MAX_SAFE) throw new TypeError('Invalid array length');
    const a = arrayCreate(newLen);
    let i = 0;
    let r = actualStart + skip;
    for (; i < actualStart; i++) a[i] = o[i];
    for (const item of items) a[i++] = item;
    for (; i < newLen; i++, r++) a[i] = o[r];
    return a;
  },
  with(index, value) {
    const o = toObject(this, 'Array.prototype.with');
    const len = lengthOf(o);
    const rel = toIntegerOrInfinity(index);
    const actual = rel >= 0 ? rel : len + rel;
    if (actual >= len || actual < 0) throw new RangeError(`Invalid index : ${index}`);
    const a = arrayCreate(len);
    for (let k = 0; k < len; k++) a[k] = k === actual ? value : o[k];
    return a;
  },
};

// %TypedArray%: the receiver must be a typed array (its toStringTag getter
// says which), the copy is of the same intrinsic type.
const TypedArray = Object.getPrototypeOf(Uint8Array);
const tagOf = Object.getOwnPropertyDescriptor(TypedArray.prototype, Symbol.toStringTag).get;
const typedLength = Object.getOwnPropertyDescriptor(TypedArray.prototype, 'length').get;
const typedCtors = {};
for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
  Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array]) typedCtors[C.name] = C;

function validTyped(o, method) {
  const name = tagOf.call(o);
  if (name === undefined) {
    throw new TypeError(`Method %TypedArray%.prototype.${method} called on incompatible receiver ${
      Object.prototype.toString.call(o)}`);
  }
  return typedCtors[name];
}

const typedMethods = {
  toReversed() {
    const C = validTyped(this, 'toReversed');
    const len = typedLength.call(this);
    const a = new C(len);
    for (let k = 0; k < len; k++) a[k] = this[len - 1 - k];
    return a;
  },
  toSorted(comparefn) {
    validComparator(comparefn);
    const C = validTyped(this, 'toSorted');
    const len = typedLength.call(this);
    const a = new C(len);
    for (let k = 0; k < len; k++) a[k] = this[k];
    return TypedArray.prototype.sort.call(a, comparefn);
  },
  with(index, value) {
    const C = validTyped(this, 'with');
    const len = typedLength.call(this);
    const rel = toIntegerOrInfinity(index);
    const actual = rel >= 0 ? rel : len + rel;
    const v = C === BigInt64Array || C === BigUint64Array ? BigInt(value) : Number(value);
    if (actual >= typedLength.call(this) || actual < 0) throw new RangeError('Invalid typed array index');
    const a = new C(len);
    for (let k = 0; k < len; k++) a[k] = k === actual ? v : this[k];
    return a;
  },
};

const stringMethods = {
  isWellFormed() {
    const s = String(toObject(this, 'String.prototype.isWellFormed') && this); // a primitive stays one
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
        else return false;
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        return false;
      }
    }
    return true;
  },
  toWellFormed() {
    const s = String(toObject(this, 'String.prototype.toWellFormed') && this);
    let out = '';
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let lone = false;
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
        else lone = true;
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        lone = true;
      }
      if (lone) {
        out += `${s.slice(from, i)}\ufffd`;
        from = i + 1;
      }
    }
    return from === 0 ? s : out + s.slice(from);
  },
};

// GroupBy(items, callback, key coercion)
function groupBy(items, callback, propertyKeys, method) {
  if (items === null || items === undefined) {
    throw new TypeError(`${method} called on null or undefined`);
  }
  if (typeof callback !== 'function') throw new TypeError(`${String(callback)} is not a function`);
  const groups = new Map();
  let k = 0;
  for (const value of items) {
    let key = callback(value, k++);
    if (propertyKeys) key = typeof key === 'symbol' ? key : String(key);
    else if (key === 0) key = 0; // -0 becomes +0
    const list = groups.get(key);
    if (list) list.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}

const objectStatics = {
  groupBy(items, callbackfn) {
    const obj = { __proto__: null };
    for (const [key, list] of groupBy(items, callbackfn, true, 'Object.groupBy')) obj[key] = list;
    return obj;
  },
};
const mapStatics = {
  groupBy(items, callbackfn) {
    return groupBy(items, callbackfn, false, 'Map.groupBy');
  },
};
const promiseStatics = {
  withResolvers() {
    if ((typeof this !== 'function' && typeof this !== 'object') || this === null) {
      throw new TypeError('PromiseResolve called on non-object');
    }
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  },
};

function install(target, methods) {
  for (const name of Object.keys(methods)) {
    if (Object.prototype.hasOwnProperty.call(target, name)) continue;
    Object.defineProperty(target, name, {
      value: methods[name], writable: true, enumerable: false, configurable: true,
    });
  }
}

function installEsBuiltins() {
  const missingArray = Object.keys(arrayMethods).filter((n) => !(n in Array.prototype));
  install(Array.prototype, arrayMethods);
  const unscopables = Array.prototype[Symbol.unscopables];
  for (const name of missingArray) if (name !== 'with') unscopables[name] = true;
  install(TypedArray.prototype, typedMethods);
  install(String.prototype, stringMethods);
  install(Object, objectStatics);
  install(Map, mapStatics);
  install(Promise, promiseStatics);
}

module.exports = { installEsBuiltins };
