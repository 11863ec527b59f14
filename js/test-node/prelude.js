// test-node/prelude.js — first module of every test bundle: does what
// bootstrap/main.js does for js/node/ (fill the binding, install the web
// globals, Buffer and console) so that the test program sees our modules.
'use strict';

const binding = require('../node/internal/binding');

Object.assign(binding, globalThis.__seFakeBinding);
delete globalThis.__seFakeBinding;

const globals = require('../node/internal/globals');

for (const key of Object.keys(globals)) {
  Object.defineProperty(globalThis, key, {
    value: globals[key], writable: true, configurable: true, enumerable: false,
  });
}
Object.defineProperty(globalThis, 'Buffer', {
  value: require('buffer').Buffer, writable: true, configurable: true, enumerable: false,
});
Object.defineProperty(globalThis, 'console', {
  value: require('console'), writable: true, configurable: true, enumerable: false,
});
