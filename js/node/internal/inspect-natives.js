// node/internal/inspect-natives.js — V8 introspection for node-inspect-extracted.
//
// node-inspect-extracted is Node's own lib/internal/util/inspect.js with the
// V8 natives replaced by JS stand-ins (a promise is always "pending", Map
// iterators have no entries, a frozen null-prototype object is "External").
// The build patches the dist file (see patch-inspect.js) so that each of
// those stand-ins calls the function of the same name here, which calls the
// native in `binding.util` with Node's calling convention and falls back to
// the library's own stand-in when the native is absent. Invariants: natives
// are looked up at call time (the binding is filled after module load), and
// every function returns exactly what Node's internalBinding('util') returns.
'use strict';

const binding = require('./binding');

function native(name) {
  const util = binding.util;
  const fn = util !== undefined && util !== null ? util[name] : undefined;
  return typeof fn === 'function' ? fn : undefined;
}

// Node: [state, result] with state 0 pending, 1 fulfilled, 2 rejected. The
// library compares the state with its own kPending / kRejected symbols, so
// the patch passes them in.
function getPromiseDetails(promise, kPending, kRejected) {
  const fn = native('getPromiseDetails');
  const details = fn === undefined ? undefined : fn(promise);
  if (details === undefined) return [kPending, undefined];
  const state = details[0];
  if (state === 0) return [kPending, undefined];
  return [state === 2 ? kRejected : state, details[1]];
}

// Node: previewEntries(obj) -> flat entries (WeakMap: k0, v0, k1, v1 …);
// previewEntries(obj, true) -> [entries, isKeyValue].
function previewEntries(obj, pairs) {
  const fn = native('previewEntries');
  let out;
  if (fn !== undefined) out = pairs === true ? fn(obj, true) : fn(obj);
  if (out !== undefined) return out;
  return pairs === true ? [[], false] : [];
}

// Node: undefined if not a proxy, else [target, handler] (full) or target.
function getProxyDetails(value, full, fallback) {
  const fn = native('getProxyDetails');
  const wantFull = full === undefined ? true : !!full;
  if (fn === undefined) return fallback(value, wantFull);
  return fn(value, wantFull);
}

// undefined when the native is absent: the patched library then runs its
// own JS version.
function getConstructorName(obj) {
  const fn = native('getConstructorName');
  return fn === undefined ? undefined : fn(obj);
}

function getOwnNonIndexProperties(obj, filter) {
  const fn = native('getOwnNonIndexProperties');
  return fn === undefined ? undefined : fn(obj, filter);
}

// The type checks inspect uses: each calls binding.util.<name> if present,
// else the library's emulation (passed in as `fallback`).
function types(fallback) {
  const out = {};
  for (const name of Object.keys(fallback)) {
    const js = fallback[name];
    out[name] = function check(value) {
      const fn = native(name);
      return fn === undefined ? js(value) : fn(value);
    };
  }
  return out;
}

module.exports = {
  getPromiseDetails,
  previewEntries,
  getProxyDetails,
  getConstructorName,
  getOwnNonIndexProperties,
  types,
};
