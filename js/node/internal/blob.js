// node/internal/blob.js — Blob and File.
//
// Own code. A Blob is an immutable copy of its parts' bytes (strings are
// UTF-8 encoded; endings: 'native' turns LF/CRLF into LF, the platform's
// line end); `type` is lower-cased, or '' if it has characters outside
// U+0020–U+007E. text() / arrayBuffer() / bytes() resolve on a microtask;
// stream() returns a web ReadableStream when the bootstrap provides one.
// util.inspect prints `Blob { size, type }` and
// `File { size, type, name, lastModified }` as Node does. The object-URL
// registry behind URL.createObjectURL / buffer.resolveObjectURL lives here
// too (per isolate, entries live until revoked).
'use strict';

const { codes } = require('./errors');
const { utf8Encode, TextDecoder } = require('./encoding');

const kInspect = Symbol.for('nodejs.util.inspect.custom');

function lazyInspect() {
  return require('../util').inspect;
}

function partBytes(part, endings) {
  if (typeof part === 'string') {
    if (endings === 'native') part = part.replace(/\r?\n/g, '\n');
    return utf8Encode(part);
  }
  if (ArrayBuffer.isView(part)) {
    return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
  }
  const tag = Object.prototype.toString.call(part);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
    return new Uint8Array(part.slice(0));
  }
  if (isBlob(part)) return bytesOf(part);
  return utf8Encode(`${part}`);
}

function normalizeType(type) {
  type = `${type}`;
  return /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : '';
}

class Blob {
  #bytes;
  #type;

  constructor(sources = [], options = undefined) {
    if (sources === null || typeof sources !== 'object' ||
        typeof sources[Symbol.iterator] !== 'function') {
      throw codes.ERR_INVALID_ARG_TYPE('sources', 'a sequence', sources);
    }
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    const endings = options && options.endings !== undefined ? `${options.endings}` : 'transparent';
    if (endings !== 'transparent' && endings !== 'native') {
      throw codes.ERR_INVALID_ARG_VALUE('options.endings', endings);
    }
    const parts = [];
    let length = 0;
    for (const part of sources) {
      const bytes = partBytes(part, endings);
      parts.push(bytes);
      length += bytes.length;
    }
    const all = new Uint8Array(length);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    this.#bytes = all;
    this.#type = options && options.type !== undefined ? normalizeType(options.type) : '';
  }

  static _isBlob(value) {
    return value !== null && typeof value === 'object' && #bytes in value;
  }

  static _bytesOf(blob) {
    return blob.#bytes;
  }

  get type() {
    return this.#type;
  }

  get size() {
    return this.#bytes.length;
  }

  slice(start = 0, end = this.#bytes.length, contentType = '') {
    const size = this.#bytes.length;
    const rel = (v) => {
      v = Math.trunc(Number(v)) || 0;
      return v < 0 ? Math.max(size + v, 0) : Math.min(v, size);
    };
    const from = rel(start);
    const to = rel(end);
    const out = new Blob([], { type: contentType });
    out.#bytes = this.#bytes.slice(from, Math.max(from, to));
    return out;
  }

  arrayBuffer() {
    const bytes = this.#bytes;
    return Promise.resolve().then(() => bytes.slice().buffer);
  }

  text() {
    const bytes = this.#bytes;
    return Promise.resolve().then(() => new TextDecoder().decode(bytes));
  }

  bytes() {
    const bytes = this.#bytes;
    return Promise.resolve().then(() => bytes.slice());
  }

  stream() {
    const RS = globalThis.ReadableStream;
    if (typeof RS !== 'function') throw codes.ERR_METHOD_NOT_IMPLEMENTED('stream()');
    const bytes = this.#bytes;
    return new RS({
      type: 'bytes',
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes.slice());
        controller.close();
      },
    });
  }

  [kInspect](depth, options) {
    if (depth < 0) return this;
    const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
    return `Blob ${lazyInspect()({ size: this.size, type: this.type }, opts)}`;
  }
}

const isBlob = Blob._isBlob;
const bytesOf = Blob._bytesOf;
delete Blob._isBlob;
delete Blob._bytesOf;

class File extends Blob {
  #name;
  #lastModified;

  constructor(fileBits, fileName, options = {}) {
    if (arguments.length < 2) throw codes.ERR_MISSING_ARGS('fileBits', 'fileName');
    super(fileBits, options);
    this.#name = `${fileName}`;
    const lm = options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
    this.#lastModified = Number.isFinite(lm) ? Math.trunc(lm) : 0;
  }

  get name() {
    return this.#name;
  }

  get lastModified() {
    return this.#lastModified;
  }

  [kInspect](depth, options) {
    if (depth < 0) return this;
    const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
    return `File ${lazyInspect()({
      size: this.size, type: this.type, name: this.#name, lastModified: this.#lastModified,
    }, opts)}`;
  }
}

for (const C of [Blob, File]) {
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    if (key === 'constructor') continue;
    const desc = Object.getOwnPropertyDescriptor(C.prototype, key);
    desc.enumerable = true;
    Object.defineProperty(C.prototype, key, desc);
  }
  Object.defineProperty(C.prototype, Symbol.toStringTag, {
    value: C.name, writable: false, enumerable: false, configurable: true,
  });
}

// ---- object URLs -------------------------------------------------------------

const objectURLs = new Map();
let objectURLCounter = 0;

function randomId() {
  const hex = (n) => Math.floor(Math.random() * 16 ** n).toString(16).padStart(n, '0');
  objectURLCounter++;
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + (objectURLCounter % 4)).toString(16)}${hex(3)}-${hex(12)}`;
}

function createObjectURL(blob) {
  if (!isBlob(blob)) throw codes.ERR_INVALID_ARG_TYPE('obj', 'Blob', blob);
  const url = `blob:nodedata:${randomId()}`;
  objectURLs.set(url, blob);
  return url;
}

function revokeObjectURL(url) {
  objectURLs.delete(`${url}`);
}

function resolveObjectURL(url) {
  const blob = objectURLs.get(`${url}`);
  return blob === undefined ? undefined : blob;
}

module.exports = { Blob, File, isBlob, createObjectURL, revokeObjectURL, resolveObjectURL };
