'use strict';
// node/internal/test_runner/reporters.js — node:test/reporters: tap and dot
// (async generators over the event stream, as Node's) and spec (a
// Transform made by the exported function), in Node 22.14's text (its
// lib/internal/test_runner/reporter/{tap,spec,dot}.js, written anew). The
// failure details of tap are Node's YAML (jsToYaml): duration, type,
// location, the failure type, the error's message, code, name,
// expected/actual/operator of an assertion and the stack's frames.

const { Transform } = require('stream');
const path = require('path');
const { inspect } = require('util');

const kUnwrapErrors = new Set(['testCodeFailure', 'hookFailed']);
const inspectOptions = { colors: false, breakLength: Infinity };
const kLineBreak = /\r?\n/;
const kFrameStart = /^ {4}at /;

function isErrorLike(value) {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function isAssertionError(value) {
  return isErrorLike(value) && value.code === 'ERR_ASSERTION';
}

// ---- tap ------------------------------------------------------------------------------

function indent(nesting) {
  return '    '.repeat(Math.max(0, nesting));
}

function tapEscape(input) {
  let result = String(input).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
  result = result.replace(/\x08/g, '\\b').replace(/\f/g, '\\f').replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\v/g, '\\v');
  return result;
}

function directiveOf(data) {
  if (data.skip !== undefined) {
    return ` # SKIP${typeof data.skip === 'string' && data.skip.length ? ` ${tapEscape(data.skip)}` : ''}`;
  }
  if (data.todo !== undefined) {
    return ` # TODO${typeof data.todo === 'string' && data.todo.length ? ` ${tapEscape(data.todo)}` : ''}`;
  }
  return '';
}

function jsToYaml(ind, name, value, seen) {
  if (value === undefined) return '';
  const prefix = `${ind}  ${name}:`;
  if (value === null) return `${prefix} ~\n`;
  if (typeof value !== 'object') {
    if (typeof value !== 'string') return `${prefix} ${inspect(value, inspectOptions)}\n`;
    const lines = value.split(kLineBreak);
    if (lines.length === 1) return `${prefix} ${inspect(value, inspectOptions)}\n`;
    let str = `${prefix} |-\n`;
    for (const line of lines) str += `${ind}    ${line}\n`;
    return str;
  }
  seen.add(value);
  const isErrorObj = isErrorLike(value);
  let result = '';
  let propsIndent = ind;
  if (name !== null) {
    result += `${prefix}\n`;
    propsIndent += '  ';
  }
  for (const [key, v] of Object.entries(value)) {
    if (isErrorObj && (key === 'cause' || key === 'code')) continue;
    if (seen.has(v)) {
      result += `${propsIndent}  ${key}: <Circular>\n`;
      continue;
    }
    result += jsToYaml(propsIndent, key, v, seen);
  }
  if (isErrorObj) {
    const { cause, code, failureType, message, expected, actual, operator, stack, name: errorName } = value;
    let errMsg = message ?? '<unknown error>';
    let errName = errorName;
    let errStack = stack;
    let errCode = code;
    let errExpected = expected;
    let errActual = actual;
    let errOperator = operator;
    let errIsAssertion = isAssertionError(value);
    if (code === 'ERR_TEST_FAILURE' && kUnwrapErrors.has(failureType)) {
      errStack = cause?.stack ?? errStack;
      errCode = cause?.code ?? errCode;
      errName = cause?.name ?? errName;
      errMsg = cause?.message ?? errMsg;
      if (isAssertionError(cause)) {
        errExpected = cause.expected;
        errActual = cause.actual;
        errOperator = cause.operator ?? errOperator;
        errIsAssertion = true;
      }
    }
    result += jsToYaml(ind, 'error', errMsg, seen);
    if (errCode) result += jsToYaml(ind, 'code', errCode, seen);
    if (errName && errName !== 'Error') result += jsToYaml(ind, 'name', errName, seen);
    if (errIsAssertion) {
      result += jsToYaml(ind, 'expected', errExpected, new Set(seen));
      result += jsToYaml(ind, 'actual', errActual, new Set(seen));
      if (errOperator) result += jsToYaml(ind, 'operator', errOperator, seen);
    }
    if (typeof errStack === 'string') {
      const frames = [];
      for (const frame of errStack.split(kLineBreak)) {
        const processed = frame.replace(kFrameStart, '');
        if (processed.length > 0 && processed.length !== frame.length) frames.push(processed);
      }
      if (frames.length > 0) {
        const delimiter = `\n${ind}    `;
        result += `${ind}  stack: |-${delimiter}${frames.join(delimiter)}\n`;
      }
    }
  }
  seen.delete(value);
  return result;
}

function reportDetails(nesting, data = {}, location) {
  const ind = indent(nesting);
  let details = `${ind}  ---\n`;
  details += jsToYaml(ind, 'duration_ms', data.duration_ms);
  details += jsToYaml(ind, 'type', data.type);
  if (location) details += jsToYaml(ind, 'location', location);
  details += jsToYaml(ind, null, data.error, new Set());
  details += `${ind}  ...\n`;
  return details;
}

function reportTest(nesting, testNumber, status, name, skip, todo, details, location) {
  const data = { skip, todo };
  let line = `${indent(nesting)}${status} ${testNumber}`;
  if (name) line += ` - ${tapEscape(`${name}`)}`;
  line += directiveOf(data);
  return `${line}\n${details ? reportDetails(nesting, details, location) : ''}`;
}

