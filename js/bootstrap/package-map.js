'use strict';
// package.json "exports" and "imports": Node's PACKAGE_EXPORTS_RESOLVE,
// PACKAGE_IMPORTS_RESOLVE and PACKAGE_TARGET_RESOLVE over plain paths (the
// sandbox has no file: URLs to carry). Conditions are matched in the
// object's key order; "default" always matches. Returns an absolute path
// (not yet checked to exist), or throws Node's errors with Node's codes:
// ERR_PACKAGE_PATH_NOT_EXPORTED, ERR_PACKAGE_IMPORT_NOT_DEFINED,
// ERR_INVALID_PACKAGE_TARGET, ERR_INVALID_PACKAGE_CONFIG,
// ERR_INVALID_MODULE_SPECIFIER.
//
// pkgDir is the folder that holds package.json, without a trailing slash.

const path = require('path');

const { makeNodeError } = require('../node/internal/errors');

const nodeError = (Base, code, message) => makeNodeError(Base, code, message);

const importedFrom = (base) => (base ? ` imported from ${base}` : '');

function notExported(pkgDir, subpath, base) {
  const pj = `${pkgDir}/package.json`;
  return nodeError(Error, 'ERR_PACKAGE_PATH_NOT_EXPORTED', subpath === '.'
    ? `No "exports" main defined in ${pj}${importedFrom(base)}`
    : `Package subpath '${subpath}' is not defined by "exports" in ${pj}${importedFrom(base)}`);
}

function importNotDefined(specifier, pkgDir, base) {
  return nodeError(TypeError, 'ERR_PACKAGE_IMPORT_NOT_DEFINED',
    `Package import specifier "${specifier}" is not defined` +
    `${pkgDir ? ` in package ${pkgDir}/package.json` : ''}${importedFrom(base)}`);
}

function invalidTarget(pkgDir, key, target, internal, base) {
  const rel = typeof target === 'string' && !internal && target.length > 0 &&
    !target.startsWith('./');
  let message;
  if (key === '.') {
    message = `Invalid "exports" main target ${JSON.stringify(target)} defined in the package ` +
      `config ${pkgDir}/package.json${importedFrom(base)}${rel ? '; targets must start with "./"' : ''}`;
  } else {
    message = `Invalid "${internal ? 'imports' : 'exports'}" target ${JSON.stringify(target)} ` +
      `defined for '${key}' in the package config ${pkgDir}/package.json${importedFrom(base)}` +
      `${rel ? '; targets must start with "./"' : ''}`;
  }
  return nodeError(Error, 'ERR_INVALID_PACKAGE_TARGET', message);
}

function invalidSubpath(request, match, pkgDir, internal, base) {
  return nodeError(TypeError, 'ERR_INVALID_MODULE_SPECIFIER',
    `Invalid module "${request}" request is not a valid match in pattern "${match}" for the ` +
    `"${internal ? 'imports' : 'exports'}" resolution of ${pkgDir}/package.json` +
    importedFrom(base));
}

// A segment ".", "..", or "node_modules" (any case, %-encoded too)
const invalidSegment =
  /(^|\\|\/)((\.|%2e)(\.|%2e)?|(n|%6e|%4e)(o|%6f|%4f)(d|%64|%44)(e|%65|%45)(_|%5f)(m|%6d|%4d)(o|%6f|%4f)(d|%64|%44)(u|%75|%55)(l|%6c|%4c)(e|%65|%45)(s|%73|%53))?(\\|\/|$)/i;
const deprecatedSegment = /(^|\\|\/)((\.|%2e)(\.|%2e)?|(n|%6e|%4e)(o|%6f|%4f)(d|%64|%44)(e|%65|%45)(_|%5f)(m|%6d|%4d)(o|%6f|%4f)(d|%64|%44)(u|%75|%55)(l|%6c|%4c)(e|%65|%45)(s|%73|%53))(\\|\/|$)/i;

function isURL(s) {
  try {
    new URL(s); // eslint-disable-line no-new
    return true;
  } catch {
    return false;
  }
}

// ctx: { pkgDir, base, conditions, internal, resolveBare }
function targetString(ctx, target, subpath, match, pattern) {
  const { pkgDir, base, internal } = ctx;
  if (subpath !== '' && !pattern && !target.endsWith('/')) {
    throw invalidTarget(pkgDir, match, target, internal, base);
  }
  if (!target.startsWith('./')) {
    if (internal && !target.startsWith('../') && !target.startsWith('/') && !isURL(target)) {
      const bare = pattern ? target.replace(/\*/g, () => subpath) : target + subpath;
      return ctx.resolveBare(bare);
    }
    throw invalidTarget(pkgDir, match, target, internal, base);
  }
  if (invalidSegment.test(target.slice(2))) {
    if (!deprecatedSegment.test(target.slice(2)) || !pattern) {
      throw invalidTarget(pkgDir, match, target, internal, base);
    }
  }
  const resolved = path.join(pkgDir, target);
  if (resolved !== pkgDir && !resolved.startsWith(pkgDir + '/')) {
    throw invalidTarget(pkgDir, match, target, internal, base);
  }
  if (subpath === '') return resolved;
  if (invalidSegment.test(subpath)) {
    const request = pattern ? match.replace('*', () => subpath) : match + subpath;
    if (deprecatedSegment.test(subpath) || !pattern) {
      throw invalidSubpath(request, match, pkgDir, internal, base);
    }
  }
  if (pattern) return resolved.replace(/\*/g, () => subpath);
  return resolved + (target.endsWith('/') && subpath.startsWith('/') ? subpath.slice(1) : subpath);
}

function isArrayIndex(key) {
  const n = Number(key);
  return `${n}` === key && n >= 0 && n < 0xffffffff;
}

