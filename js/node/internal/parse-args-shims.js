'use strict';
// What @pkgjs/parseargs (Node's own parseArgs, published as a package)
// requires as './internal/errors' and './internal/validators', routed here
// by the build (build-support.js): its errors become Node's (TypeError
// with Node's code and message, "The "args" argument must be an instance
// of Array..."), not the package's plain stand-ins.

const { codes } = require('./errors');
const v = require('./validators');

function validateArray(value, name) {
  if (!Array.isArray(value)) throw codes.ERR_INVALID_ARG_TYPE(name, 'Array', value);
}

function validateUnion(value, name, union) {
  if (!union.includes(value)) {
    throw codes.ERR_INVALID_ARG_TYPE(name, `('${union.join('|')}')`, value);
  }
}

function arrayOf(check) {
  return function validateArrayOf(value, name) {
    validateArray(value, name);
    for (let i = 0; i < value.length; i++) check(value[i], `${name}[${i}]`);
  };
}

module.exports = {
  codes,
  validateArray,
  validateBoolean: v.validateBoolean,
  validateBooleanArray: arrayOf(v.validateBoolean),
  validateObject: v.validateObject,
  validateString: v.validateString,
  validateStringArray: arrayOf(v.validateString),
  validateUnion,
};
