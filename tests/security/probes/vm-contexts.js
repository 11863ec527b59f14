// A vm context is a new context of the same isolate: nothing of the run's
// natives may be in it (no binding, require, process, module, Buffer,
// timers), import() in it has no loader, and hostile arguments to the vm
// natives (wrong types, fake contexts, proxies with throwing traps, huge
// sources, nested timeouts) throw, never crash the process.
const vm = require('vm');
const found = [];
const names = ['process', 'require', 'module', 'exports', 'Buffer', 'setTimeout', 'setImmediate',
  'queueMicrotask', '__se_bridge', 'binding', 'internalBinding', 'global'];
function survey(where, ctx) {
  const seen = vm.runInContext(`(${JSON.stringify(names)}).filter((n) => typeof globalThis[n] !== 'undefined')
    .concat(Object.getOwnPropertyNames(globalThis).filter((n) => /bridge|binding|__se/i.test(n)))`, ctx);
  for (const n of seen) found.push(`${where}: ${n}`);
}
survey('contextified', vm.createContext({}));
survey('plain', vm.createContext(vm.constants.DONT_CONTEXTIFY));
survey('afterEvaluate', vm.createContext({}, { microtaskMode: 'afterEvaluate' }));
// Function made inside the context compiles in the context, not the run's
const f = vm.runInNewContext('Function("return typeof process + typeof require")');
if (f() !== 'undefinedundefined') found.push(`Function in context: ${f()}`);
const g = vm.compileFunction('return typeof process + typeof require', [], { parsingContext: vm.createContext({}) });
if (g() !== 'undefinedundefined') found.push(`compileFunction: ${g()}`);
// import() from a context never reaches the run's loader
let pending = 0;
function mustReject(where, p) {
  pending++;
  Promise.resolve(p).then(() => found.push(`${where}: import resolved`), () => {}).finally(() => {
    if (--pending === 0) done();
  });
}
mustReject('runInNewContext', vm.runInNewContext('import("fs")'));
mustReject('Function', vm.runInNewContext('Function("return import(\\"fs\\")")()'));
mustReject('eval', vm.runInNewContext('eval("import(\\"fs\\")")'));

// Hostile arguments: each must throw (any error), never crash.
const hostile = [
  () => vm.runInContext('1', {}),
  () => vm.runInContext('1', Object.create(null)),
  () => vm.runInContext('1', new Proxy({}, { get() { throw new Error('trap'); } })),
  () => vm.isContext(null),
  () => vm.createContext(1),
  () => vm.createContext({}, { microtaskMode: 'x' }),
  () => new vm.Script('1', { lineOffset: 2 ** 40 }),
  () => new vm.Script('(', 'x'),
  () => new vm.Script('1').runInContext(globalThis),
  () => vm.runInNewContext('while (true) {}', {}, { timeout: 20 }),
  () => vm.runInNewContext('Promise.resolve().then(() => { while (true) {} })', {},
    { timeout: 20, microtaskMode: 'afterEvaluate' }),
  () => vm.runInNewContext('vm.runInNewContext("while (true) {}", {}, { timeout: 1000 })', { vm }, { timeout: 30 }),
  () => vm.runInNewContext('vm.runInNewContext("while (true) {}", {}, { timeout: 20 }); while (true) {}', { vm }, { timeout: 60 }),
  () => vm.runInNewContext('x', new Proxy({}, { has() { throw new Error('trap'); }, get() { throw new Error('trap'); } })),
  () => vm.runInNewContext('x = 1', new Proxy({}, { set() { throw new Error('trap'); }, defineProperty() { throw new Error('trap'); } })),
  () => vm.runInNewContext('delete x; Object.keys(this); throw 1', new Proxy({}, { deleteProperty() { throw new Error('t'); }, ownKeys() { throw new Error('t'); } })),
  () => vm.runInNewContext('throw 1', { get x() { throw new Error('getter'); } }),
  () => vm.compileFunction('return 1', ['a', 1]),
  () => vm.compileFunction('1', [], { contextExtensions: [1] }),
  () => vm.compileFunction('1', [], { parsingContext: {} }),
  () => new vm.Script('x'.repeat(1 << 24) + ' y'),
  () => Reflect.apply(vm.Script.prototype.runInThisContext, {}, []),
  () => Reflect.apply(vm.Script.prototype.createCachedData, Object.create(vm.Script.prototype), []),
];
let threw = 0;
for (const h of hostile) {
  try { h(); } catch { threw++; }
}
if (threw !== hostile.length) found.push(`${hostile.length - threw} hostile calls did not throw`);
// the run goes on after timeouts
if (vm.runInNewContext('1 + 1') !== 2) found.push('vm broken after timeouts');
// contexts made in a loop are collected, not kept (same isolate, same budget)
for (let i = 0; i < 2000; i++) vm.runInNewContext('this.x = new Array(100).fill(1)', {});
function done() {
  console.log(found.length ? `ESCAPED ${found.join(', ')}` : 'HELD');
}
