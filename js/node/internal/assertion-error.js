// node/internal/assertion-error.js — assert.AssertionError.
//
// Own code reproducing the messages of Node 22.14's AssertionError (checked
// with tests/matrix/fixtures/mod-assert*): for strictEqual / deepStrictEqual
// the two values inspected with { compact: false, depth: 1000, sorted:
// true, getters: true }; one-line values short enough (quotes not counted)
// as `1 !== 2`, else stacked `+`/`-` lines with a `^` under the first
// difference of two strings; several lines as a Myers line diff with runs of
// equal lines cut; a custom message replaces the title but keeps the diff;
// other operators print `actual <op> expected` or the loosely-deep-equal
// forms. Colours only when stderr would get them.
'use strict';

const { codes } = require('./errors');
const { shouldColorize } = require('./util');

const kInspect = Symbol.for('nodejs.util.inspect.custom');

const kReadableOperator = {
  deepStrictEqual: 'Expected values to be strictly deep-equal:',
  strictEqual: 'Expected values to be strictly equal:',
  strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
  deepEqual: 'Expected values to be loosely deep-equal:',
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notIdentical: 'Values have same structure but are not reference-equal:',
  notDeepEqualUnequal: 'Expected values not to be loosely deep-equal:',
};

const kMaxShortLength = 12;
const kMaxLines = 50;

const noColors = { blue: '', green: '', red: '', white: '', hasColors: false };
let colors = noColors;

function refreshColors() {
  const on = typeof process !== 'undefined' && process.stderr && shouldColorize(process.stderr);
  colors = on
    ? { blue: '\u001b[34m', green: '\u001b[32m', red: '\u001b[31m', white: '\u001b[39m', hasColors: true }
    : noColors;
}

function lazyUtil() {
  return require('../util');
}

function inspectValue(value) {
  return lazyUtil().inspect(value, {
    compact: false,
    customInspect: false,
    depth: 1000,
    maxArrayLength: Infinity,
    showHidden: false,
    showProxy: false,
    sorted: true,
    getters: true,
  });
}

function isObjectLike(v) {
  return typeof v === 'object' && v !== null;
}

function copyError(source) {
  const target = Object.assign(Object.create(Object.getPrototypeOf(source)), source);
  Object.defineProperty(target, 'message', { __proto__: null, value: source.message });
  return target;
}

// ---- Node 22's diff ------------------------------------------------------------
// Lines are compared with Myers' shortest edit script; equal lines are
// `nop`s (at most five printed in a row, longer runs cut to `...` and the
// run's last line), additions of the actual `+`, of the expected `-`. For
// objects a line and the same line with a trailing comma count as equal.

const kNopLinesToCollapse = 5;

function linesEqual(a, b, commaLoose) {
  return a === b || (commaLoose && (`${a},` === b || a === `${b},`));
}

// The edit script from actual to expected, in order: { type, value }.
function myersDiff(actual, expected, commaLoose = false) {
  const n = actual.length;
  const m = expected.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const fromAbove = k === -d || (k !== d && v[max + k - 1] < v[max + k + 1]);
      let x = fromAbove ? v[max + k + 1] : v[max + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && linesEqual(actual[x], expected[y], commaLoose)) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) return editsBack(trace, actual, expected, commaLoose);
    }
  }
  return [];
}

function editsBack(trace, actual, expected, commaLoose) {
  const max = actual.length + expected.length;
  let x = actual.length;
  let y = expected.length;
  const out = [];
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[max + k - 1] < v[max + k + 1]) ? k + 1 : k - 1;
    const prevX = v[max + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      const line = actual[x - 1];
      out.push({ type: 'nop', value: !commaLoose || line.endsWith(',') ? line : expected[y - 1] });
      x--;
      y--;
    }
    if (d > 0) {
      if (x > prevX) {
        out.push({ type: 'insert', value: actual[x - 1] });
        x--;
      } else {
        out.push({ type: 'delete', value: expected[y - 1] });
        y--;
      }
    }
  }
  return out.reverse();
}

