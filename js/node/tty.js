// node/tty.js — Node's `tty` module for a guest that never has a terminal.
//
// isatty(fd) is always false (the launcher gives the guest pipes or files).
// ReadStream / WriteStream exist so that `instanceof` checks and feature
// tests work; they report a 1-bit colour depth (so hasColors() is false
// for 16 colours) and 80x24. Own code over stream.
'use strict';

const { Readable, Writable } = require('./stream');
const { codes } = require('./internal/errors');

function isatty(fd) {
  return false;
}

class ReadStream extends Readable {
  constructor(fd, options = undefined) {
    if (!Number.isInteger(fd) || fd < 0) throw codes.ERR_INVALID_ARG_TYPE('fd', 'number', fd);
    super(options);
    this.fd = fd;
    this.isRaw = false;
    this.isTTY = true;
  }

  _read() {
    this.push(null);
  }

  setRawMode(flag) {
    this.isRaw = !!flag;
    return this;
  }
}

class WriteStream extends Writable {
  constructor(fd) {
    if (!Number.isInteger(fd) || fd < 0) throw codes.ERR_INVALID_ARG_TYPE('fd', 'number', fd);
    super();
    this.fd = fd;
    this.isTTY = true;
    this.columns = 80;
    this.rows = 24;
  }

  _write(chunk, encoding, callback) {
    callback();
  }

  getColorDepth() {
    return 1;
  }

  hasColors(count = 16) {
    return count <= 2 ** this.getColorDepth();
  }

  getWindowSize() {
    return [this.columns, this.rows];
  }

  clearLine(dir, callback) {
    if (typeof callback === 'function') process.nextTick(callback);
    return true;
  }

  clearScreenDown(callback) {
    if (typeof callback === 'function') process.nextTick(callback);
    return true;
  }

  cursorTo(x, y, callback) {
    if (typeof y === 'function') callback = y;
    if (typeof callback === 'function') process.nextTick(callback);
    return true;
  }

  moveCursor(dx, dy, callback) {
    if (typeof callback === 'function') process.nextTick(callback);
    return true;
  }
}

module.exports = { isatty, ReadStream, WriteStream };
