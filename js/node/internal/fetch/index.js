'use strict';
// node/internal/fetch/index.js — Node 22's fetch family and the web streams
// as globals, loaded at first use.
//
// fetch, FormData, Headers, Request, Response, MessageEvent and WebSocket
// are undici's (npm undici 6.21.1, the version Node 22.14 bundles, built
// from its index-fetch.js as Node builds it) running over our net, http,
// stream, zlib and buffer modules; ReadableStream and the other stream/web
// classes come from node/stream_web.js. None of it is built into the
// startup snapshot: the globals are Node's lazy accessors (a getter that
// loads the module and replaces itself with the value, a setter that
// replaces it), and `fetch` is a plain function that loads undici at its
// first call, as in Node. A cold start that never touches them pays
// nothing but the bundle's source text.

const binding = require('../binding');

// The files of js/node/ the lazy bundle shares with this one (its `se:`
// externals; build-support.js). Static requires, so esbuild keeps them here.
const shared = {
  'internal/errors.js': () => require('../errors'),
  'internal/validators.js': () => require('../validators'),
  'internal/performance.js': () => require('../performance'),
};

function lazyRequire(id) {
  if (id.startsWith('builtin:')) return require('../../../bootstrap/loader').loadBuiltin(id.slice(8));
  if (id.startsWith('se:') && shared[id.slice(3)] !== undefined) return shared[id.slice(3)]();
  throw new Error(`lazy bundle: no module ${id}`);
}

let lazy;
function loadLazy() {
  if (lazy === undefined) lazy = binding.lazyjs.run('fetch')(lazyRequire);
  return lazy;
}

let undici;
function loadUndici() {
  if (undici === undefined) undici = loadLazy().undici();
  return undici;
}

let streamWeb;
function loadStreamWeb() {
  if (streamWeb === undefined) streamWeb = loadLazy().streamWeb();
  return streamWeb;
}

// Node's defineLazyProperties (lib/internal/util.js).
function defineLazyProperties(target, load, keys, enumerable) {
  const descriptors = {};
  for (const key of keys) {
    let value;
    const set = {
      [`set ${key}`](v) {
        Object.defineProperty(target, key, { writable: true, value: v });
      },
    }[`set ${key}`];
    const get = {
      [`get ${key}`]() {
        if (value === undefined) {
          value = load()[key];
          set(value);
        }
        return value;
      },
    }[`get ${key}`];
    descriptors[key] = { configurable: true, enumerable, get, set };
  }
  Object.defineProperties(target, descriptors);
}

const streamWebNames = [
  'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader',
  'ReadableStreamBYOBRequest', 'ReadableByteStreamController',
  'ReadableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController',
  'WritableStream', 'WritableStreamDefaultWriter', 'WritableStreamDefaultController',
  'ByteLengthQueuingStrategy', 'CountQueuingStrategy', 'TextEncoderStream',
  'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
];

function installGlobals(target) {
  let fetchImpl;
  Object.defineProperty(target, 'fetch', {
    configurable: true,
    enumerable: true,
    writable: true,
    value: function fetch(input, init = undefined) { // eslint-disable-line func-name-matching
      if (fetchImpl === undefined) fetchImpl = loadUndici().fetch;
      return fetchImpl(input, init);
    },
  });
  defineLazyProperties(target, loadUndici,
    ['FormData', 'Headers', 'Request', 'Response', 'MessageEvent', 'WebSocket'], false);
  defineLazyProperties(target, loadStreamWeb, streamWebNames, false);
}

module.exports = { installGlobals, loadUndici, loadStreamWeb, loadLazy };
