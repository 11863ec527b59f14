// node/console.js — Node's `console` module: the global console object, with
// the Console class as its `Console` property.
//
// Own code, formatting with util.format / util.inspect (Node's own
// inspect). Output is Node 22's: log/info/debug/dirxml/table/dir/time*/
// count/group to stdout, warn/error/trace/assert to stderr, each call one
// write of the formatted text plus '\n'; group indentation (2 spaces by
// default) is applied to every line; timeEnd/timeLog print `label: 1.234ms`,
// `1.234s`, `1:02.345 (m:ss.mmm)`; table draws Node's box table (cells
// left-aligned, as Node 20.x / 22.x do); assert prints `Assertion failed[:
// msg]`; trace prints `Trace: msg` and the stack. The global console
// looks up process.stdout / process.stderr on every call (the bootstrap
// creates them after this module loads, and per run); a Console built with
// streams keeps those streams. Write errors are swallowed unless
// ignoreErrors is false, as in Node. Timing uses process.hrtime() at call
// time.
'use strict';

const util = require('./util');
const { codes } = require('./internal/errors');
const { validateOneOf } = require('./internal/validators');
const { runtimeEnv } = require('./internal/env');
const { shouldColorize } = require('./internal/util');
const natives = require('./internal/inspect-natives');
const { getStringWidth } = require('node-inspect-extracted');

const { inspect, formatWithOptions, types } = util;

const kGetStdout = Symbol('kGetStdout');
const kGetStderr = Symbol('kGetStderr');
const kGroupIndent = Symbol('kGroupIndent');
const kGroupIndentationWidth = Symbol('kGroupIndentationWidth');
const kCounts = Symbol('kCounts');
const kColorMode = Symbol('kColorMode');
const kInspectOptions = Symbol('kInspectOptions');
const kIgnoreErrors = Symbol('kIgnoreErrors');

const kSecond = 1000;
const kMinute = 60 * kSecond;
const kHour = 60 * kMinute;

function noop() {}

function isWritable(stream) {
  return stream !== null && typeof stream === 'object' && typeof stream.write === 'function';
}

function pad(value) {
  return `${value}`.padStart(2, '0');
}

