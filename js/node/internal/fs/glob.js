// node/internal/fs/glob.js — fs.glob / fs.globSync / fsPromises.glob
// (Node 22). Patterns are compiled by the minimatch package (the matcher
// Node itself uses); the walk lists folders through the bridge like
// readdir, descends only where a pattern can still match (minimatch's
// partial match), never follows symlinked folders for `**`, and skips
// folders it may not read. Relative patterns answer paths relative to
// `cwd`; absolute ones answer absolute paths.
'use strict';

const { Minimatch } = require('minimatch');
const pathModule = require('../../path');
const { codes } = require('../errors');
const u = require('./utils');

const kMatchOptions = {
  nocomment: true,
  nonegate: true,
  optimizationLevel: 2,
  platform: 'linux',
  windowsPathsNoEscape: true,
};

function compile(patterns) {
  return patterns.map((p) => new Minimatch(p, kMatchOptions));
}

function validatePatterns(pattern) {
  const list = Array.isArray(pattern) ? pattern : [pattern];
  for (const p of list) {
    if (typeof p !== 'string') throw codes.ERR_INVALID_ARG_TYPE('pattern', ['string', 'string[]'], pattern);
  }
  return list;
}

function globOptions(options) {
  const opts = options == null ? {} : options;
  if (typeof opts !== 'object') throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  const cwd = opts.cwd === undefined ? process.cwd() : u.getValidatedPath(opts.cwd, 'options.cwd');
  let exclude = () => false;
  if (typeof opts.exclude === 'function') {
    exclude = opts.exclude;
  } else if (Array.isArray(opts.exclude)) {
    const ms = compile(validatePatterns(opts.exclude));
    exclude = (entry) => {
      const p = typeof entry === 'string' ? entry : pathModule.join(entry.parentPath, entry.name);
      return ms.some((m) => m.match(p));
    };
  } else if (opts.exclude !== undefined) {
    throw codes.ERR_INVALID_ARG_TYPE('options.exclude', ['Function', 'string[]'], opts.exclude);
  }
  return { cwd: pathModule.resolve(cwd), exclude, withFileTypes: !!opts.withFileTypes };
}

// Lists `root` and appends to `out` what matches (paths shown from
// `prefix`; null: absolute), then descends where a match is still possible.
function* walk(root, prefix, matchers, opts, out, seen) {
  let listing;
  try {
    listing = yield ['readdir', root, true];
  } catch {
    return;
  }
  const [names, types] = listing;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const full = pathModule.join(root, name);
    const shown = prefix === null ? full : (prefix === '' ? name : `${prefix}/${name}`);
    const type = yield* u.direntType(types[i], full);
    const dirent = new u.Dirent(name, type, root);
    if (opts.exclude(opts.withFileTypes ? dirent : shown)) continue;
    const isDir = type === u.constants.UV_DIRENT_DIR;
    // a folder also matches as `name/` (so `lib/**` includes lib, as bash)
    if (!seen.has(full) && matchers.some((m) => m.match(shown) || (isDir && m.match(`${shown}/`)))) {
      seen.add(full);
      out.push(opts.withFileTypes ? dirent : shown);
    }
    if (isDir && matchers.some((m) => m.match(shown, true))) {
      yield* walk(full, shown, matchers, opts, out, seen);
    }
  }
}

// The literal leading folders every expansion of m shares: the walk
// starts there, so a pattern under a granted folder never lists its
// parents.
function literalBase(m) {
  const base = [];
  for (let i = 0; ; i++) {
    const seg = m.set[0][i];
    if (typeof seg !== 'string' || i >= m.set[0].length - 1) break;
    if (!m.set.every((parts) => parts[i] === seg && i < parts.length - 1)) break;
    base.push(seg);
  }
  return base;
}

function glob(pattern, options) {
  const patterns = validatePatterns(pattern);
  const opts = globOptions(options);
  const roots = compile(patterns).filter((m) => m.set.length > 0).map((m) => {
    const base = literalBase(m);
    const absolute = base.length > 0 && base[0] === '';
    const rel = base.join('/');
    if (absolute) return { m, root: rel === '' ? '/' : rel, prefix: null };
    return { m, root: pathModule.join(opts.cwd, rel), prefix: rel };
  });
  return (function* globGen() {
    const out = [];
    const seen = new Set();
    for (const { m, root, prefix } of roots) {
      const shown = prefix === null ? root : prefix;
      if (shown !== '' && shown !== '/' && !seen.has(root) && (m.match(shown) || m.match(`${shown}/`))) {
        // the base folder itself matches (`lib/**` answers lib too)
        try {
          yield ['stat', root, false];
          seen.add(root);
          out.push(opts.withFileTypes
            ? new u.Dirent(pathModule.basename(root), u.constants.UV_DIRENT_DIR, pathModule.dirname(root))
            : shown);
        } catch {
          // a missing base: nothing under it either
        }
      }
      yield* walk(root, prefix, [m], opts, out, seen);
    }
    return out;
  })();
}

module.exports = { glob };
