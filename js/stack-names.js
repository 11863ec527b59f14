// js/stack-names.js — build time (js/build.mjs): the table that lets stack traces name
// the module a frame of the bundle is in, as Node's do (`node:fs`,
// `node:internal/modules/cjs/loader`), instead of the one script the
// snapshot runs (`node:internal/bootstrap:29414:21`).
//
// esbuild's unminified bundle puts a `// js/<path>` line before each
// file's code; `stackTable(text)` reads them off the final script and
// returns `var __se_stack_table = ...;`, appended to it, which
// node/internal/stack-names.js reads when it formats a stack: ascending
// first lines (1-based, as V8 counts) and the name of the module each
// starts. A frame's line is then given relative to its module's first
// line in the bundle.
'use strict';

// Our files whose Node module has another name
const renamed = {
  'bootstrap/main': 'internal/bootstrap/node',
  'bootstrap/loader': 'internal/modules/cjs/loader',
  'bootstrap/esm': 'internal/modules/esm/loader',
  'bootstrap/package-map': 'internal/modules/esm/resolve',
  'bootstrap/process': 'internal/bootstrap/switches/is_main_thread',
  'bootstrap/tick': 'internal/process/task_queues',
  'bootstrap/timers': 'internal/timers',
  'node/assert_strict': 'assert/strict',
  'node/dns_promises': 'dns/promises',
  'node/fs_promises': 'fs/promises',
  'node/path_posix': 'path/posix',
  'node/path_win32': 'path/win32',
  'node/stream_promises': 'stream/promises',
  'node/stream_web': 'stream/web',
  'node/timers_promises': 'timers/promises',
  'node/util_types': 'util/types',
};
// npm packages that stand in for a Node module (the rest are deps)
const packages = {
  events: 'events',
  buffer: 'buffer',
  util: 'util',
  url: 'url',
  assert: 'assert',
  punycode: 'punycode',
  string_decoder: 'string_decoder',
  'path-browserify': 'path',
};

function moduleName(file) {
  let p = file.replace(/^js\//, '').replace(/\.[cm]?js$/, '').replace(/\/index$/, '');
  const dep = /^node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/(.*))?$/.exec(p);
  if (dep) {
    const [, pkg, rest = ''] = dep;
    const streams = /^lib\/(?:internal\/streams\/|ours\/)(.*)$/.exec(rest);
    if (pkg === 'readable-stream' && streams) return `node:internal/streams/${streams[1]}`;
    if (pkg === 'readable-stream' && rest === 'lib/stream') return 'node:stream';
    if (packages[pkg]) return `node:${packages[pkg]}`;
    return `node:internal/deps/${pkg}${rest ? `/${rest}` : ''}`;
  }
  if (renamed[p]) return `node:${renamed[p]}`;
  p = p.replace(/^node\//, '');
  return `node:${p}`;
}

function stackTable(text) {
  const lines = [];
  const names = [];
  const marker = /^\/\/ (js\/\S+\.[cm]?js)$/;
  let line = 1;
  for (let at = 0; at < text.length; line++) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    if (text.charCodeAt(at) === 47) { // '/'
      const m = marker.exec(text.slice(at, end));
      if (m) {
        lines.push(line);
        names.push(moduleName(m[1]));
      }
    }
    at = end + 1;
  }
  if (lines.length === 0) throw new Error('stack-names: no module markers in the bundle');
  return `var __se_stack_table = ${JSON.stringify({ lines, names })};\n`;
}

module.exports = { moduleName, stackTable };