function formatTime(ms) {
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (ms >= kSecond) {
    if (ms >= kMinute) {
      if (ms >= kHour) {
        hours = Math.floor(ms / kHour);
        ms %= kHour;
      }
      minutes = Math.floor(ms / kMinute);
      ms %= kMinute;
    }
    seconds = ms / kSecond;
  }
  if (hours !== 0 || minutes !== 0) {
    const [s, frac] = seconds.toFixed(3).split('.');
    const head = hours !== 0 ? `${hours}:${pad(minutes)}` : `${minutes}`;
    return `${head}:${pad(s)}.${frac} (${hours !== 0 ? 'h:m' : ''}m:ss.mmm)`;
  }
  if (seconds !== 0) return `${seconds.toFixed(3)}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

function hrtimeNow() {
  return process.hrtime();
}

function elapsedMs(start) {
  const d = process.hrtime(start);
  return d[0] * 1000 + d[1] / 1e6;
}

// ---- the table -------------------------------------------------------------------

function renderRow(row, widths) {
  let out = '│ ';
  for (let i = 0; i < row.length; i++) {
    const cell = row[i];
    out += cell + ' '.repeat(widths[i] - getStringWidth(cell));
    if (i !== row.length - 1) out += ' │ ';
  }
  return `${out} │`;
}

function renderTable(head, columns) {
  const rows = [];
  const widths = head.map((h) => getStringWidth(h));
  const longest = Math.max(...columns.map((c) => c.length));
  for (let i = 0; i < head.length; i++) {
    const column = columns[i];
    for (let j = 0; j < longest; j++) {
      if (rows[j] === undefined) rows[j] = [];
      const value = rows[j][i] = Object.prototype.hasOwnProperty.call(column, j) ? column[j] : '';
      widths[i] = Math.max(widths[i] || 0, getStringWidth(value));
    }
  }
  const divider = widths.map((w) => '─'.repeat(w + 2));
  let out = `┌${divider.join('┬')}┐\n${renderRow(head, widths)}\n├${divider.join('┼')}┤\n`;
  for (const row of rows) out += `${renderRow(row, widths)}\n`;
  out += `└${divider.join('┴')}┘`;
  return out;
}

// ---- Console ------------------------------------------------------------------------

// Node's order of the methods (what Object.keys(console) shows); the five
// printing methods publish their arguments on the diagnostics channels
// console.log … console.error first.
const consoleMethods = {};
for (const [name, useStderr] of [['log', false], ['info', false], ['debug', false], ['warn', true],
  ['error', true]]) {
  let channel;
  consoleMethods[name] = {
    [name](...args) {
      if (channel === undefined) channel = require('./diagnostics_channel').channel(`console.${name}`);
      if (channel.hasSubscribers) channel.publish(args);
      this[kWrite](useStderr, this[kFormat](useStderr, args));
    },
  }[name];
}
Object.assign(consoleMethods, {

  dir(object, options) {
    this[kWrite](false, inspect(object, {
      customInspect: false, ...this[kGetInspectOptions](false), ...options,
    }));
  },

  time(label = 'default') {
    label = `${label}`;
    const times = this[kTimes];
    if (times.has(label)) {
      process.emitWarning(`Label '${label}' already exists for console.time()`);
      return;
    }
    times.set(label, hrtimeNow());
  },

  timeEnd(label = 'default') {
    label = `${label}`;
    if (this[kTimeLog]('timeEnd', label, undefined)) this[kTimes].delete(label);
  },

  timeLog(label = 'default', ...data) {
    label = `${label}`;
    this[kTimeLog]('timeLog', label, data);
  },

  trace: function trace(...args) {
    const err = { name: 'Trace', message: this[kFormat](true, args) };
    Error.captureStackTrace(err, trace);
    this.error(err.stack);
  },

  assert(expression, ...args) {
    if (!expression) {
      if (args.length !== 0 && typeof args[0] === 'string') args[0] = `Assertion failed: ${args[0]}`;
      else args.unshift('Assertion failed');
      Reflect.apply(this.warn, this, args);
    }
  },

  clear() {
    const stream = this[kGetStdout]();
    if (stream && stream.isTTY && runtimeEnv().TERM !== 'dumb') {
      this[kGroupIndent] = '';
      stream.write('\u001b[1;1H\u001b[0J');
    }
  },

  count(label = 'default') {
    label = `${label}`;
    const counts = this[kCounts];
    let count = counts.get(label);
    count = count === undefined ? 1 : count + 1;
    counts.set(label, count);
    this.log(`${label}: ${count}`);
  },

  countReset(label = 'default') {
    label = `${label}`;
    const counts = this[kCounts];
    if (!counts.has(label)) {
      process.emitWarning(`Count for '${label}' does not exist`);
      return;
    }
    counts.delete(label);
  },

  group(...data) {
    if (data.length > 0) Reflect.apply(this.log, this, data);
    this[kGroupIndent] += ' '.repeat(this[kGroupIndentationWidth]);
  },

  groupEnd() {
    this[kGroupIndent] = this[kGroupIndent].slice(
      0, this[kGroupIndent].length - this[kGroupIndentationWidth]);
  },

  table(tabularData, properties) {
    if (properties !== undefined && !Array.isArray(properties)) {
      throw codes.ERR_INVALID_ARG_TYPE('properties', 'Array', properties);
    }
    if (tabularData === null || typeof tabularData !== 'object') return this.log(tabularData);
    const final = (k, v) => this.log(renderTable(k, v));
    const inspectCell = (v) => {
      const depth = v !== null && typeof v === 'object' && !Array.isArray(v) &&
        Object.keys(v).length > 2 ? -1 : 0;
      return inspect(v, {
        depth, maxArrayLength: 3, breakLength: Infinity, ...this[kGetInspectOptions](false),
      });
    };
    const indexArray = (length) => Array.from({ length }, (_, i) => inspectCell(i));

    const mapIter = types.isMapIterator(tabularData);
    let isKeyValue = false;
    if (mapIter) {
      const res = natives.previewEntries(tabularData, true);
      tabularData = res[0];
      isKeyValue = res[1];
    }
    if (isKeyValue || types.isMap(tabularData)) {
      const keys = [];
      const values = [];
      let length = 0;
      if (mapIter) {
        for (let i = 0; i < tabularData.length / 2; ++i) {
          keys.push(inspectCell(tabularData[i * 2]));
          values.push(inspectCell(tabularData[i * 2 + 1]));
          length++;
        }
      } else {
        for (const [k, v] of tabularData) {
          keys.push(inspectCell(k));
          values.push(inspectCell(v));
          length++;
        }
      }
      return final(['(iteration index)', 'Key', 'Values'], [indexArray(length), keys, values]);
    }

    const setIter = types.isSetIterator(tabularData);
    if (setIter) tabularData = natives.previewEntries(tabularData);
    if (setIter || mapIter || types.isSet(tabularData)) {
      const values = [];
      for (const v of tabularData) values.push(inspectCell(v));
      return final(['(iteration index)', 'Values'], [indexArray(values.length), values]);
    }

    const map = Object.create(null);
    let hasPrimitives = false;
    const valuesKeyArray = [];
    const indexKeyArray = Object.keys(tabularData);
    for (let i = 0; i < indexKeyArray.length; i++) {
      const item = tabularData[indexKeyArray[i]];
      const primitive = item === null || (typeof item !== 'function' && typeof item !== 'object');
      if (properties === undefined && primitive) {
        hasPrimitives = true;
        valuesKeyArray[i] = inspectCell(item);
      } else {
        const keys = properties || Object.keys(item);
        for (const key of keys) {
          if (map[key] === undefined) map[key] = [];
          if ((primitive && properties) || !Object.prototype.hasOwnProperty.call(item, key)) {
            map[key][i] = '';
          } else {
            map[key][i] = inspectCell(item[key]);
          }
        }
      }
    }
    const keys = Object.keys(map);
    const values = Object.values(map);
    if (hasPrimitives) {
      keys.push('Values');
      values.push(valuesKeyArray);
    }
    keys.unshift('(index)');
    values.unshift(indexKeyArray);
    return final(keys, values);
  },
});
consoleMethods.dirxml = consoleMethods.log;
consoleMethods.groupCollapsed = consoleMethods.group;

const kWrite = Symbol('kWrite');
const kFormat = Symbol('kFormat');
const kGetInspectOptions = Symbol('kGetInspectOptions');
const kTimes = Symbol('kTimes');
const kTimeLog = Symbol('kTimeLog');

const internals = {
  [kWrite](useStderr, string) {
    const stream = useStderr ? this[kGetStderr]() : this[kGetStdout]();
    const indent = this[kGroupIndent];
    if (indent.length !== 0) {
      if (string.includes('\n')) string = string.replace(/\n/g, `\n${indent}`);
      string = indent + string;
    }
    string += '\n';
    if (this[kIgnoreErrors] === false) {
      stream.write(string);
      return;
    }
    let addedNoop = false;
    try {
      if (typeof stream.listenerCount === 'function' && typeof stream.once === 'function' &&
          stream.listenerCount('error') === 0) {
        stream.once('error', noop);
        addedNoop = true;
      }
      // an error the write reports before the stream emitted it gets a
      // listener, so it does not become uncaught
      stream.write(string, useStderr ? this[kStderrErrorHandler] : this[kStdoutErrorHandler]);
    } catch (err) {
      if (err instanceof RangeError && /call stack/i.test(err.message)) throw err;
    } finally {
      if (addedNoop && typeof stream.removeListener === 'function') stream.removeListener('error', noop);
    }
  },

  [kGetInspectOptions](useStderr) {
    let color = this[kColorMode];
    if (color === 'auto') {
      color = shouldColorize(useStderr ? this[kGetStderr]() : this[kGetStdout]());
    }
    const options = this[kInspectOptions];
    if (options) {
      if (options.colors === undefined) return { ...options, colors: color };
      return options;
    }
    return color ? { colors: true } : {};
  },

  [kFormat](useStderr, args) {
    return formatWithOptions(this[kGetInspectOptions](useStderr), ...args);
  },

  [kTimeLog](name, label, data) {
    const start = this[kTimes].get(label);
    if (start === undefined) {
      process.emitWarning(`No such label '${label}' for console.${name}()`);
      return false;
    }
    const formatted = formatTime(elapsedMs(start));
    if (data === undefined) this.log('%s: %s', label, formatted);
    else this.log('%s: %s', label, formatted, ...data);
    return true;
  },
};

const kStdoutErrorHandler = Symbol('kStdoutErrorHandler');
const kStderrErrorHandler = Symbol('kStderrErrorHandler');

// A write's callback: an error the stream has not emitted yet gets a
// listener, so it does not become uncaught.
function writeErrorHandler(getStream) {
  return (err) => {
    const stream = getStream();
    if (err !== null && err !== undefined && !(stream._writableState && stream._writableState.errorEmitted) &&
        typeof stream.listenerCount === 'function' && stream.listenerCount('error') === 0) {
      stream.once('error', noop);
    }
  };
}

// Sets up `target` as a console over the given stream getters.
function initConsole(target, getStdout, getStderr, opts) {
  const define = (key, value) => Object.defineProperty(target, key, {
    value, writable: true, enumerable: false, configurable: true,
  });
  define(kGetStdout, getStdout);
  define(kGetStderr, getStderr);
  define(kIgnoreErrors, opts.ignoreErrors !== false);
  define(kColorMode, opts.colorMode === undefined ? 'auto' : opts.colorMode);
  define(kInspectOptions, opts.inspectOptions);
  define(kGroupIndent, '');
  define(kGroupIndentationWidth, opts.groupIndentation === undefined ? 2 : opts.groupIndentation);
  define(kCounts, new Map());
  define(kTimes, new Map());
  // one handler per stream (a writable batches the callbacks of
  // consecutive writes that share one)
  define(kStdoutErrorHandler, writeErrorHandler(getStdout));
  define(kStderrErrorHandler, writeErrorHandler(getStderr));
  for (const key of Object.getOwnPropertySymbols(internals)) define(key, internals[key]);
}

function bindMethods(target, receiver) {
  for (const key of Object.keys(consoleMethods)) {
    const fn = consoleMethods[key].bind(receiver);
    Object.defineProperty(fn, 'name', { value: key });
    target[key] = fn;
  }
}

function Console(options, stderr = undefined, ignoreErrors = undefined) {
  if (!new.target) return Reflect.construct(Console, arguments);
  if (!options || typeof options.write === 'function') {
    options = { stdout: options, stderr, ignoreErrors };
  }
  const { stdout, stderr: errStream = stdout, ignoreErrors: ignore = true, colorMode = 'auto',
    inspectOptions, groupIndentation } = options;
  if (!isWritable(stdout)) throw codes.ERR_CONSOLE_WRITABLE_STREAM('stdout');
  if (!isWritable(errStream)) throw codes.ERR_CONSOLE_WRITABLE_STREAM('stderr');
  validateOneOf(colorMode, 'colorMode', ['auto', true, false]);
  if (groupIndentation !== undefined) {
    if (typeof groupIndentation !== 'number') {
      throw codes.ERR_INVALID_ARG_TYPE('groupIndentation', 'number', groupIndentation);
    }
    if (!Number.isInteger(groupIndentation) || groupIndentation < 0 || groupIndentation > 1000) {
      throw codes.ERR_OUT_OF_RANGE('groupIndentation', '>= 0 && <= 1000', groupIndentation);
    }
  }
  if (inspectOptions !== undefined) {
    if (inspectOptions === null || typeof inspectOptions !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('options.inspectOptions', 'object', inspectOptions);
    }
    if (inspectOptions.colors !== undefined && options.colorMode !== undefined) {
      throw codes.ERR_INCOMPATIBLE_OPTION_PAIR('options.inspectOptions.color', 'colorMode');
    }
  }
  for (const [key, value] of [['_stdout', stdout], ['_stderr', errStream]]) {
    Object.defineProperty(this, key, { value, writable: true, enumerable: false, configurable: true });
  }
  initConsole(this, () => this._stdout, () => this._stderr,
    { ignoreErrors: ignore, colorMode, inspectOptions, groupIndentation });
  // the methods found through the instance, so a subclass's overrides are
  // the ones bound
  for (const key of Object.keys(Console.prototype)) {
    this[key] = this[key].bind(this);
    Object.defineProperty(this[key], 'name', { value: key });
  }
}

for (const key of Object.keys(consoleMethods)) {
  Object.defineProperty(Console.prototype, key, {
    value: consoleMethods[key], writable: true, enumerable: true, configurable: true,
  });
}

// ---- the global console ----------------------------------------------------------

function createGlobalConsole() {
  const target = {};
  // _stdout/_stderr: process.stdout/stderr when first read (at run time),
  // or what the program puts there
  let stdout;
  let stderr;
  Object.defineProperties(target, {
    _stdout: {
      get() { return stdout === undefined ? (stdout = process.stdout) : stdout; },
      set(value) { stdout = value; },
      enumerable: false, configurable: true,
    },
    _stderr: {
      get() { return stderr === undefined ? (stderr = process.stderr) : stderr; },
      set(value) { stderr = value; },
      enumerable: false, configurable: true,
    },
  });
  initConsole(target, () => target._stdout, () => target._stderr, {});
  bindMethods(target, target);
  const extras = {
    Console,
    profile() {},
    profileEnd() {},
    timeStamp() {},
    context(name) {
      const ctx = {};
      initConsole(ctx, () => process.stdout, () => process.stderr, {});
      bindMethods(ctx, ctx);
      return ctx;
    },
    createTask(name) {
      return {
        run(fn) {
          return fn();
        },
      };
    },
  };
  for (const key of Object.keys(extras)) target[key] = extras[key];
  Object.defineProperty(target, Symbol.toStringTag, {
    value: 'console', writable: false, enumerable: false, configurable: true,
  });
  return target;
}

const globalConsole = createGlobalConsole();

Object.defineProperty(Console, Symbol.hasInstance, {
  value(instance) {
    return instance === globalConsole ||
      (instance !== null && typeof instance === 'object' &&
       Object.prototype.isPrototypeOf.call(Console.prototype, instance));
  },
});

module.exports = globalConsole;
