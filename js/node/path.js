// node/path.js — Node's `path` module (posix by default, with `win32`).
//
// posix is path-browserify (Node's posix path code of an older release)
// behind wrappers that add Node 22's argument errors (ERR_INVALID_ARG_TYPE),
// format() with an `ext` lacking its dot, and toNamespacedPath. win32 is own
// code: roots are '', '\', 'C:', 'C:\' and UNC '\\server\share\'; both
// separators are accepted, output uses '\'; comparisons in relative() are
// case-insensitive; resolve() falls back to process.cwd() (read at call
// time), as Node does on a POSIX host. Behaviour was checked against host
// Node with test-node/cases/path*.js. path.posix.win32 === path.win32 and
// path.win32.posix === path.posix, as in Node.
'use strict';

const npmPosix = require('path-browserify');
const { validateString, validateObject } = require('./internal/validators');

// ---- shared -----------------------------------------------------------------------

function formatExt(ext) {
  return ext ? `${ext[0] === '.' ? '' : '.'}${ext}` : '';
}

function makeFormat(sep) {
  return function format(pathObject) {
    validateObject(pathObject, 'pathObject');
    const dir = pathObject.dir || pathObject.root;
    const base = pathObject.base || `${pathObject.name || ''}${formatExt(pathObject.ext)}`;
    if (!dir) return base;
    return dir === pathObject.root ? `${dir}${base}` : `${dir}${sep}${base}`;
  };
}

// ---- posix ----------------------------------------------------------------------------

const posix = {
  resolve(...args) {
    for (let i = 0; i < args.length; i++) validateString(args[i], `paths[${i}]`);
    return npmPosix.resolve(...args);
  },
  normalize(path) {
    validateString(path, 'path');
    return npmPosix.normalize(path);
  },
  isAbsolute(path) {
    validateString(path, 'path');
    return npmPosix.isAbsolute(path);
  },
  join(...args) {
    for (const arg of args) validateString(arg, 'path');
    return npmPosix.join(...args);
  },
  relative(from, to) {
    validateString(from, 'from');
    validateString(to, 'to');
    return npmPosix.relative(from, to);
  },
  toNamespacedPath(path) {
    return path;
  },
  dirname(path) {
    validateString(path, 'path');
    return npmPosix.dirname(path);
  },
  basename(path, suffix = undefined) {
    if (suffix !== undefined) validateString(suffix, 'ext');
    validateString(path, 'path');
    return suffix === undefined ? npmPosix.basename(path) : npmPosix.basename(path, suffix);
  },
  extname(path) {
    validateString(path, 'path');
    return npmPosix.extname(path);
  },
  format: makeFormat('/'),
  parse(path) {
    validateString(path, 'path');
    const out = npmPosix.parse(path);
    return { root: out.root, dir: out.dir, base: out.base, ext: out.ext, name: out.name };
  },
  matchesGlob(path, pattern) {
    return matchesGlob(path, pattern, false);
  },
  sep: '/',
  delimiter: ':',
  win32: null,
  posix: null,
  _makeLong(path) {
    return path;
  },
};

// ---- win32 ----------------------------------------------------------------------------

function isSep(c) {
  return c === '/' || c === '\\';
}

function isDriveLetter(c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// '\\\\server\\share' at the start of a path: where the share ends, or -1.
function uncShareEnd(path) {
  const len = path.length;
  if (!(len > 2 && isSep(path[0]) && isSep(path[1]) && !isSep(path[2]))) return -1;
  let j = 2;
  while (j < len && !isSep(path[j])) j++;
  if (j >= len) return -1;
  let k = j;
  while (k < len && isSep(path[k])) k++;
  let m = k;
  while (m < len && !isSep(path[m])) m++;
  return m > k ? m : -1;
}

// The root of a win32 path for normalize/resolve: `device` ('C:',
// '\\\\server\\share' or ''),
// whether it is absolute, and where the rest starts. `uncOnly` marks a path
// that is nothing but a UNC root.
function winRoot(path) {
  const len = path.length;
  if (len === 0) return { device: '', absolute: false, end: 0, uncOnly: false };
  if (isSep(path[0])) {
    const shareEnd = uncShareEnd(path);
    if (shareEnd !== -1) {
      let j = 2;
      while (!isSep(path[j])) j++;
      const server = path.slice(2, j);
      let k = j;
      while (isSep(path[k])) k++;
      return {
        device: `\\\\${server}\\${path.slice(k, shareEnd)}`, absolute: true, end: shareEnd,
        uncOnly: shareEnd === len,
      };
    }
    return { device: '', absolute: true, end: 1, uncOnly: false };
  }
  if (len >= 2 && path[1] === ':' && isDriveLetter(path[0])) {
    if (len > 2 && isSep(path[2])) return { device: path.slice(0, 2), absolute: true, end: 3, uncOnly: false };
    return { device: path.slice(0, 2), absolute: false, end: 2, uncOnly: false };
  }
  return { device: '', absolute: false, end: 0, uncOnly: false };
}

// Resolves '.' and '..' in a separator-joined tail; '..' may climb above the
// start only when allowAboveRoot.
function normalizeTail(tail, allowAboveRoot) {
  const out = [];
  for (const seg of tail.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (allowAboveRoot) out.push('..');
    } else {
      out.push(seg);
    }
  }
  return out.join('\\');
}

