// node/internal/errors.js — Node-style errors for the polyfilled modules.
//
// Each `codes.ERR_X(...)` (call it with or without `new`) returns an instance
// of the plain built-in class (TypeError, RangeError, Error) whose `code` is
// an own enumerable property, whose message is worded like Node 22's, and
// whose stack header and toString() read `TypeError [ERR_X]: message`, which
// is what Node prints for its own errors. util.inspect is loaded lazily
// (util requires this module). Own code; no Node source is copied.
'use strict';

let inspectCache;
function inspect(value, opts) {
  if (inspectCache === undefined) inspectCache = require('../util').inspect;
  return inspectCache(value, opts);
}

function codeToString() {
  return `${this.name} [${this.code}]: ${this.message}`;
}

// Builds the error. V8 formats `stack` on first read from the name and
// message of that moment, so the name carries the code for that one read.
// Its stack starts at the caller of `hideFrom` (the codes.ERR_X function
// when made through it), as Node's errors show none of their own making.
function makeNodeError(Base, code, message, props, hideFrom = makeNodeError) {
  const err = new Base(message);
  const name = err.name;
  Object.defineProperty(err, 'name', {
    value: `${name} [${code}]`, configurable: true, writable: true, enumerable: false,
  });
  Error.captureStackTrace(err, hideFrom);
  err.stack; // eslint-disable-line no-unused-expressions
  delete err.name;
  Object.defineProperty(err, 'toString', {
    value: codeToString, configurable: true, writable: true, enumerable: false,
  });
  err.code = code;
  if (props !== undefined) Object.assign(err, props);
  return err;
}

// A Node error's stack made again from the caller of hideFrom (Node's
// hideStackFrames: the helper that made the error is not shown).
function restack(err, hideFrom) {
  Object.defineProperty(err, 'name', {
    value: `${err.name} [${err.code}]`, configurable: true, writable: true, enumerable: false,
  });
  Error.captureStackTrace(err, hideFrom);
  err.stack; // eslint-disable-line no-unused-expressions
  delete err.name;
  return err;
}

const kPrimitiveTypes = ['string', 'function', 'number', 'object', 'Function', 'Object',
  'boolean', 'bigint', 'symbol'];
const kClassName = /^([A-Z][a-z0-9]*)+$/;

function formatList(list, last = 'and') {
  if (list.length <= 2) return list.join(` ${last} `);
  return `${list.slice(0, -1).join(', ')}, ${last} ${list[list.length - 1]}`;
}

