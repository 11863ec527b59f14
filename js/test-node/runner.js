// test-node/runner.js — `node --expose-internals runner.js <bundle> <program>
// [--no-natives]`: installs the fake bridge table where the bundle's prelude
// finds it, loads the bundle (which leaves its modules in
// globalThis.__seModules), then runs <program> with require() of builtin
// names ('util', 'node:util', …) answered from the bundle. --no-natives
// leaves binding.util empty, to exercise the JS fallbacks.
'use strict';

const Module = require('module');
const path = require('path');

const [bundlePath, programPath] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const noNatives = process.argv.includes('--no-natives');
const emitWarning = process.emitWarning;
process.emitWarning = () => {};
globalThis.__seFakeBinding = noNatives ? { util: {} } : require('./fake-binding');
process.emitWarning = emitWarning;
require(path.resolve(bundlePath));
const modules = globalThis.__seModules;
delete globalThis.__seModules;

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  const name = request.startsWith('node:') ? request.slice(5) : request;
  if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
  return Reflect.apply(originalLoad, this, [request, parent, isMain]);
};
process.argv[1] = path.resolve(programPath);
require(path.resolve(programPath));