function winNormalize(path) {
  validateString(path, 'path');
  if (path.length === 0) return '.';
  if (path.length === 1) return isSep(path) ? '\\' : path;
  const root = winRoot(path);
  if (root.uncOnly) return `${root.device}\\`;
  const trailingSep = isSep(path[path.length - 1]);
  let tail = normalizeTail(path.slice(root.end), !root.absolute);
  if (tail.length === 0 && !root.absolute) tail = '.';
  if (tail.length > 0 && trailingSep) tail += '\\';
  // A relative path with no drive must not come out as one Windows reads as
  // a drive ('a/../b:c') or a stream ('ab:', 'x/a:\\y'): Node 22 prefixes
  // '.\\' (CVE-2024-36139).
  if (!root.absolute && root.device === '' && path.includes(':') &&
      (/^[A-Za-z]:/.test(tail) || /:(?:[\\/]|$)/.test(path))) {
    return `.\\${tail}`;
  }
  if (root.absolute) return `${root.device}\\${tail}`;
  return `${root.device}${tail}`;
}

function winResolve(...args) {
  let device = '';
  let tail = '';
  let absolute = false;
  for (let i = args.length - 1; i >= -1; i--) {
    let path;
    if (i >= 0) {
      path = args[i];
      validateString(path, `paths[${i}]`);
      if (path.length === 0) continue;
    } else if (device.length === 0) {
      path = process.cwd();
    } else {
      // The per-drive working directory Windows keeps in `=C:`-style
      // variables; without one, the drive's root.
      path = process.env[`=${device}`] || process.cwd();
      if (path.slice(0, 2).toLowerCase() !== device.toLowerCase() && path[2] === '\\') {
        path = `${device}\\`;
      }
    }
    const root = winRoot(path);
    if (root.device.length > 0) {
      if (device.length > 0) {
        if (root.device.toLowerCase() !== device.toLowerCase()) continue;
      } else {
        device = root.device;
      }
    }
    if (absolute) {
      if (device.length > 0) break;
    } else {
      tail = `${path.slice(root.end)}\\${tail}`;
      absolute = root.absolute;
      if (absolute && device.length > 0) break;
    }
  }
  tail = normalizeTail(tail, !absolute);
  if (absolute) return `${device}\\${tail}`;
  return `${device}${tail}` || '.';
}

function winIsAbsolute(path) {
  validateString(path, 'path');
  const len = path.length;
  if (len === 0) return false;
  return isSep(path[0]) || (len > 2 && isDriveLetter(path[0]) && path[1] === ':' && isSep(path[2]));
}

function winJoin(...args) {
  if (args.length === 0) return '.';
  const parts = [];
  for (const arg of args) {
    validateString(arg, 'path');
    if (arg.length > 0) parts.push(arg);
  }
  if (parts.length === 0) return '.';
  let joined = parts.join('\\');
  // Leading separators mean UNC only if the first part itself starts with
  // exactly two of them and then a name.
  const first = parts[0];
  const meantUNC = first.length > 2 && isSep(first[0]) && isSep(first[1]) && !isSep(first[2]);
  if (!meantUNC) {
    let n = 0;
    while (n < joined.length && isSep(joined[n])) n++;
    if (n >= 2) joined = `\\${joined.slice(n)}`;
  }
  return winNormalize(joined);
}

function relativeByParts(fromAbs, toAbs) {
  const fromParts = fromAbs.split('\\');
  const toParts = toAbs.split('\\');
  if (fromParts[fromParts.length - 1] === '') fromParts.pop();
  if (toParts[toParts.length - 1] === '') toParts.pop();
  const common = Math.min(fromParts.length, toParts.length);
  let i = 0;
  while (i < common && fromParts[i].toLowerCase() === toParts[i].toLowerCase()) i++;
  if (i === 0) return toAbs;
  if (i === common) {
    if (toParts.length > common) return toParts.slice(i).join('\\');
    if (fromParts.length > common) return `${'..\\'.repeat(fromParts.length - 1 - i)}..`;
    return '';
  }
  return `${'..\\'.repeat(fromParts.length - i)}${toParts.slice(i).join('\\')}`;
}

