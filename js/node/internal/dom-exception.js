// node/internal/dom-exception.js — the DOMException global.
//
// WebIDL DOMException as Node exposes it: `new DOMException(message = '',
// nameOrOptions = 'Error')` where options is { name, cause }; name, message
// and code are prototype getters over private state; the legacy code
// constants (INDEX_SIZE_ERR = 1 … DATA_CLONE_ERR = 25) sit on both the
// constructor and the prototype; the prototype chain ends in
// Error.prototype so instanceof Error and util.inspect treat it as an error.
// Own code.
'use strict';

const legacyCodes = [
  ['IndexSizeError', 'INDEX_SIZE_ERR'],
  ['DOMStringSizeError', 'DOMSTRING_SIZE_ERR'],
  ['HierarchyRequestError', 'HIERARCHY_REQUEST_ERR'],
  ['WrongDocumentError', 'WRONG_DOCUMENT_ERR'],
  ['InvalidCharacterError', 'INVALID_CHARACTER_ERR'],
  ['NoDataAllowedError', 'NO_DATA_ALLOWED_ERR'],
  ['NoModificationAllowedError', 'NO_MODIFICATION_ALLOWED_ERR'],
  ['NotFoundError', 'NOT_FOUND_ERR'],
  ['NotSupportedError', 'NOT_SUPPORTED_ERR'],
  ['InUseAttributeError', 'INUSE_ATTRIBUTE_ERR'],
  ['InvalidStateError', 'INVALID_STATE_ERR'],
  ['SyntaxError', 'SYNTAX_ERR'],
  ['InvalidModificationError', 'INVALID_MODIFICATION_ERR'],
  ['NamespaceError', 'NAMESPACE_ERR'],
  ['InvalidAccessError', 'INVALID_ACCESS_ERR'],
  ['ValidationError', 'VALIDATION_ERR'],
  ['TypeMismatchError', 'TYPE_MISMATCH_ERR'],
  ['SecurityError', 'SECURITY_ERR'],
  ['NetworkError', 'NETWORK_ERR'],
  ['AbortError', 'ABORT_ERR'],
  ['URLMismatchError', 'URL_MISMATCH_ERR'],
  ['QuotaExceededError', 'QUOTA_EXCEEDED_ERR'],
  ['TimeoutError', 'TIMEOUT_ERR'],
  ['InvalidNodeTypeError', 'INVALID_NODE_TYPE_ERR'],
  ['DataCloneError', 'DATA_CLONE_ERR'],
];
const codeOfName = new Map(legacyCodes.map(([name], i) => [name, i + 1]));

const state = new WeakMap();

function internal(self) {
  const s = state.get(self);
  if (s === undefined) {
    const { codes } = require('./errors');
    throw codes.ERR_INVALID_THIS('DOMException');
  }
  return s;
}

class DOMException {
  constructor(message = '', options = 'Error') {
    Error.captureStackTrace(this);
    let name;
    if (options !== null && typeof options === 'object') {
      name = 'name' in options ? `${options.name}` : 'Error';
      if ('cause' in options) {
        Object.defineProperty(this, 'cause', {
          value: options.cause, configurable: true, writable: true, enumerable: false,
        });
      }
    } else {
      name = `${options}`;
    }
    state.set(this, { message: `${message}`, name });
  }

  get name() {
    return internal(this).name;
  }

  get message() {
    return internal(this).message;
  }

  get code() {
    const code = codeOfName.get(internal(this).name);
    return code === undefined ? 0 : code;
  }
}

Object.setPrototypeOf(DOMException.prototype, Error.prototype);
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, {
  value: 'DOMException', configurable: true,
});
for (const key of ['name', 'message', 'code']) {
  const desc = Object.getOwnPropertyDescriptor(DOMException.prototype, key);
  desc.enumerable = true;
  Object.defineProperty(DOMException.prototype, key, desc);
}
legacyCodes.forEach(([, constant], i) => {
  const desc = { value: i + 1, enumerable: true, writable: false, configurable: false };
  Object.defineProperty(DOMException, constant, desc);
  Object.defineProperty(DOMException.prototype, constant, desc);
});

module.exports = { DOMException };
