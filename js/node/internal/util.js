// node/internal/util.js — small helpers shared by the polyfilled modules.
//
// kCustomPromisifyArgs: a function carrying this symbol lists the names of
// its callback's values, and util.promisify resolves with an object of them
// (dns.lookup, fs.read …). kKeyObject / kCryptoKey: brands for crypto's
// key classes (util.types). shouldColorize: Node's rule for whether a stream
// gets ANSI colours (FORCE_COLOR / NO_COLOR / isTTY), read at call time.
'use strict';

const { runtimeEnv } = require('./env');

const kCustomPromisifyArgs = Symbol('customPromisifyArgs');

// The crypto module sets these to true on its KeyObject / CryptoKey
// instances; util.types.isKeyObject / isCryptoKey look for them.
const kKeyObject = Symbol('kKeyObject');
const kCryptoKey = Symbol('kCryptoKey');

function shouldColorize(stream) {
  const env = runtimeEnv();
  if (env.FORCE_COLOR !== undefined) {
    return !['0', 'false'].includes(env.FORCE_COLOR);
  }
  if (env.NO_COLOR !== undefined || env.NODE_DISABLE_COLORS !== undefined || env.TERM === 'dumb') {
    return false;
  }
  return !!(stream && stream.isTTY &&
    (typeof stream.getColorDepth === 'function' ? stream.getColorDepth() > 2 : true));
}

// Callable without new, as Node's constructors (net.Server(), http.Server()).
function callable(Class, { allowCall = false } = {}) {
  function Ctor(...args) {
    // Base.call(this, ...) from an old-style subclass: `this` gets what the
    // constructor made (only for plain emitters, whose state is their own
    // properties and nothing else holds the made object)
    if (allowCall && new.target === undefined && this instanceof Ctor) {
      const made = Reflect.construct(Class, args, Ctor);
      Object.defineProperties(this, Object.getOwnPropertyDescriptors(made));
      return this;
    }
    // Made by Class itself when new.target is Ctor or absent: the same
    // object (Ctor.prototype is Class.prototype), but V8 10.2 (and 11)
    // derives a new map for every Reflect.construct whose new.target is
    // another function (2-50 us each, and the maps pile up): a socket per
    // connection paid it. A subclass of Ctor still gets its own new.target.
    const target = new.target;
    return Reflect.construct(Class, args, target === undefined || target === Ctor ? Class : target);
  }
  Ctor.prototype = Class.prototype;
  Object.defineProperty(Ctor.prototype, 'constructor', { value: Ctor, writable: true, configurable: true });
  Object.setPrototypeOf(Ctor, Class);
  Object.defineProperty(Ctor, 'name', { value: Class.name.replace(/Class$/, '') });
  return Ctor;
}

module.exports = { kCustomPromisifyArgs, kKeyObject, kCryptoKey, shouldColorize, callable };