function printDiff(edits) {
  let message = '';
  let skipped = false;
  let nops = 0;
  for (let i = 0; i < edits.length; i++) {
    const { type, value } = edits[i];
    if (i > 0 && edits[i - 1].type === 'nop' && type !== 'nop') {
      // a cut run shows its last line; one or two lines are not worth a cut
      if (nops === kNopLinesToCollapse + 1) {
        message += `${colors.white}  ${edits[i - 1].value}\n`;
      } else if (nops === kNopLinesToCollapse + 2) {
        message += `${colors.white}  ${edits[i - 2].value}\n${colors.white}  ${edits[i - 1].value}\n`;
      } else if (nops >= kNopLinesToCollapse + 3) {
        message += `${colors.blue}...${colors.white}\n${colors.white}  ${edits[i - 1].value}\n`;
        skipped = true;
      }
      nops = 0;
    }
    if (type === 'insert') {
      message += `${colors.green}+${colors.white} ${value}\n`;
    } else if (type === 'delete') {
      message += `${colors.red}-${colors.white} ${value}\n`;
    } else {
      if (nops < kNopLinesToCollapse) message += `${colors.white}  ${value}\n`;
      nops++;
    }
  }
  return { message: `\n${message.trimEnd()}`, skipped };
}

// Two strings on a terminal with colours: one line, characters coloured.
function printCharDiff(edits) {
  let message = '';
  for (const { type, value } of edits) {
    const color = type === 'insert' ? colors.green : type === 'delete' ? colors.red : colors.white;
    message += `${color}${value}${colors.white}`;
  }
  return `\n${message}`;
}

function stackedDiff(actual, expected, bothStrings) {
  let message = `\n${colors.green}+${colors.white} ${actual}\n${colors.red}- ${colors.white}${expected}`;
  const width = process.stderr && process.stderr.isTTY ? process.stderr.columns : 80;
  if (bothStrings && actual.length + expected.length <= width) {
    for (let i = 0; i < actual.length; i++) {
      if (actual[i] !== expected[i]) {
        // the first characters (and the quote) make the difference plain
        if (i >= 3) message += `\n${' '.repeat(i + 2)}^`;
        break;
      }
    }
  }
  return message;
}

function createErrDiff(actual, expected, operator, customMessage) {
  if (operator === 'strictEqual' &&
      ((isObjectLike(actual) && isObjectLike(expected)) ||
       (typeof actual === 'function' && typeof expected === 'function'))) {
    operator = 'strictEqualObject';
  }
  const actualText = inspectValue(actual);
  const expectedText = inspectValue(expected);
  const actualLines = actualText.split('\n');
  const expectedLines = expectedText.split('\n');
  let header = `${colors.green}+ actual${colors.white} ${colors.red}- expected${colors.white}`;
  let message;
  let skipped = false;
  if (actualLines.length === 1 && expectedLines.length === 1 &&
      (!isObjectLike(actual) || !isObjectLike(expected))) {
    const a = actualLines[0];
    const b = expectedLines[0];
    const bothStrings = typeof actual === 'string' && typeof expected === 'string';
    const length = a.length + b.length - (typeof actual === 'string' ? 2 : 0) -
      (typeof expected === 'string' ? 2 : 0);
    if (length <= kMaxShortLength && (actual !== 0 || expected !== 0)) {
      message = `${a} !== ${b}`;
      header = '';
    } else if (bothStrings && colors.hasColors) {
      message = printCharDiff(myersDiff(a.split(''), b.split('')));
      header = `${colors.green}actual${colors.white} ${colors.red}expected${colors.white}`;
    } else {
      message = stackedDiff(a, b, bothStrings);
    }
  } else if (actualText === expectedText) {
    // the same structure, not the same object
    operator = 'notIdentical';
    if (actualLines.length > 50) {
      message = `${actualLines.slice(0, 50).join('\n')}\n...}`;
      skipped = true;
    } else {
      message = actualText;
    }
    header = '';
  } else {
    const printed = printDiff(myersDiff(actualLines, expectedLines, isObjectLike(actual)));
    message = printed.message;
    skipped = printed.skipped;
  }
  const title = customMessage || kReadableOperator[operator];
  return `${title}\n${header}${skipped ? '\n... Skipped lines' : ''}\n${message}\n`;
}

function addEllipsis(string) {
  const lines = string.split('\n', 11);
  if (lines.length > 10) {
    lines.length = 10;
    return `${lines.join('\n')}\n...`;
  }
  if (string.length > 512) return `${string.slice(512)}...`;
  return string;
}

