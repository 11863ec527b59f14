'use strict';
// node:v8 — Node's API over binding.v8 (isolate/v8/serdes.cc) and
// binding.util.heapStatistics: the heap's real numbers, Serializer and
// Deserializer over V8's ValueSerializer/ValueDeserializer (Default* write
// Buffers and typed arrays as Node's host objects, so the bytes are
// Node's), serialize/deserialize, cachedDataVersionTag.
//
// Refused (docs/guest.md): setFlagsFromString (V8's flags change the
// engine under the run: none is safe to hand to the guest), heap
// snapshots, coverage, queryObjects, GCProfiler and promiseHooks
// (ERR_UNSUPPORTED_SANDBOX_API when called). A run never builds a startup
// snapshot, so v8.startupSnapshot answers as Node outside one.

const binding = require('./internal/binding');
const { Buffer } = require('buffer');
const { makeNodeError } = require('./internal/errors');
const { validateString } = require('./internal/validators');
const { deferredFunction, deferredClass, notSupported } = require('./internal/deferred');

const heapKeys = [
  'total_heap_size', 'total_heap_size_executable', 'total_physical_size', 'total_available_size',
  'used_heap_size', 'heap_size_limit', 'malloced_memory', 'peak_malloced_memory', 'does_zap_garbage',
  'number_of_native_contexts', 'number_of_detached_contexts', 'total_global_handles_size',
  'used_global_handles_size', 'external_memory',
];
const codeKeys = [
  'code_and_metadata_size', 'bytecode_and_metadata_size', 'external_script_source_size',
  'cpu_profiler_metadata_size',
];

function record(keys, values) {
  const out = {};
  keys.forEach((k, i) => { out[k] = values[i]; });
  return out;
}

function getHeapStatistics() {
  return record(heapKeys, binding.util.heapStatistics());
}

function getHeapCodeStatistics() {
  return record(codeKeys, binding.v8.heapCode());
}

function getHeapSpaceStatistics() {
  return binding.v8.heapSpaces().filter(Boolean).map(([name, size, used, available, physical]) => ({
    space_name: name,
    space_size: size,
    space_used_size: used,
    space_available_size: available,
    physical_space_size: physical,
  }));
}

function cachedDataVersionTag() {
  return binding.v8.cachedDataVersionTag();
}

function setFlagsFromString(flags) {
  validateString(flags, 'flags');
  throw notSupported('v8.setFlagsFromString');
}

// (Node's binding's own message, not the validators')
function viewTypes(name) {
  return makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `${name} must be a TypedArray or a DataView`);
}

class Serializer {
  #h;

  constructor() {
    this.#h = binding.v8.newSerializer();
  }

