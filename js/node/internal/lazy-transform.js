// node/internal/lazy-transform.js — a Transform stream whose stream state
// is only built when it is first used as a stream. Hash and Hmac are
// Transforms in Node, but most code only calls update()/digest(); building
// readable and writable state for each of them would cost more than the
// digest. Reading _readableState or _writableState runs the Transform
// constructor on the object, then answers from the state it made.
'use strict';

const { Transform } = require('stream');

function LazyTransform(options) {
  this._options = options;
}
Object.setPrototypeOf(LazyTransform.prototype, Transform.prototype);
Object.setPrototypeOf(LazyTransform, Transform);

function stateGetter(name) {
  return function get() {
    Transform.call(this, this._options);
    this._writableState.decodeStrings = false;
    if (!this._options || !this._options.defaultEncoding) {
      this._writableState.defaultEncoding = 'buffer';
    }
    return this[name];
  };
}

function stateSetter(name) {
  return function set(value) {
    Object.defineProperty(this, name, {
      value, enumerable: true, configurable: true, writable: true,
    });
  };
}

for (const name of ['_readableState', '_writableState']) {
  Object.defineProperty(LazyTransform.prototype, name, {
    get: stateGetter(name), set: stateSetter(name), configurable: true, enumerable: true,
  });
}

module.exports = LazyTransform;
