'use strict';
// node:vm — Node's API over binding.contextify (isolate/v8/contextify.cc):
// new contexts of the same isolate (V8's bare builtins, no binding, no
// require, no process), a contextified sandbox as the new global's
// backing store, scripts compiled once and run anywhere, `timeout` (a
// watchdog that terminates the run, then ERR_SCRIPT_EXECUTION_TIMEOUT),
// `microtaskMode: 'afterEvaluate'` (the context's own microtask queue).
//
// Decided here (docs/guest.md): a guest's `cachedData` is never given to
// V8 (consuming a code cache runs its bytecode unchecked), so such a
// script says `cachedDataRejected: true`, Node's own answer for data it
// cannot use; producing a cache (`produceCachedData`,
// `createCachedData()`) works. import() in a vm script without
// `importModuleDynamically` rejects with Node's
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING; with
// `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER` it is the run's import().
// `breakOnSigint`: a SIGINT during the run interrupts it
// (ERR_SCRIPT_EXECUTION_INTERRUPTED) instead of reaching the listeners.
// vm.measureMemory is V8's measurement; vm modules are not provided.

const binding = require('./internal/binding');
const { codes } = require('./internal/errors');
const {
  validateString, validateBoolean, validateObject, validateOneOf, validateInt32, validateUint32,
  validateArray,
} = require('./internal/validators');

const constants = Object.freeze({
  __proto__: null,
  USE_MAIN_CONTEXT_DEFAULT_LOADER: Symbol('vm_dynamic_import_main_context_default'),
  DONT_CONTEXTIFY: Symbol('vm_context_no_contextify'),
});

const kParsingContext = Symbol('script parsing context');
const allowObjects = { allowArray: true, allowFunction: true };

function validateCache(cachedData, produceCachedData) {
  if (cachedData !== undefined && !ArrayBuffer.isView(cachedData)) {
    throw codes.ERR_INVALID_ARG_TYPE('options.cachedData', ['Buffer', 'TypedArray', 'DataView'], cachedData);
  }
  validateBoolean(produceCachedData, 'options.produceCachedData');
}

// How import() of code compiled with this option goes (contextify.cc's
// marks): 0 the run's loader (USE_MAIN_CONTEXT_DEFAULT_LOADER), 1 Node's
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING (none given), 2 a function: as
// Node without --experimental-vm-modules, ..._MISSING_FLAG.
function importMark(importModuleDynamically, name) {
  if (importModuleDynamically === undefined) return 1;
  if (importModuleDynamically === constants.USE_MAIN_CONTEXT_DEFAULT_LOADER) return 0;
  if (typeof importModuleDynamically !== 'function') {
    throw codes.ERR_INVALID_ARG_TYPE(name, ['function', 'vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER'],
      importModuleDynamically);
  }
  return 2;
}

class Script {
  #script;

  constructor(code, options = {}) {
    code = `${code}`;
    if (typeof options === 'string') options = { filename: options };
    else validateObject(options, 'options');
    const {
      filename = 'evalmachine.<anonymous>',
      lineOffset = 0,
      columnOffset = 0,
      cachedData,
      produceCachedData = false,
      importModuleDynamically,
      [kParsingContext]: parsingContext,
    } = options;
    validateString(filename, 'options.filename');
    validateInt32(lineOffset, 'options.lineOffset');
    validateInt32(columnOffset, 'options.columnOffset');
    validateCache(cachedData, produceCachedData);
    const mark = importMark(importModuleDynamically, 'options.importModuleDynamically');
    const [script, sourceMapURL] = binding.contextify.compile(code, filename, lineOffset, columnOffset,
      parsingContext, mark);
    this.#script = script;
    if (sourceMapURL !== undefined) this.sourceMapURL = sourceMapURL;
    if (cachedData !== undefined) this.cachedDataRejected = true;
    if (produceCachedData) {
      this.cachedData = toBuffer(binding.contextify.createCachedData(script));
      this.cachedDataProduced = this.cachedData.length > 0;
    }
  }

