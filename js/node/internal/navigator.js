// node/internal/navigator.js — the `navigator` global as Node 22 has it: a
// Navigator (not constructible by the guest) whose getters answer at read
// time, so a run sees its own facts, never the snapshot's: the CPUs the
// sandbox may use, the default locale, the platform and Node's user agent.
'use strict';

const { makeNodeError } = require('./errors');

const kConstruct = Symbol('kConstruct');
let languageCache;
let languagesCache;

// (a class expression: the bundle has another Navigator, and V8's messages
// name the class as its binding is named)
const NavigatorClass = class Navigator {
  constructor(token) {
    if (token !== kConstruct) throw makeNodeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
  }

  get hardwareConcurrency() {
    return require('../os').availableParallelism();
  }

  get language() {
    if (languageCache === undefined) {
      languageCache = new Intl.Collator().resolvedOptions().locale || 'en-US';
    }
    return languageCache;
  }

  get languages() {
    if (languagesCache === undefined) languagesCache = Object.freeze([this.language]);
    return languagesCache;
  }

  get userAgent() {
    return `Node.js/${process.version.slice(1, process.version.indexOf('.'))}`;
  }

  // Node's names of the platform (x64 is x86_64, ia32 i686)
  get platform() {
    if (process.platform !== 'linux') return process.platform;
    if (process.arch === 'x64') return 'Linux x86_64';
    if (process.arch === 'ia32') return 'Linux i686';
    return `Linux ${process.arch}`;
  }
};
for (const name of ['hardwareConcurrency', 'language', 'languages', 'userAgent', 'platform']) {
  Object.defineProperty(NavigatorClass.prototype, name, {
    ...Object.getOwnPropertyDescriptor(NavigatorClass.prototype, name), enumerable: true,
  });
}

let navigator;
function getNavigator() {
  if (navigator === undefined) navigator = new NavigatorClass(kConstruct);
  return navigator;
}

module.exports = { Navigator: NavigatorClass, getNavigator };
