// node/internal/es-builtins.js — the ECMAScript built-ins Node 22's V8
// (12.4) has and the sandbox's V8 10.2 lacks, from core-js (npm, pinned):
// one module each, installed into the snapshot where V8 has none, as
// core-js installs them (non-enumerable, the spec's name and length,
// `Function.prototype.toString` shows `[native code]`, the array methods in
// Array.prototype[Symbol.unscopables]). The table of what Node 22 has and
// how the guest gets it: docs/node22.md.
//
// ArrayBuffer.prototype.transfer/transferToFixedLength are the exception:
// core-js needs a way to detach a buffer and finds one by detaching a test
// buffer when it loads, which here is at snapshot time, where it would
// invalidate V8's detaching protector (slower typed arrays) in every run.
// They are the spec's ArrayBufferCopyAndDetach over a native move
// (binding.util.moveArrayBuffer), with V8's messages.
'use strict';

const binding = require('./binding');

function installCoreJs() {
  // ES2023: change array by copy
  require('core-js/modules/es.array.to-reversed');
  require('core-js/modules/es.array.to-sorted');
  require('core-js/modules/es.array.to-spliced');
  require('core-js/modules/es.array.with');
  require('core-js/modules/es.typed-array.to-reversed');
  require('core-js/modules/es.typed-array.to-sorted');
  require('core-js/modules/es.typed-array.with');
  // ES2024
  require('core-js/modules/es.object.group-by');
  require('core-js/modules/es.map.group-by');
  require('core-js/modules/es.promise.with-resolvers');
  require('core-js/modules/es.string.is-well-formed');
  require('core-js/modules/es.string.to-well-formed');
  require('core-js/modules/es.array-buffer.detached');
  require('core-js/modules/es.array.from-async');
  // ES2025 in Node 22: Set methods, iterator helpers
  require('core-js/modules/es.set.union.v2');
  require('core-js/modules/es.set.intersection.v2');
  require('core-js/modules/es.set.difference.v2');
  require('core-js/modules/es.set.symmetric-difference.v2');
  require('core-js/modules/es.set.is-subset-of.v2');
  require('core-js/modules/es.set.is-superset-of.v2');
  require('core-js/modules/es.set.is-disjoint-from.v2');
  require('core-js/modules/es.iterator.constructor');
  require('core-js/modules/es.iterator.from');
  require('core-js/modules/es.iterator.map');
  require('core-js/modules/es.iterator.filter');
  require('core-js/modules/es.iterator.take');
  require('core-js/modules/es.iterator.drop');
  require('core-js/modules/es.iterator.flat-map');
  require('core-js/modules/es.iterator.reduce');
  require('core-js/modules/es.iterator.to-array');
  require('core-js/modules/es.iterator.for-each');
  require('core-js/modules/es.iterator.some');
  require('core-js/modules/es.iterator.every');
  require('core-js/modules/es.iterator.find');
}

// resizable and maxByteLength are V8's own (--harmony-rab-gsab): installed
// in each run's context, absent while the snapshot is built
const getterOf = (name) => Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, name).get;

function receiverText(o) {
  if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return String(o);
  const ctor = binding.util.getConstructorName(o);
  return `#<${ctor || 'Object'}>`;
}

const notDetachable = () => new TypeError('ArrayBuffer is not detachable and could not be cloned.');

// ArrayBufferCopyAndDetach(O, newLength, preserveResizability)
function copyAndDetach(o, newLength, preserve, method) {
  let byteLength;
  try {
    byteLength = getterOf('byteLength').call(o); // the brand check: ArrayBuffer, not shared
  } catch {
    throw new TypeError(`Method ArrayBuffer.prototype.${method} called on incompatible receiver ${
      receiverText(o)}`);
  }
  let newByteLength = byteLength;
  if (newLength !== undefined) {
    const n = Math.trunc(Number(newLength)) || 0;
    if (n < 0) throw new RangeError('Invalid array buffer length');
    newByteLength = n;
  }
  if (getterOf('detached').call(o)) {
    throw new TypeError(`Cannot perform ArrayBuffer.prototype.${method} on a detached ArrayBuffer`);
  }
  const resizable = getterOf('resizable').call(o);
  if (!resizable && newByteLength === byteLength) {
    const moved = binding.util.moveArrayBuffer(o, false);
    if (moved === undefined) throw notDetachable();
    return moved;
  }
  let out;
  try {
    out = preserve && resizable
      ? new ArrayBuffer(newByteLength, { maxByteLength: getterOf('maxByteLength').call(o) })
      : new ArrayBuffer(newByteLength);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new RangeError(newByteLength > Number.MAX_SAFE_INTEGER
        ? `ArrayBuffer.prototype.${method}: Invalid length parameter` : 'Array buffer allocation failed');
    }
    throw err;
  }
  new Uint8Array(out).set(new Uint8Array(o, 0, Math.min(byteLength, newByteLength)));
  if (binding.util.moveArrayBuffer(o, true) === undefined) throw notDetachable();
  return out;
}

const arrayBufferMethods = {
  transfer(newLength = undefined) {
    return copyAndDetach(this, newLength, true, 'transfer');
  },
  transferToFixedLength(newLength = undefined) {
    return copyAndDetach(this, newLength, false, 'transferToFixedLength');
  },
};

function installArrayBufferTransfer() {
  // as core-js defines its own (a non-enumerable method, `[native code]`)
  const defineBuiltIn = require('core-js/internals/define-built-in');
  for (const name of Object.keys(arrayBufferMethods)) {
    if (!Object.prototype.hasOwnProperty.call(ArrayBuffer.prototype, name)) {
      defineBuiltIn(ArrayBuffer.prototype, name, arrayBufferMethods[name]);
    }
  }
}

function installEsBuiltins() {
  installCoreJs();
  installArrayBufferTransfer();
  // core-js keeps its state in a global it makes; its modules hold it
  // already, and Node has no such global
  delete globalThis['__core-js_shared__'];
  // V8 10.2's pre-standard segmenter; Node 22's V8 no longer has it
  delete Intl.v8BreakIterator;
}

module.exports = { installEsBuiltins };
