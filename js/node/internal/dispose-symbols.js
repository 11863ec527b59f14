// node/internal/dispose-symbols.js — Symbol.dispose / Symbol.asyncDispose.
//
// V8 10.2 has neither; Node 20/22 install them (as Symbol('nodejs.dispose')
// and Symbol('nodejs.asyncDispose')) before any library code runs.
// readable-stream captures `Symbol.dispose || Symbol(...)` when it loads and
// events.addAbortListener keys its disposable by Symbol.dispose, so both
// must see the same symbol: this module installs them, once, and is
// required first by events.js and stream.js. Idempotent; a later engine
// with native symbols is left alone.
'use strict';

for (const [name, description] of [['dispose', 'nodejs.dispose'], ['asyncDispose', 'nodejs.asyncDispose']]) {
  if (typeof Symbol[name] !== 'symbol') {
    Object.defineProperty(Symbol, name, {
      value: Symbol(description), writable: false, enumerable: false, configurable: false,
    });
  }
}
