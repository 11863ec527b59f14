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
  try {
    return fn(value);
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