function buildMessage(options) {
  const { message, operator } = options;
  let { actual, expected } = options;
  if (message != null) {
    if (operator === 'deepStrictEqual' || operator === 'strictEqual') {
      return [createErrDiff(actual, expected, operator, message), actual, expected];
    }
    return [String(message), actual, expected];
  }
  refreshColors();
  if (isObjectLike(actual) && isObjectLike(expected) && 'stack' in actual && actual instanceof Error &&
      'stack' in expected && expected instanceof Error) {
    actual = copyError(actual);
    expected = copyError(expected);
  }
  if (operator === 'deepStrictEqual' || operator === 'strictEqual') {
    return [createErrDiff(actual, expected, operator), actual, expected];
  }
  if (operator === 'notDeepStrictEqual' || operator === 'notStrictEqual') {
    let base = kReadableOperator[operator];
    const lines = inspectValue(actual).split('\n');
    if (operator === 'notStrictEqual' && (isObjectLike(actual) || typeof actual === 'function')) {
      base = kReadableOperator.notStrictEqualObject;
    }
    if (lines.length > kMaxLines) {
      lines.length = 47;
      lines[46] = `${colors.blue}...${colors.white}`;
    }
    if (lines.length === 1) {
      return [`${base}${lines[0].length > 5 ? '\n\n' : ' '}${lines[0]}`, actual, expected];
    }
    return [`${base}\n\n${lines.join('\n')}\n`, actual, expected];
  }
  let res = inspectValue(actual);
  let other = inspectValue(expected);
  const known = kReadableOperator[operator];
  if (operator === 'notDeepEqual' && res === other) {
    res = `${known}\n\n${res}`;
    if (res.length > 1024) res = `${res.slice(0, 1021)}...`;
    return [res, actual, expected];
  }
  if (res.length > 512) res = `${res.slice(0, 509)}...`;
  if (other.length > 512) other = `${other.slice(0, 509)}...`;
  if (operator === 'deepEqual') {
    res = `${known}\n\n${res}\n\nshould loosely deep-equal\n\n`;
  } else {
    const unequal = kReadableOperator[`${operator}Unequal`];
    if (unequal) res = `${unequal}\n\n${res}\n\nshould not loosely deep-equal\n\n`;
    else other = ` ${operator} ${other}`;
  }
  return [`${res}${other}`, actual, expected];
}

class AssertionError extends Error {
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    const { message, operator, stackStartFn, details, stackStartFunction } = options;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let built;
    try {
      built = buildMessage(options);
    } finally {
      Error.stackTraceLimit = limit;
    }
    super(built[0]);
    this.generatedMessage = !message;
    // descriptors without a prototype: a guest's Object.prototype.get does not
    // turn them into accessors
    Object.defineProperty(this, 'name', {
      __proto__: null, value: 'AssertionError [ERR_ASSERTION]', enumerable: false, writable: true, configurable: true,
    });
    this.code = 'ERR_ASSERTION';
    if (details) {
      this.actual = undefined;
      this.expected = undefined;
      this.operator = undefined;
      for (let i = 0; i < details.length; i++) {
        this[`message ${i}`] = details[i].message;
        this[`actual ${i}`] = details[i].actual;
        this[`expected ${i}`] = details[i].expected;
        this[`operator ${i}`] = details[i].operator;
        this[`stack trace ${i}`] = details[i].stack;
      }
    } else {
      this.actual = built[1];
      this.expected = built[2];
      this.operator = operator;
    }
    Error.captureStackTrace(this, stackStartFn || stackStartFunction);
    this.stack; // eslint-disable-line no-unused-expressions
    this.name = 'AssertionError';
  }

  toString() {
    return `${this.name} [${this.code}]: ${this.message}`;
  }

  [kInspect](recurseTimes, ctx) {
    const actual = this.actual;
    const expected = this.expected;
    if (typeof actual === 'string') this.actual = addEllipsis(actual);
    if (typeof expected === 'string') this.expected = addEllipsis(expected);
    const out = lazyUtil().inspect(this, { ...ctx, customInspect: false, depth: 0 });
    this.actual = actual;
    this.expected = expected;
    return out;
  }
}

module.exports = { AssertionError };