// undefined: no condition matched; null: explicitly excluded
function target(ctx, t, subpath, match, pattern) {
  if (typeof t === 'string') return targetString(ctx, t, subpath, match, pattern);
  if (Array.isArray(t)) {
    if (t.length === 0) return null;
    let last;
    for (const item of t) {
      let r;
      try {
        r = target(ctx, item, subpath, match, pattern);
      } catch (e) {
        last = e;
        if (e.code === 'ERR_INVALID_PACKAGE_TARGET') continue;
        throw e;
      }
      if (r === undefined) continue;
      if (r === null) {
        last = null;
        continue;
      }
      return r;
    }
    if (last === undefined || last === null) return last;
    throw last;
  }
  if (t !== null && typeof t === 'object') {
    for (const key of Object.getOwnPropertyNames(t)) {
      if (isArrayIndex(key)) {
        throw nodeError(Error, 'ERR_INVALID_PACKAGE_CONFIG',
          `Invalid package config ${ctx.pkgDir}/package.json${importedFrom(ctx.base)}. ` +
          '"exports" cannot contain numeric property keys.');
      }
    }
    for (const key of Object.getOwnPropertyNames(t)) {
      if (key === 'default' || ctx.conditions.includes(key)) {
        const r = target(ctx, t[key], subpath, match, pattern);
        if (r === undefined) continue;
        return r;
      }
    }
    return undefined;
  }
  if (t === null) return null;
  throw invalidTarget(ctx.pkgDir, match, t, ctx.internal, ctx.base);
}

// Node's PATTERN_KEY_COMPARE: longer prefix first, then longer key
function patternKeyCompare(a, b) {
  const ai = a.indexOf('*');
  const bi = b.indexOf('*');
  const al = ai === -1 ? a.length : ai + 1;
  const bl = bi === -1 ? b.length : bi + 1;
  if (al > bl) return -1;
  if (bl > al) return 1;
  if (ai === -1) return 1;
  if (bi === -1) return -1;
  if (a.length > b.length) return -1;
  if (b.length > a.length) return 1;
  return 0;
}

// The best "*" key of map for name: [key, the part "*" stands for] or null
function bestPattern(map, name) {
  let best = null;
  let bestSub;
  for (const key of Object.getOwnPropertyNames(map)) {
    const star = key.indexOf('*');
    if (star === -1 || key.indexOf('*', star + 1) !== -1) continue;
    const prefix = key.slice(0, star);
    if (!name.startsWith(prefix)) continue;
    const trailer = key.slice(star + 1);
    if (name.length >= key.length && name.endsWith(trailer) &&
        (best === null || patternKeyCompare(best, key) === 1)) {
      best = key;
      bestSub = name.slice(prefix.length, name.length - trailer.length);
    }
  }
  return best === null ? null : [best, bestSub];
}

function isConditionalSugar(exports, pkgDir, base) {
  if (typeof exports === 'string' || Array.isArray(exports)) return true;
  if (typeof exports !== 'object' || exports === null) return false;
  let dots = 0;
  let i = 0;
  for (const key of Object.getOwnPropertyNames(exports)) {
    const dot = key === '' || key[0] !== '.';
    if (i++ === 0) {
      dots = dot;
    } else if (dots !== dot) {
      throw nodeError(Error, 'ERR_INVALID_PACKAGE_CONFIG',
        `Invalid package config ${pkgDir}/package.json${importedFrom(base)}. ` +
        '"exports" cannot contain some keys starting with \'.\' and some not. The exports ' +
        'object must either be an object of package subpath keys or an object of main ' +
        'entry condition name keys only.');
    }
  }
  return dots;
}

// subpath: "." or "./x"
function exportsResolve(pkgDir, subpath, exports, conditions, base) {
  const ctx = { pkgDir, base, conditions, internal: false, resolveBare: null };
  if (isConditionalSugar(exports, pkgDir, base)) exports = { '.': exports };
  if (Object.prototype.hasOwnProperty.call(exports, subpath) && !subpath.includes('*') &&
      !subpath.endsWith('/')) {
    const r = target(ctx, exports[subpath], '', subpath, false);
    if (r === null || r === undefined) throw notExported(pkgDir, subpath, base);
    return r;
  }
  const best = bestPattern(exports, subpath);
  if (best) {
    const r = target(ctx, exports[best[0]], best[1], best[0], true);
    if (r === null || r === undefined) throw notExported(pkgDir, subpath, base);
    return r;
  }
  throw notExported(pkgDir, subpath, base);
}

// name: "#x"; scopeDir: the folder of the package.json that has imports
// (or null); resolveBare(specifier) resolves a bare target.
function importsResolve(name, scopeDir, imports, conditions, base, resolveBare) {
  if (name === '#' || name.startsWith('#/') || name.endsWith('/')) {
    throw nodeError(TypeError, 'ERR_INVALID_MODULE_SPECIFIER',
      `Invalid module "${name}" is not a valid internal imports specifier name` +
      importedFrom(base));
  }
  if (scopeDir && imports !== null && typeof imports === 'object') {
    const ctx = { pkgDir: scopeDir, base, conditions, internal: true, resolveBare };
    if (Object.prototype.hasOwnProperty.call(imports, name) && !name.includes('*')) {
      const r = target(ctx, imports[name], '', name, false);
      if (r !== null && r !== undefined) return r;
    } else {
      const best = bestPattern(imports, name);
      if (best) {
        const r = target(ctx, imports[best[0]], best[1], best[0], true);
        if (r !== null && r !== undefined) return r;
      }
    }
  }
  throw importNotDefined(name, scopeDir, base);
}

module.exports = { exportsResolve, importsResolve };