function winRelative(from, to) {
  validateString(from, 'from');
  validateString(to, 'to');
  if (from === to) return '';
  const fromAbs = winResolve(from);
  const toAbs = winResolve(to);
  if (fromAbs === toAbs) return '';
  const f = fromAbs.toLowerCase();
  const t = toAbs.toLowerCase();
  if (f === t) return '';
  // Lower case changed a length ('İ' is two units lower): compare part by
  // part, as Node 22 does, so no index of one string is used in the other.
  if (f.length !== fromAbs.length || t.length !== toAbs.length) return relativeByParts(fromAbs, toAbs);
  // Compare as strings without leading/trailing separators, as Node does.
  let fs = 0;
  while (fs < f.length && f[fs] === '\\') fs++;
  let fe = f.length;
  while (fe - 1 > fs && f[fe - 1] === '\\') fe--;
  let ts = 0;
  while (ts < t.length && t[ts] === '\\') ts++;
  let te = t.length;
  while (te - 1 > ts && t[te - 1] === '\\') te--;
  const fLen = fe - fs;
  const tLen = te - ts;
  const len = Math.min(fLen, tLen);
  let lastSep = -1;
  let i = 0;
  for (; i < len; i++) {
    const c = f[fs + i];
    if (c !== t[ts + i]) break;
    if (c === '\\') lastSep = i;
  }
  if (i !== len) {
    if (lastSep === -1) return toAbs;
  } else {
    if (tLen > len) {
      if (t[ts + i] === '\\') return toAbs.slice(ts + i + 1);
      if (i === 2) return toAbs.slice(ts + i);
    }
    if (fLen > len) {
      if (f[fs + i] === '\\') lastSep = i;
      else if (i === 2) lastSep = 3;
    }
    if (lastSep === -1) lastSep = 0;
  }
  let out = '';
  for (i = fs + lastSep + 1; i <= fe; ++i) {
    if (i === fe || f[i] === '\\') out += out.length === 0 ? '..' : '\\..';
  }
  ts += lastSep;
  if (out.length > 0) return `${out}${toAbs.slice(ts, te)}`;
  if (toAbs[ts] === '\\') ++ts;
  return toAbs.slice(ts, te);
}

function winToNamespacedPath(path) {
  if (typeof path !== 'string' || path.length === 0) return path;
  const resolved = winResolve(path);
  if (resolved.length <= 2) return path;
  if (resolved[0] === '\\') {
    if (resolved[1] === '\\' && resolved[2] !== '?' && resolved[2] !== '.') {
      return `\\\\?\\UNC\\${resolved.slice(2)}`;
    }
  } else if (isDriveLetter(resolved[0]) && resolved[1] === ':' && resolved[2] === '\\') {
    return `\\\\?\\${resolved}`;
  }
  return resolved;
}

// Where the root ends for dirname/parse: 'C:' (2), 'C:\' (3), '\' (1),
// '\\server\share\' (past the separator after share).
function winRootEnd(path) {
  const shareEnd = uncShareEnd(path);
  if (shareEnd !== -1) return shareEnd < path.length ? shareEnd + 1 : shareEnd;
  return winRoot(path).end;
}