  createCachedData() {
    return toBuffer(binding.contextify.createCachedData(this.#script));
  }

  runInThisContext(options) {
    const { timeout, displayErrors, breakOnSigint } = runOptions(options);
    return binding.contextify.run(this.#script, undefined, timeout, displayErrors, breakOnSigint);
  }

  runInContext(contextifiedObject, options) {
    validateContext(contextifiedObject);
    const { timeout, displayErrors, breakOnSigint } = runOptions(options);
    return binding.contextify.run(this.#script, contextifiedObject, timeout, displayErrors, breakOnSigint);
  }

  runInNewContext(contextObject, options) {
    const context = createContext(contextObject, contextOptions(options));
    return this.runInContext(context, options);
  }
}

function toBuffer(bytes) {
  const { Buffer } = require('buffer');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function validateContext(contextifiedObject) {
  if (!isContext(contextifiedObject)) {
    throw codes.ERR_INVALID_ARG_TYPE('contextifiedObject', 'vm.Context', contextifiedObject);
  }
}

function runOptions(options = {}) {
  validateObject(options, 'options');
  let timeout = options.timeout;
  if (timeout === undefined) timeout = -1;
  else validateUint32(timeout, 'options.timeout', true);
  const { displayErrors = true, breakOnSigint = false } = options;
  validateBoolean(displayErrors, 'options.displayErrors');
  validateBoolean(breakOnSigint, 'options.breakOnSigint');
  return { timeout, displayErrors, breakOnSigint };
}

function contextOptions(options) {
  if (!options) return {};
  const out = {
    name: options.contextName,
    origin: options.contextOrigin,
    codeGeneration: undefined,
    microtaskMode: options.microtaskMode,
  };
  if (out.name !== undefined) validateString(out.name, 'options.contextName');
  if (out.origin !== undefined) validateString(out.origin, 'options.contextOrigin');
  if (options.contextCodeGeneration !== undefined) {
    validateObject(options.contextCodeGeneration, 'options.contextCodeGeneration');
    const { strings, wasm } = options.contextCodeGeneration;
    if (strings !== undefined) validateBoolean(strings, 'options.contextCodeGeneration.strings');
    if (wasm !== undefined) validateBoolean(wasm, 'options.contextCodeGeneration.wasm');
    out.codeGeneration = { strings, wasm };
  }
  if (options.microtaskMode !== undefined) validateString(options.microtaskMode, 'options.microtaskMode');
  return out;
}

function isContext(object) {
  validateObject(object, 'object', allowObjects);
  return binding.contextify.isContext(object);
}

let contextNameIndex = 1;
function createContext(contextObject = {}, options = {}) {
  const plain = contextObject === constants.DONT_CONTEXTIFY;
  if (!plain && isContext(contextObject)) return contextObject;
  validateObject(options, 'options');
  const {
    name = `VM Context ${contextNameIndex++}`,
    origin,
    codeGeneration,
    microtaskMode,
    importModuleDynamically,
  } = options;
  validateString(name, 'options.name');
  if (origin !== undefined) validateString(origin, 'options.origin');
  if (codeGeneration !== undefined) validateObject(codeGeneration, 'options.codeGeneration');
  let strings = true;
  let wasm = true;
  if (codeGeneration !== undefined) {
    ({ strings = true, wasm = true } = codeGeneration);
    validateBoolean(strings, 'options.codeGeneration.strings');
    validateBoolean(wasm, 'options.codeGeneration.wasm');
  }
  if (microtaskMode !== undefined) {
    validateOneOf(microtaskMode, 'options.microtaskMode', ['afterEvaluate', undefined]);
  }
  importMark(importModuleDynamically, 'options.importModuleDynamically');
  return binding.contextify.makeContext(contextObject, name, strings, wasm,
    microtaskMode === 'afterEvaluate', plain);
}

function createScript(code, options) {
  return new Script(code, options);
}

function runInContext(code, contextifiedObject, options) {
  validateContext(contextifiedObject);
  if (typeof options === 'string') options = { filename: options, [kParsingContext]: contextifiedObject };
  else options = { ...options, [kParsingContext]: contextifiedObject };
  return createScript(code, options).runInContext(contextifiedObject, options);
}

function runInNewContext(code, contextObject, options) {
  if (typeof options === 'string') options = { filename: options };
  contextObject = createContext(contextObject, contextOptions(options));
  options = { ...options, [kParsingContext]: contextObject };
  return createScript(code, options).runInNewContext(contextObject, options);
}

function runInThisContext(code, options) {
  if (typeof options === 'string') options = { filename: options };
  return createScript(code, options).runInThisContext(options);
}

function compileFunction(code, params, options = {}) {
  validateString(code, 'code');
  if (params !== undefined) {
    validateArray(params, 'params');
    params.forEach((param, i) => validateString(param, `params[${i}]`));
  }
  validateObject(options, 'options');
  const {
    filename = '',
    columnOffset = 0,
    lineOffset = 0,
    cachedData = undefined,
    produceCachedData = false,
    parsingContext = undefined,
    contextExtensions = [],
    importModuleDynamically,
  } = options;
  validateString(filename, 'options.filename');
  validateInt32(columnOffset, 'options.columnOffset');
  validateInt32(lineOffset, 'options.lineOffset');
  validateCache(cachedData, produceCachedData);
  if (parsingContext !== undefined) {
    if (typeof parsingContext !== 'object' || parsingContext === null || !isContext(parsingContext)) {
      throw codes.ERR_INVALID_ARG_TYPE('options.parsingContext', 'Context', parsingContext);
    }
  }
  validateArray(contextExtensions, 'options.contextExtensions');
  contextExtensions.forEach((extension, i) => {
    validateObject(extension, `options.contextExtensions[${i}]`, { ...allowObjects, nullable: true });
  });
  const mark = importMark(importModuleDynamically, 'options.importModuleDynamically');
  const fn = binding.contextify.compileFunction(code, filename, lineOffset, columnOffset,
    parsingContext, contextExtensions, params === undefined ? [] : params, mark);
  if (cachedData !== undefined) fn.cachedDataRejected = true;
  if (produceCachedData) {
    fn.cachedData = toBuffer(binding.contextify.createCachedData(fn));
    fn.cachedDataProduced = fn.cachedData.length > 0;
  }
  return fn;
}

function measureMemory(options = {}) {
  validateObject(options, 'options');
  const { mode = 'summary', execution = 'default' } = options;
  validateOneOf(mode, 'options.mode', ['summary', 'detailed']);
  validateOneOf(execution, 'options.execution', ['default', 'eager']);
  const promise = binding.contextify.measureMemory(mode === 'detailed', execution === 'eager');
  // V8 ends the measurement in platform tasks, which the run's timers
  // pump: one ticks (and keeps the run alive) until it settles
  const tick = setInterval(() => {}, 10);
  const stop = () => clearInterval(tick);
  promise.then(stop, stop);
  return promise;
}

module.exports = {
  Script,
  createContext,
  createScript,
  runInContext,
  runInNewContext,
  runInThisContext,
  isContext,
  compileFunction,
  measureMemory,
  constants,
};
