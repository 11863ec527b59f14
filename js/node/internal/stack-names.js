// node/internal/stack-names.js — stack traces name our modules as Node's
// do: a frame in the bundle (`node:internal/bootstrap:29414:21`, one script
// for everything the snapshot runs) becomes `node:events:57:21`, the module
// it is in and the line relative to that module's first line in the
// bundle. The table (first lines and names) is written at build time after
// the modules (js/stack-names.js) as the bundle's `__se_stack_table`.
//
// Error.prepareStackTrace is the formatter, as in Node 22 (where it is
// `ErrorPrepareStackTrace`, the default a program may replace): V8 calls it
// once per error, when its stack is first read; each frame is V8's own
// text (CallSite toString), only bundle positions rewritten. A program
// that sets its own gets V8's CallSites unchanged. renameFrame also serves
// the header printed above an uncaught exception (bootstrap/main.js).
'use strict';

// a bundle position: line and column in a frame, a line alone in the
// header of an uncaught exception (`node:internal/bootstrap:33119`)
const kBundle = /node:internal\/bootstrap:(\d+)(:\d+)?/g;
const errorToString = Error.prototype.toString;

let table;
function moduleAt(line) {
  // eslint-disable-next-line no-undef -- declared by the bundle's wrapper
  if (table === undefined) table = typeof __se_stack_table === 'object' ? __se_stack_table : null;
  if (table === null) return undefined;
  const { lines } = table;
  let lo = 0;
  let hi = lines.length - 1;
  if (line < lines[0]) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid] <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function renameFrame(text) {
  if (!text.includes('node:internal/bootstrap:')) return text;
  return text.replace(kBundle, (whole, line, col = '') => {
    const i = moduleAt(Number(line));
    if (i === undefined) return whole;
    return `${table.names[i]}:${Number(line) - table.lines[i]}${col}`;
  });
}

function header(error) {
  try {
    return errorToString.call(error);
  } catch {
    return '<error>';
  }
}

function ErrorPrepareStackTrace(error, trace) {
  const head = header(error);
  if (trace.length === 0) return head;
  let out = head;
  for (let i = 0; i < trace.length; i++) {
    let frame;
    try {
      frame = String(trace[i]);
    } catch {
      frame = '<error>';
    }
    out += `\n    at ${renameFrame(frame)}`;
  }
  return out;
}

function installStackNames() {
  Object.defineProperty(Error, 'prepareStackTrace', {
    value: ErrorPrepareStackTrace, writable: true, enumerable: false, configurable: true,
  });
}

module.exports = { installStackNames, renameFrame };