function winDirname(path) {
  validateString(path, 'path');
  const len = path.length;
  if (len === 0) return '.';
  const rootEnd = winRootEnd(path);
  if (rootEnd === len) return path;
  let end = -1;
  let matchedSlash = true;
  for (let i = len - 1; i >= rootEnd; --i) {
    if (isSep(path[i])) {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else {
      matchedSlash = false;
    }
  }
  if (end === -1) {
    if (rootEnd === 0) return '.';
    end = rootEnd;
  }
  return path.slice(0, end);
}

// [start, end) of the last component, trailing separators excluded.
function lastComponent(path, start) {
  let end = path.length;
  while (end > start && isSep(path[end - 1])) end--;
  let s = end;
  while (s > start && !isSep(path[s - 1])) s--;
  return [s, end];
}

// basename with a suffix, as Node computes it: the suffix is matched from
// the end of the last component; a full match inside the component cuts it
// off, a full match of the whole component or a mismatch leaves the
// component, and a component that ends before the suffix does keeps its
// trailing separators. A suffix equal to the whole path yields ''.
function basenameWithSuffix(path, start, suffix) {
  if (suffix === path) return '';
  let e = path.length;
  while (e > start && isSep(path[e - 1])) e--;
  if (e === start) return path.slice(start);
  let s = e;
  while (s > start && !isSep(path[s - 1])) s--;
  let k = suffix.length - 1;
  let i = e - 1;
  for (; i >= s && k >= 0; i--, k--) {
    if (path[i] !== suffix[k]) return path.slice(s, e);
  }
  if (k >= 0) return path.slice(s);
  return i + 1 === s ? path.slice(s, e) : path.slice(s, i + 1);
}

function winBasename(path, suffix = undefined) {
  if (suffix !== undefined) validateString(suffix, 'ext');
  validateString(path, 'path');
  const start = path.length >= 2 && isDriveLetter(path[0]) && path[1] === ':' ? 2 : 0;
  if (suffix !== undefined && suffix.length > 0 && suffix.length <= path.length) {
    return basenameWithSuffix(path, start, suffix);
  }
  const [s, e] = lastComponent(path, start);
  return path.slice(s, e);
}

function extOf(base) {
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || base === '..') return '';
  return base.slice(dot);
}

function winExtname(path) {
  validateString(path, 'path');
  const start = path.length >= 2 && isDriveLetter(path[0]) && path[1] === ':' ? 2 : 0;
  const [s, e] = lastComponent(path, start);
  return extOf(path.slice(s, e));
}

function winParse(path) {
  validateString(path, 'path');
  const ret = { root: '', dir: '', base: '', ext: '', name: '' };
  if (path.length === 0) return ret;
  const rootEnd = winRootEnd(path);
  ret.root = path.slice(0, rootEnd);
  if (rootEnd === path.length) {
    ret.dir = ret.root;
    return ret;
  }
  const [s, e] = lastComponent(path, rootEnd);
  const base = path.slice(s, e);
  if (e > s) {
    ret.base = base;
    ret.ext = extOf(base);
    ret.name = ret.ext.length > 0 ? base.slice(0, base.length - ret.ext.length) : base;
  }
  ret.dir = s > 0 && s !== rootEnd ? path.slice(0, s - 1) : ret.root;
  return ret;
}

const win32 = {
  resolve: winResolve,
  normalize: winNormalize,
  isAbsolute: winIsAbsolute,
  join: winJoin,
  relative: winRelative,
  toNamespacedPath: winToNamespacedPath,
  dirname: winDirname,
  basename: winBasename,
  extname: winExtname,
  format: makeFormat('\\'),
  parse: winParse,
  matchesGlob(path, pattern) {
    return matchesGlob(path, pattern, true);
  },
  sep: '\\',
  delimiter: ';',
  win32: null,
  posix: null,
  _makeLong: winToNamespacedPath,
};

// ---- matchesGlob (minimal: * ? ** [...] {a,b}) ------------------------------------------

function globToRegExp(pattern, windows) {
  const sepClass = windows ? '[\\\\/]' : '/';
  const notSep = windows ? '[^\\\\/]' : '[^/]';
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const atStart = i === 0 || isSepChar(pattern[i - 1], windows);
        const atEnd = i + 2 === pattern.length || isSepChar(pattern[i + 2], windows);
        if (atStart && atEnd) {
          re += i + 2 === pattern.length ? '.*' : `(?:${notSep}*${sepClass})*`;
          i += i + 2 === pattern.length ? 1 : 2;
          continue;
        }
        i++;
      }
      re += `${notSep}*`;
    } else if (c === '?') {
      re += notSep;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close === -1) {
        re += '\\[';
      } else {
        let body = pattern.slice(i + 1, close);
        if (body[0] === '!') body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '{') {
      const close = pattern.indexOf('}', i + 1);
      if (close === -1) {
        re += '\\{';
      } else {
        const alts = pattern.slice(i + 1, close).split(',').map((a) => globToRegExp(a, windows).source.slice(1, -1));
        re += `(?:${alts.join('|')})`;
        i = close;
      }
    } else if (isSepChar(c, windows)) {
      re += sepClass;
    } else {
      re += c.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

function isSepChar(c, windows) {
  return c === '/' || (windows && c === '\\');
}

function matchesGlob(path, pattern, windows) {
  validateString(path, 'path');
  validateString(pattern, 'pattern');
  return globToRegExp(pattern, windows).test(path);
}

posix.win32 = win32;
posix.posix = posix;
win32.win32 = win32;
win32.posix = posix;

module.exports = posix;