  writeHeader() {
    binding.v8.writeHeader(this.#h);
  }

  writeValue(value) {
    return binding.v8.writeValue(this.#h, this, value);
  }

  releaseBuffer() {
    const bytes = binding.v8.releaseBuffer(this.#h);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  transferArrayBuffer(id, arrayBuffer) {
    binding.v8.serTransferArrayBuffer(this.#h, id, arrayBuffer);
  }

  writeUint32(value) {
    binding.v8.writeUint32(this.#h, value);
  }

  writeUint64(hi, lo) {
    binding.v8.writeUint64(this.#h, hi, lo);
  }

  writeDouble(value) {
    binding.v8.writeDouble(this.#h, value);
  }

  writeRawBytes(source) {
    if (!ArrayBuffer.isView(source)) throw viewTypes('source');
    binding.v8.writeRawBytes(this.#h, source);
  }

  _setTreatArrayBufferViewsAsHostObjects(value) {
    binding.v8.treatViewsAsHostObjects(this.#h, value);
  }
}
Serializer.prototype._getDataCloneError = Error;

class Deserializer {
  #h;

  constructor(buffer) {
    if (!ArrayBuffer.isView(buffer)) throw viewTypes('buffer');
    this.#h = binding.v8.newDeserializer(buffer);
    this.buffer = buffer;
  }

  readHeader() {
    return binding.v8.readHeader(this.#h, this);
  }

  readValue() {
    return binding.v8.readValue(this.#h, this);
  }

  transferArrayBuffer(id, arrayBuffer) {
    binding.v8.deTransferArrayBuffer(this.#h, id, arrayBuffer);
  }

  getWireFormatVersion() {
    return binding.v8.wireFormatVersion(this.#h);
  }

  readUint32() {
    return binding.v8.readUint32(this.#h);
  }

  readUint64() {
    return binding.v8.readUint64(this.#h);
  }

  readDouble() {
    return binding.v8.readDouble(this.#h);
  }

  _readRawBytes(length) {
    return binding.v8.readRawBytes(this.#h, length);
  }

  readRawBytes(length) {
    const offset = this._readRawBytes(length);
    return Buffer.from(this.buffer.buffer, this.buffer.byteOffset + offset, length);
  }
}

// Node's host-object indexes: 10 is Buffer (FastBuffer).
const viewCtors = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
  Uint32Array, Float32Array, Float64Array, DataView, Buffer, BigInt64Array, BigUint64Array];
const viewIndex = new Map();
viewCtors.forEach((ctor, i) => {
  if (ctor !== Buffer) viewIndex.set(Object.prototype.toString.call(new ctor(new ArrayBuffer(0))), i);
});

class DefaultSerializer extends Serializer {
  constructor() {
    super();
    this._setTreatArrayBufferViewsAsHostObjects(true);
  }

  _writeHostObject(abView) {
    let i = 10;
    if (abView.constructor !== Buffer) {
      i = viewIndex.get(Object.prototype.toString.call(abView));
      if (i === undefined) {
        throw new this._getDataCloneError(
          `Unserializable host object: ${require('util').inspect(abView)}`);
      }
    }
    this.writeUint32(i);
    this.writeUint32(abView.byteLength);
    this.writeRawBytes(new Uint8Array(abView.buffer, abView.byteOffset, abView.byteLength));
  }
}

class DefaultDeserializer extends Deserializer {
  _readHostObject() {
    const typeIndex = this.readUint32();
    const ctor = viewCtors[typeIndex];
    const byteLength = this.readUint32();
    const byteOffset = this._readRawBytes(byteLength);
    if (ctor === undefined) throw makeNodeError(Error, 'ERR_INVALID_STATE', 'Unable to deserialize cloned data.');
    const size = ctor.BYTES_PER_ELEMENT || 1;
    const offset = this.buffer.byteOffset + byteOffset;
    if (ctor === Buffer) return Buffer.from(this.buffer.buffer, offset, byteLength);
    if (offset % size === 0) return new ctor(this.buffer.buffer, offset, byteLength / size);
    const copy = new Uint8Array(byteLength); // aligned
    copy.set(new Uint8Array(this.buffer.buffer, offset, byteLength));
    return new ctor(copy.buffer, 0, byteLength / size);
  }
}

function serialize(value) {
  const ser = new DefaultSerializer();
  ser.writeHeader();
  ser.writeValue(value);
  return ser.releaseBuffer();
}

function deserialize(buffer) {
  const der = new DefaultDeserializer(buffer);
  der.readHeader();
  return der.readValue();
}

function notBuildingSnapshot() {
  return makeNodeError(Error, 'ERR_NOT_BUILDING_SNAPSHOT',
    'Operation cannot be invoked when not building startup snapshot');
}

const startupSnapshot = {
  addSerializeCallback() { throw notBuildingSnapshot(); },
  addDeserializeCallback() { throw notBuildingSnapshot(); },
  setDeserializeMainFunction() { throw notBuildingSnapshot(); },
  isBuildingSnapshot() { return 0; }, // (Node's answer outside a build: its flag's 0)
};

const promiseHooks = {
  onInit: deferredFunction('v8.promiseHooks.onInit'),
  onSettled: deferredFunction('v8.promiseHooks.onSettled'),
  onBefore: deferredFunction('v8.promiseHooks.onBefore'),
  onAfter: deferredFunction('v8.promiseHooks.onAfter'),
  createHook: deferredFunction('v8.promiseHooks.createHook'),
};

module.exports = {
  cachedDataVersionTag,
  getHeapSnapshot: deferredFunction('v8.getHeapSnapshot'),
  getHeapStatistics,
  getHeapSpaceStatistics,
  getHeapCodeStatistics,
  setFlagsFromString,
  Serializer,
  Deserializer,
  DefaultSerializer,
  DefaultDeserializer,
  deserialize,
  takeCoverage: deferredFunction('v8.takeCoverage'),
  stopCoverage: deferredFunction('v8.stopCoverage'),
  serialize,
  writeHeapSnapshot: deferredFunction('v8.writeHeapSnapshot'),
  promiseHooks,
  queryObjects: deferredFunction('v8.queryObjects'),
  startupSnapshot,
  setHeapSnapshotNearHeapLimit: deferredFunction('v8.setHeapSnapshotNearHeapLimit'),
  GCProfiler: deferredClass('v8.GCProfiler'),
};
