// node/internal/globals.js — the web globals the bootstrap installs on
// globalThis (V8 itself has none of them).
//
// Exports exactly the names to install, nothing else: TextEncoder,
// TextDecoder, EventTarget, Event, CustomEvent, AbortController,
// AbortSignal, DOMException, atob, btoa, URL, URLSearchParams,
// structuredClone, Blob, File. Sources: whatwg-url (npm) under URL /
// URLSearchParams; everything else is own code in this folder (encoding.js,
// event-target.js, abort.js, dom-exception.js, base64.js, blob.js), because
// the npm shims (event-target-shim, abort-controller, text-encoding
// polyfills) differ from Node in options, errors or inspect output.
// structuredClone calls binding.util.structuredClone (V8's serializer) at
// call time.
'use strict';

const binding = require('./binding');
const { codes, makeNodeError } = require('./errors');
const { TextEncoder, TextDecoder } = require('./encoding');
const { Event, CustomEvent, EventTarget } = require('./event-target');
const { AbortController, AbortSignal } = require('./abort');
const { DOMException } = require('./dom-exception');
const { atob, btoa } = require('./base64');
const { Blob, File } = require('./blob');
const { URL, URLSearchParams } = require('./url');

// options.transfer checked as Node 22's structuredClone does; its
// ArrayBuffers (others, such as MessagePorts, are the serializer's).
function transferredBuffers(options) {
  const list = options == null ? undefined : options.transfer;
  if (list === undefined) return [];
  if (list === null || typeof list !== 'object' || typeof list[Symbol.iterator] !== 'function') {
    throw makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      "Failed to execute 'structuredClone': transfer in Options can not be converted to sequence.");
  }
  const items = [...list];
  const seen = new Set();
  const buffers = [];
  for (const x of items) {
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) {
      throw makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'Value is not an object');
    }
    if (seen.has(x)) throw new DOMException('Transfer list contains duplicate ArrayBuffer', 'DataCloneError');
    seen.add(x);
    if (Object.prototype.toString.call(x) === '[object ArrayBuffer]') {
      if (x.detached) throw new DOMException('Cannot transfer object of unsupported type.', 'DataCloneError');
      buffers.push(x);
    }
  }
  return buffers;
}

function structuredClone(value, options = undefined) {
  if (arguments.length === 0) {
    // Node 22's wording: its native structuredClone names the whole
    // sentence as the missing argument
    throw makeNodeError(TypeError, 'ERR_MISSING_ARGS',
      'The "The value argument must be specified" argument must be specified');
  }
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  const fn = binding.util != null ? binding.util.structuredClone : undefined;
  if (typeof fn !== 'function') throw codes.ERR_METHOD_NOT_IMPLEMENTED('structuredClone');
  const moved = transferredBuffers(options);
  try {
    const out = fn(value);
    // the transferred ArrayBuffers: the clone has their bytes, the
    // originals are detached, as a transfer leaves them
    for (const ab of moved) ArrayBuffer.prototype.transfer.call(ab, 0);
    return out;
  } catch (err) {
    if (err !== null && typeof err === 'object' && err.name === 'DataCloneError' &&
        !(err instanceof DOMException)) {
      throw new DOMException(err.message, 'DataCloneError');
    }
    throw err;
  }
}

module.exports = {
  TextEncoder,
  TextDecoder,
  EventTarget,
  Event,
  CustomEvent,
  AbortController,
  AbortSignal,
  DOMException,
  atob,
  btoa,
  URL,
  URLSearchParams,
  structuredClone,
  Blob,
  File,
};