async function* tap(source) {
  yield 'TAP version 13\n';
  for await (const { type, data } of source) {
    switch (type) {
      case 'test:fail': {
        const location = data.file ? `${data.file}:${data.line}:${data.column}` : undefined;
        yield reportTest(data.nesting, data.testNumber, 'not ok', data.name, data.skip, data.todo,
          data.details, location);
        break;
      }
      case 'test:pass':
        yield reportTest(data.nesting, data.testNumber, 'ok', data.name, data.skip, data.todo, data.details);
        break;
      case 'test:plan':
        yield `${indent(data.nesting)}1..${data.count}\n`;
        break;
      case 'test:start':
        yield `${indent(data.nesting)}# Subtest: ${tapEscape(data.name)}\n`;
        break;
      case 'test:stderr':
      case 'test:stdout': {
        for (const line of data.message.split(kLineBreak)) {
          if (line.length > 0) yield `# ${tapEscape(line)}\n`;
        }
        break;
      }
      case 'test:diagnostic':
        yield `${indent(data.nesting)}# ${tapEscape(data.message)}\n`;
        break;
      default:
        break;
    }
  }
}

// ---- dot ------------------------------------------------------------------------------

async function* dot(source) {
  let count = 0;
  const failed = [];
  for await (const { type, data } of source) {
    if (type === 'test:pass') yield '.';
    if (type === 'test:fail') {
      yield 'X';
      failed.push(data);
    }
    if ((type === 'test:fail' || type === 'test:pass') && ++count === 20) {
      yield '\n';
      count = 0;
    }
  }
  yield '\n';
  if (failed.length > 0) {
    yield '\nFailed tests:\n\n';
    for (const data of failed) yield formatFailure(data, '');
  }
}

// ---- spec -----------------------------------------------------------------------------

const symbols = {
  pass: '\u2714 ', fail: '\u2716 ', skip: '\ufe63 ', todo: '\u2714 ', info: '\u2139 ', suite: '\u25b6 ',
};

function errorOf(data) {
  const err = data.details?.error;
  if (err && err.code === 'ERR_TEST_FAILURE' && kUnwrapErrors.has(err.failureType) && err.cause !== undefined) {
    return err.cause;
  }
  return err;
}

function formatFailure(data, prefix) {
  const err = errorOf(data);
  let text = inspect(err, { colors: false, breakLength: Infinity });
  text = text.split('\n').map((l) => `${prefix}  ${l}`).join('\n');
  return `${prefix}${symbols.fail}${data.name} (${data.details.duration_ms}ms)\n${text}\n`;
}

class SpecReporter extends Transform {
  #stack = [];
  #reported = [];
  #failures = [];
  #cwd = process.cwd();

  constructor() {
    super({ writableObjectMode: true });
  }

  #header(data) {
    // the parents not told yet, outermost first
    let out = '';
    for (let i = 0; i < this.#stack.length; i++) {
      const entry = this.#stack[i];
      if (entry.told || entry.data.nesting >= data.nesting) continue;
      entry.told = true;
      out += `${'  '.repeat(entry.data.nesting)}${symbols.suite}${entry.data.name}\n`;
    }
    return out;
  }

  #result(type, data) {
    const top = this.#stack.pop();
    let out = this.#header(data);
    const ind = '  '.repeat(data.nesting);
    const duration = ` (${data.details.duration_ms}ms)`;
    let symbol = type === 'test:pass' ? symbols.pass : symbols.fail;
    let directive = '';
    if (data.skip !== undefined) {
      symbol = symbols.skip;
      directive = ` # ${typeof data.skip === 'string' && data.skip.length ? data.skip : 'SKIP'}`;
    } else if (data.todo !== undefined) {
      symbol = symbols.todo;
      directive = ` # ${typeof data.todo === 'string' && data.todo.length ? data.todo : 'TODO'}`;
    }
    if (top && top.told && data.details.type === 'suite' && type === 'test:pass') {
      out += `${ind}${symbol}${data.name}${duration}${directive}\n`;
    } else {
      out += `${ind}${symbol}${data.name}${duration}${directive}\n`;
    }
    if (type === 'test:fail' && data.details.error?.failureType !== 'subtestsFailed') {
      this.#failures.push(data);
    }
    return out;
  }

  _transform({ type, data }, encoding, callback) {
    let out = '';
    switch (type) {
      case 'test:start':
        this.#stack.push({ data, told: false });
        break;
      case 'test:pass':
      case 'test:fail':
        out = this.#result(type, data);
        break;
      case 'test:diagnostic':
        out = `${'  '.repeat(data.nesting)}${symbols.info}${data.message}\n`;
        break;
      default:
        break;
    }
    callback(null, out);
  }

  _flush(callback) {
    if (this.#failures.length === 0) {
      callback(null, '');
      return;
    }
    let out = `\n${symbols.fail}failing tests:\n\n`;
    for (const data of this.#failures) {
      if (data.file) {
        const file = path.relative(this.#cwd, data.file);
        out += `test at ${file}:${data.line}:${data.column}\n`;
      }
      out += formatFailure(data, '');
      out += '\n';
    }
    callback(null, out);
  }
}

function spec() {
  return new SpecReporter();
}

module.exports = { tap, dot, spec, SpecReporter };
