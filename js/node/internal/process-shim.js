'use strict';
// What npm polyfills get for require('process') / require('process/'): the
// real process object. A forwarding proxy, because polyfills load while the
// bootstrap is still building `process` (a plain export would capture
// undefined); every access goes to globalThis.process at call time.

module.exports = new Proxy(Object.create(null), {
  get(_, key) {
    return Reflect.get(globalThis.process, key);
  },
  set(_, key, value) {
    return Reflect.set(globalThis.process, key, value);
  },
  has(_, key) {
    return Reflect.has(globalThis.process, key);
  },
  ownKeys() {
    return Reflect.ownKeys(globalThis.process);
  },
  getOwnPropertyDescriptor(_, key) {
    const d = Reflect.getOwnPropertyDescriptor(globalThis.process, key);
    if (d) d.configurable = true;
    return d;
  },
});
