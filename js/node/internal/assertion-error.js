// node/internal/assertion-error.js — assert.AssertionError.
//
// Own code reproducing the messages of the AssertionError in host Node
// (v20.20, checked with tests/matrix/fixtures/mod-assert*): for strictEqual /
// deepStrictEqual a line diff of the two values inspected with
// { compact: false, depth: 1000, sorted: true, getters: true } — short
// primitives as `1 !== 2`, single lines with a `^` under the first
// difference, runs of identical lines collapsed to two lines of context
// and `...`, identical trailing lines kept up to three; a custom message
// replaces the title but keeps the diff; other operators print
// `actual <op> expected` or the loosely-deep-equal forms. Node 22.13+
// prints deep diffs with a Myers diff instead; this module follows the host
// Node the tests run against. Colours only when stderr would get them.
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

let colors = { blue: '', green: '', red: '', white: '' };

function refreshColors() {
  const on = typeof process !== 'undefined' && process.stderr && shouldColorize(process.stderr);
  colors = on
    ? { blue: '\u001b[34m', green: '\u001b[32m', red: '\u001b[31m', white: '\u001b[39m' }
    : { blue: '', green: '', red: '', white: '' };
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

function removeColors(s) {
  return s.replace(/\u001b\[\d\d?m/g, '');
}

function isObjectLike(v) {
  return typeof v === 'object' && v !== null;
}

function copyError(source) {
  const target = Object.assign(Object.create(Object.getPrototypeOf(source)), source);
  Object.defineProperty(target, 'message', { value: source.message });
  return target;
}

// Lines of context printed before a diverging line, after `same` identical
// lines (the first two of a run are printed when they are seen).
function context(lines, i, same) {
  if (same <= 2) return { text: '', printed: 0, skipped: false };
  let text = '';
  let printed = 0;
  let skipped = false;
  if (same >= 4) {
    if (same === 5) {
      text += `\n  ${lines[i - 3]}`;
      printed++;
    } else if (same > 5) {
      text += `\n${colors.blue}...${colors.white}`;
      skipped = true;
    }
    text += `\n  ${lines[i - 2]}`;
    printed++;
  }
  text += `\n  ${lines[i - 1]}`;
  printed++;
  return { text, printed, skipped };
}

function createErrDiff(actual, expected, operator, customMessage = '') {
  const actualText = inspectValue(actual);
  const actualLines = actualText.split('\n');
  const expectedLines = inspectValue(expected).split('\n');
  if (operator === 'strictEqual' &&
      ((isObjectLike(actual) && isObjectLike(expected)) ||
       (typeof actual === 'function' && typeof expected === 'function'))) {
    operator = 'strictEqualObject';
  }
  const title = customMessage || kReadableOperator[operator];
  let indicator = '';

  if (actualLines.length === 1 && expectedLines.length === 1 && actualLines[0] !== expectedLines[0]) {
    const colored = lazyUtil().inspect.defaultOptions.colors;
    const a = colored ? removeColors(actualLines[0]) : actualLines[0];
    const b = colored ? removeColors(expectedLines[0]) : expectedLines[0];
    const total = a.length + b.length;
    if (total <= kMaxShortLength) {
      if (!isObjectLike(actual) && !isObjectLike(expected) && (actual !== 0 || expected !== 0)) {
        return `${title}\n\n${actualLines[0]} !== ${expectedLines[0]}\n`;
      }
    } else if (operator !== 'strictEqualObject') {
      const width = process.stderr && process.stderr.isTTY ? process.stderr.columns : 80;
      if (total < width) {
        let k = 0;
        while (a[k] === b[k]) k++;
        if (k > 2) indicator = `\n  ${' '.repeat(k)}^`;
      }
    }
  }

  // Identical trailing lines: keep the last three, remember one more, and
  // mark the rest as skipped.
  let end = '';
  let extra = '';
  let trailing = 0;
  let skipped = false;
  while (actualLines.length > 0 && expectedLines.length > 0 &&
         actualLines[actualLines.length - 1] === expectedLines[expectedLines.length - 1]) {
    const line = actualLines.pop();
    expectedLines.pop();
    if (trailing++ < 3) end = `\n  ${line}${end}`;
    else extra = line;
  }
  const maxLines = Math.max(actualLines.length, expectedLines.length);
  if (maxLines === 0) {
    const lines = actualText.split('\n');
    if (lines.length > kMaxLines) {
      lines.length = 47;
      lines[46] = `${colors.blue}...${colors.white}`;
    }
    return `${kReadableOperator.notIdentical}\n\n${lines.join('\n')}\n`;
  }
  if (trailing >= 5) {
    end = `\n${colors.blue}...${colors.white}${end}`;
    skipped = true;
  }
  if (extra !== '') end = `\n  ${extra}${end}`;

  const head = `${title}\n${colors.green}+ actual${colors.white} ${colors.red}- expected${colors.white}`;
  const skippedNote = ` ${colors.blue}...${colors.white} Lines skipped`;
  const actualLonger = actualLines.length >= maxLines;
  const longer = actualLonger ? actualLines : expectedLines;
  const sign = actualLonger ? `${colors.green}+${colors.white}` : `${colors.red}-${colors.white}`;
  const common = actualLonger ? expectedLines.length : actualLines.length;
  let res = '';
  let pending = '';
  let printed = 0;
  let same = 0;

  for (let i = 0; i < maxLines; i++) {
    if (i >= common) {
      const ctx = context(longer, i, same);
      res += ctx.text;
      printed += ctx.printed;
      skipped = skipped || ctx.skipped;
      same = 0;
      if (actualLonger) res += `\n${sign} ${longer[i]}`;
      else pending += `\n${sign} ${longer[i]}`;
      printed++;
    } else {
      const expectedLine = expectedLines[i];
      let actualLine = actualLines[i];
      let differs = actualLine !== expectedLine &&
        (!actualLine.endsWith(',') || actualLine.slice(0, -1) !== expectedLine);
      if (differs && expectedLine.endsWith(',') && expectedLine.slice(0, -1) === actualLine) {
        differs = false;
        actualLine += ',';
      }
      if (differs) {
        const ctx = context(actualLines, i, same);
        res += ctx.text;
        printed += ctx.printed;
        skipped = skipped || ctx.skipped;
        same = 0;
        res += `\n${colors.green}+${colors.white} ${actualLine}`;
        pending += `\n${colors.red}-${colors.white} ${expectedLine}`;
        printed += 2;
      } else {
        res += pending;
        pending = '';
        same++;
        if (same <= 2) {
          res += `\n  ${actualLine}`;
          printed++;
        }
      }
    }
    if (printed > kMaxLines && i < maxLines - 2) {
      return `${head}${skippedNote}\n${res}\n${colors.blue}...${colors.white}${pending}\n` +
        `${colors.blue}...${colors.white}`;
    }
  }
  return `${head}${skipped ? skippedNote : ''}\n${res}${pending}${end}${indicator}`;
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
    Object.defineProperty(this, 'name', {
      value: 'AssertionError [ERR_ASSERTION]', enumerable: false, writable: true, configurable: true,
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
