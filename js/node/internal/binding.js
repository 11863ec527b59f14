// node/internal/binding.js — the one holder of the native bridge table.
//
// It starts empty; bootstrap/main.js copies `globalThis.__se_bridge` into it
// with Object.assign before any module below runs, then deletes the global.
// Invariant: modules read `binding.<namespace>.<fn>` at call time only, never
// at module load, and never hand a native function to guest code.
'use strict';

module.exports = {};
