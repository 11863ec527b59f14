'use strict';
// process.env as the runtime itself reads it (NODE_PATH, NODE_DEBUG, TERM,
// FORCE_COLOR, HOME...): the variables the guest was given, without the
// audit line a guest's own read gets (bootstrap/process.js). A guest that
// replaced process.env is read through what it put there, as Node does.
let raw = {};
let proxy = null;

function setEnv(vars, view) {
  raw = vars;
  proxy = view;
}

function runtimeEnv() {
  return process.env === proxy ? raw : process.env;
}

module.exports = { setEnv, runtimeEnv };