// "Received …" part of Node's argument errors.
function determineSpecificType(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  const type = typeof value;
  if (type === 'function') return `function ${value.name}`;
  if (type === 'object') {
    const ctor = value.constructor;
    if (ctor && ctor.name) return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  if (type === 'string') {
    // cut before quoting; double quotes (JSON) only around a single quote
    const cut = value.length > 28 ? `${value.slice(0, 25)}...` : value;
    return cut.includes("'") ? `type string (${JSON.stringify(cut)})` : `type string ('${cut}')`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${type} (${shown})`;
}

function invalidArgTypeMessage(name, expected, actual) {
  if (!Array.isArray(expected)) expected = [expected];
  let msg = 'The ';
  if (name.endsWith(' argument')) msg += `${name} `;
  else msg += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `;
  msg += 'must be ';
  const types = [];
  const instances = [];
  const other = [];
  for (const value of expected) {
    if (kPrimitiveTypes.includes(value)) types.push(value.toLowerCase());
    else if (kClassName.test(value)) instances.push(value);
    else other.push(value);
  }
  if (instances.length > 0) {
    const pos = types.indexOf('object');
    if (pos !== -1) {
      types.splice(pos, 1);
      instances.push('Object');
    }
  }
  if (types.length > 0) {
    msg += `${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`;
    if (instances.length > 0 || other.length > 0) msg += ' or ';
  }
  if (instances.length > 0) {
    msg += `an instance of ${formatList(instances, 'or')}`;
    if (other.length > 0) msg += ' or ';
  }
  if (other.length > 0) {
    if (other.length > 1) msg += `one of ${formatList(other, 'or')}`;
    else {
      if (other[0].toLowerCase() !== other[0]) msg += 'an ';
      msg += other[0];
    }
  }
  return `${msg}. Received ${determineSpecificType(actual)}`;
}

function addNumericalSeparator(val) {
  let res = '';
  let i = val.length;
  const start = val[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
  return `${val.slice(0, i)}${res}`;
}

function outOfRangeReceived(input) {
  if (Number.isInteger(input) && Math.abs(input) > 2 ** 32) {
    return addNumericalSeparator(String(input));
  }
  if (typeof input === 'bigint') {
    let s = String(input);
    if (input > 2n ** 32n || input < -(2n ** 32n)) s = addNumericalSeparator(s);
    return `${s}n`;
  }
  return inspect(input);
}

// The message builders. Each returns the message, or [message, extra own
// properties].
const messages = {
  ERR_INVALID_ARG_TYPE: [TypeError, invalidArgTypeMessage],
  ERR_INVALID_ARG_VALUE: [TypeError, (name, value, reason = 'is invalid') => {
    let shown = inspect(value);
    if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
    const kind = String(name).includes('.') ? 'property' : 'argument';
    return `The ${kind} '${name}' ${reason}. Received ${shown}`;
  }],
  ERR_OUT_OF_RANGE: [RangeError, (name, range, input, replaceDefaultBoolean = false) =>
    `${replaceDefaultBoolean ? name : `The value of "${name}" is out of range.`} It must be ${range}. Received ${outOfRangeReceived(input)}`],
  ERR_BUFFER_OUT_OF_BOUNDS: [RangeError, (name) => (name
    ? `"${name}" is outside of buffer bounds`
    : 'Attempt to access memory outside buffer bounds')],
  ERR_MISSING_ARGS: [TypeError, (...names) => {
    const wrapped = names.map((n) => (Array.isArray(n) ? n.map((x) => `"${x}"`).join(' or ') : `"${n}"`));
    let msg = 'The ';
    if (wrapped.length === 1) msg += `${wrapped[0]} argument`;
    else if (wrapped.length === 2) msg += `${wrapped[0]} and ${wrapped[1]} arguments`;
    else msg += `${wrapped.slice(0, -1).join(', ')}, and ${wrapped[wrapped.length - 1]} arguments`;
    return `${msg} must be specified`;
  }],
  // (stringified error, the error itself)
  ERR_UNHANDLED_ERROR: [Error, (shown = undefined, context = undefined) => [
    shown === undefined ? 'Unhandled error.' : `Unhandled error. (${shown})`,
    { context },
  ]],
  ERR_SERVER_NOT_RUNNING: [Error, () => 'Server is not running.'],
  ERR_INVALID_HTTP_TOKEN: [TypeError, (name, field) => `${name} must be a valid HTTP token ["${field}"]`],
  ERR_HTTP_INVALID_HEADER_VALUE: [TypeError, (value, name) => `Invalid value "${value}" for header "${name}"`],
  ERR_INVALID_CHAR: [TypeError, (name, field) => (field === undefined
    ? `Invalid character in ${name}` : `Invalid character in ${name} ["${field}"]`)],
  ERR_HTTP_HEADERS_SENT: [Error, (action) => `Cannot ${action} headers after they are sent to the client`],
  ERR_HTTP_INVALID_STATUS_CODE: [RangeError, (code) =>
    `Invalid status code: ${typeof code === 'object' && code !== null ? inspect(code, { depth: 0 }) : code}`],
  ERR_INVALID_ADDRESS_FAMILY: [RangeError, (addressType, host, port) =>
    [`Invalid address family: ${addressType} ${host}:${port}`, { host, port }]],
  ERR_INVALID_HANDLE_TYPE: [TypeError, () => 'This handle type cannot be sent'],
  ERR_HTTP_SOCKET_ASSIGNED: [Error, () => 'ServerResponse has an already assigned socket'],
  ERR_HTTP_SOCKET_ENCODING: [Error, () => 'Changing the socket encoding is not allowed per RFC7230 Section 3.'],
  ERR_HTTP_REQUEST_TIMEOUT: [Error, () => 'Request timeout'],
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: [Error, () => 'Socket closed before the connection was established'],
  ERR_STREAM_WRITE_AFTER_END: [Error, () => 'write after end'],
  ERR_SOCKET_BAD_PORT: [RangeError, (name, port, allowZero = true) =>
    `${name} should be ${allowZero ? '>=' : '>'} 0 and < 65536. Received ${typeof port === 'string' ? `type string ('${port}')` : `type ${typeof port} (${port})`}.`],
  ERR_SERVER_ALREADY_LISTEN: [Error, () => 'Listen method has been called more than once without closing.'],
  ERR_SOCKET_CLOSED: [Error, () => 'Socket is closed'],
  ERR_TLS_CERT_ALTNAME_INVALID: [Error, (reason, host, cert) =>
    [`Hostname/IP does not match certificate's altnames: ${reason}`, { reason, host, cert }]],
  ERR_TLS_INVALID_PROTOCOL_VERSION: [TypeError, (version, which) =>
    `${JSON.stringify(version)} is not a valid ${which} TLS protocol version`],
  ERR_TLS_PROTOCOL_VERSION_CONFLICT: [TypeError, (prev, method) =>
    `TLS protocol version ${JSON.stringify(prev)} conflicts with secureProtocol ${JSON.stringify(method)}`],
  ERR_TLS_HANDSHAKE_TIMEOUT: [Error, () => 'TLS handshake timeout'],
  ERR_TLS_RENEGOTIATION_DISABLED: [Error, () => 'TLS session renegotiation disabled for this socket'],
  ERR_TLS_INVALID_CONTEXT: [TypeError, (name) => `${name} must be a SecureContext`],
  ERR_TLS_INVALID_STATE: [Error, () => 'TLS socket connection must be securely established'],
  ERR_TLS_SNI_FROM_SERVER: [Error, () => 'Cannot issue SNI from a TLS server-side socket'],
  ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS: [TypeError, () =>
    'The ALPNCallback and ALPNProtocols TLS options are mutually exclusive'],
  ERR_TLS_ALPN_CALLBACK_INVALID_RESULT: [TypeError, (value, protocols) =>
    `ALPN callback returned a value (${value}) that did not match any of the client's offered protocols (${protocols.join(', ')})`],
  ERR_TLS_DH_PARAM_SIZE: [Error, (size) => `DH parameter size ${size} is less than 2048`],
  ERR_TLS_REQUIRED_SERVER_NAME: [Error, () => '"servername" is required parameter for Server.addContext'],
  ERR_TLS_SESSION_ATTACK: [Error, () => 'TLS session renegotiation attack detected'],
  ERR_SOCKET_DGRAM_NOT_RUNNING: [Error, () => 'Not running'],
  ERR_SOCKET_DGRAM_IS_CONNECTED: [Error, () => 'Already connected'],
  ERR_SOCKET_DGRAM_NOT_CONNECTED: [Error, () => 'Not connected'],
  ERR_SOCKET_ALREADY_BOUND: [Error, () => 'Socket is already bound'],
  ERR_SOCKET_BAD_TYPE: [TypeError, () => 'Bad socket type specified. Valid types are: udp4, udp6'],
  ERR_SOCKET_BAD_BUFFER_SIZE: [TypeError, () => 'Buffer size must be a positive integer'],
  ERR_INVALID_FD_TYPE: [TypeError, (type) => `Unsupported fd type: ${type}`],
  ERR_INVALID_ADDRESS: [Error, () => 'Invalid socket address'],
  ERR_IP_BLOCKED: [Error, (ip) => `IP(${ip}) is blocked by net.BlockList`],
  ERR_INVALID_IP_ADDRESS: [TypeError, (ip) => `Invalid IP address: ${ip}`],
  ERR_INVALID_PROTOCOL: [TypeError, (protocol, expected) =>
    `Protocol "${protocol}" not supported. Expected "${expected}"`],
  ERR_UNESCAPED_CHARACTERS: [TypeError, (name) => `${name} contains unescaped characters`],
  ERR_STREAM_ALREADY_FINISHED: [Error, (method) => `Cannot call ${method} after a stream was finished`],
  ERR_STREAM_NULL_VALUES: [TypeError, () => 'May not write null values to stream'],
  ERR_STREAM_DESTROYED: [Error, (name) => `Cannot call ${name} after a stream was destroyed`],
  ERR_HTTP_BODY_NOT_ALLOWED: [Error, () =>
    'Adding content for this request method or response status is not allowed.'],
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: [Error, (actual, expected) =>
    `Response body's content-length of ${actual} byte(s) does not match the content-length of ${expected} byte(s) set in header`],
  ERR_HTTP_TRAILER_INVALID: [Error, () => 'Trailers are invalid with this transfer encoding'],
  ERR_INVALID_THIS: [TypeError, (type) => `Value of "this" must be of type ${type}`],
  ERR_METHOD_NOT_IMPLEMENTED: [Error, (name) => `The ${name} method is not implemented`],
  ERR_INVALID_URL: [TypeError, (input, base) =>
    ['Invalid URL', base === undefined ? { input } : { input, base }]],
  ERR_INVALID_URL_SCHEME: [TypeError, (expected) => `The URL must be of scheme ${expected}`],
  ERR_INVALID_FILE_URL_HOST: [TypeError, (platform) =>
    `File URL host must be "localhost" or empty on ${platform}`],
  ERR_INVALID_FILE_URL_PATH: [TypeError, (msg) => `File URL path ${msg}`],
  ERR_INVALID_RETURN_VALUE: [TypeError, (input, name, value) =>
    `Expected ${input} to be returned from the "${name}" function but got ${determineSpecificType(value)}.`],
  ERR_FALSY_VALUE_REJECTION: [Error, (reason) =>
    ['Promise was rejected with falsy value', { reason }]],
  ERR_UNKNOWN_ENCODING: [TypeError, (enc) => `Unknown encoding: ${enc}`],
  ERR_ENCODING_NOT_SUPPORTED: [RangeError, (enc) => `The "${enc}" encoding is not supported`],
  ERR_ENCODING_INVALID_ENCODED_DATA: [TypeError, (enc) =>
    `The encoded data was not valid for encoding ${enc}`],
  ERR_ILLEGAL_CONSTRUCTOR: [TypeError, () => 'Illegal constructor'],
  ERR_USE_AFTER_CLOSE: [Error, (name) => `${name} was closed`],
  ERR_UNKNOWN_CREDENTIAL: [Error, (type, id) => `${type} identifier does not exist: ${id}`],
  ERR_INVALID_CURSOR_POS: [TypeError, () => 'Cannot set cursor row without setting its column'],
  ERR_PERFORMANCE_INVALID_TIMESTAMP: [TypeError, (ts) =>
    `${ts} is not a valid timestamp`],
  ERR_PERFORMANCE_MEASURE_INVALID_OPTIONS: [TypeError, (msg) => msg],
  ERR_ASYNC_CALLBACK: [TypeError, (name) => `${name} must be a function`],
  ERR_ASYNC_TYPE: [TypeError, (type) => `Invalid name for async "type": ${type}`],
  ERR_INVALID_ASYNC_ID: [RangeError, (type, id) => `Invalid ${type} value: ${id}`],
  ERR_INVALID_STATE: [Error, (msg) => `Invalid state: ${msg}`],
  ERR_CONSOLE_WRITABLE_STREAM: [TypeError, (name) =>
    `Console expects a writable stream instance for ${name}`],
  ERR_EVENT_RECURSION: [Error, (type) => `The event "${type}" is already being dispatched`],
  ERR_AMBIGUOUS_ARGUMENT: [TypeError, (name, reason) =>
    `The "${name}" argument is ambiguous. ${reason}`],
  ERR_INVALID_MIME_SYNTAX: [TypeError, (production, str, invalidIndex) =>
    `The MIME syntax for a ${production} in "${str}" is invalid` +
    (invalidIndex !== -1 ? ` at ${invalidIndex}` : '')],
  ERR_PARSE_ARGS_INVALID_OPTION_VALUE: [TypeError, (msg) => msg],
  ERR_PARSE_ARGS_UNKNOWN_OPTION: [TypeError, (option, allowPositionals) => {
    const hint = allowPositionals
      ? `. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- ${JSON.stringify(option)}`
      : '';
    return `Unknown option '${option}'${hint}`;
  }],
  ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL: [TypeError, (arg) =>
    `Unexpected argument '${arg}'. This command does not take positional arguments`],
  ERR_UNKNOWN_SIGNAL: [TypeError, (signal) => `Unknown signal: ${signal}`],
  ERR_INVALID_SYNC_FORK_INPUT: [TypeError, (value) =>
    `Asynchronous forks do not support Buffer, TypedArray, DataView or string input: ${value}`],
  ERR_IPC_ONE_PIPE: [Error, () => 'Child process can have only one IPC pipe'],
  ERR_IPC_SYNC_FORK: [Error, () => 'IPC cannot be used with synchronous forks'],
  ERR_IPC_CHANNEL_CLOSED: [Error, () => 'Channel closed'],
  ERR_IPC_DISCONNECTED: [Error, () => 'IPC channel is already disconnected'],
  ERR_CHILD_PROCESS_IPC_REQUIRED: [Error, (name) =>
    `Forked processes must have an IPC channel, missing value 'ipc' in ${name}`],
  ERR_CHILD_PROCESS_STDIO_MAXBUFFER: [RangeError, (name) => `${name} maxBuffer length exceeded`],
  ERR_ARG_NOT_ITERABLE: [TypeError, (name) => `${name} must be iterable`],
  ERR_INCOMPATIBLE_OPTION_PAIR: [TypeError, (a, b) => `Option "${a}" cannot be used in combination with option "${b}"`],
  ERR_INVALID_TUPLE: [TypeError, (name, value) => `${name} must be an iterable ${value} tuple`],
};

// codes.ERR_X(...args), with or without `new`, returns the error.
const codes = {};
for (const code of Object.keys(messages)) {
  const [Base, build] = messages[code];
  codes[code] = function NodeError(...args) {
    const out = build(...args);
    return Array.isArray(out)
      ? makeNodeError(Base, code, out[0], out[1], NodeError)
      : makeNodeError(Base, code, out, undefined, NodeError);
  };
}

// Node's AbortError (the one `events`, `stream`, `timers/promises` reject
// with): name AbortError, code ABORT_ERR, optional cause.
class AbortError extends Error {
  constructor(message = 'The operation was aborted', options = undefined) {
    super(message, options);
    this.code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}

// Node's SystemError (ERR_SYSTEM_ERROR, ERR_FS_EISDIR, ERR_FS_CP_*): `info` carries the
// details; errno/syscall/path read and write through to it, and inspect
// shows their values (Node inspects SystemError with getters on).
function systemError(code, prefix, info) {
  let message = `${prefix}: ${info.syscall} returned ${info.code} (${info.message})`;
  if (info.path !== undefined) message += ` ${info.path}`;
  if (info.dest !== undefined) message += ` => ${info.dest}`;
  const err = new Error(message);
  Object.defineProperty(err, 'name', {
    value: `SystemError [${code}]`, configurable: true, writable: true, enumerable: false,
  });
  Error.captureStackTrace(err, systemError);
  err.stack; // eslint-disable-line no-unused-expressions
  Object.defineProperty(err, 'name', {
    value: 'SystemError', configurable: true, writable: true, enumerable: false,
  });
  Object.defineProperty(err, 'toString', {
    value() { return `${this.name} [${this.code}]: ${this.message}`; },
    configurable: true, writable: true, enumerable: false,
  });
  err.code = code;
  err.info = info;
  for (const key of ['errno', 'syscall', 'path', 'dest']) {
    if (info[key] === undefined) continue;
    Object.defineProperty(err, key, {
      get() { return info[key]; },
      set(v) { info[key] = v; },
      enumerable: true, configurable: true,
    });
  }
  Object.defineProperty(err, Symbol.for('nodejs.util.inspect.custom'), {
    value(depth, ctx, inspect) {
      return inspect(this, { ...ctx, getters: true, customInspect: false });
    },
    configurable: true, writable: true, enumerable: false,
  });
  return err;
}

// Node's AbortError for an aborted operation (reason kept as its cause).
function abortError(reason) {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  err.code = 'ABORT_ERR';
  if (reason !== undefined) err.cause = reason;
  return err;
}

module.exports = {
  abortError,
  systemError,
  codes,
  makeNodeError,
  restack,
  determineSpecificType,
  formatList,
  addNumericalSeparator,
  AbortError,
};
