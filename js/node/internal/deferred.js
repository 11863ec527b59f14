// node/internal/deferred.js — Tier 4 of the compatibility matrix: an API
// that loads but is not bridged yet throws
// "<module>.<api> is not supported in sandbox" (ERR_UNSUPPORTED_SANDBOX_API)
// when called, never at require() time.
'use strict';

const { makeNodeError } = require('./errors');

function notSupported(api) {
  return makeNodeError(Error, 'ERR_UNSUPPORTED_SANDBOX_API', `${api} is not supported in sandbox`);
}

// A function named like the API it stands for that throws when called.
function deferredFunction(api) {
  const name = api.slice(api.lastIndexOf('.') + 1);
  return {
    [name]() {
      throw notSupported(api);
    },
  }[name];
}

// A class that throws when constructed (or called).
function deferredClass(api) {
  const name = api.slice(api.lastIndexOf('.') + 1);
  return {
    [name]: class {
      constructor() {
        throw notSupported(api);
      }
    },
  }[name];
}

module.exports = { notSupported, deferredFunction, deferredClass };
