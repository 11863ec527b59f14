// node/tty.js — Node's `tty` module. The guest never holds a terminal: its
// stdout and stderr are the relay's pipes. When the host's side of one is a
// terminal, the launcher says so (internal/terminal.js, once per run,
// from the bootstrap): isatty(1) / isatty(2) are then true and process.stdout /
// process.stderr are WriteStreams with the terminal's size (updated on the
// host's window changes, with 'resize') and the colour depth Node finds in
// the host's environment; their cursor and clearing methods write the same
// escape sequences Node's do, through the relay. Standard input is always
// pumped through a pipe: isatty(0) is false and there is no raw mode.
// A WriteStream made by guest code writes nowhere. Own code over stream.
'use strict';

const { Readable, Writable } = require('./stream');
const { codes } = require('./internal/errors');

const { terminal } = require('./internal/terminal');

function isatty(fd) {
  return (fd === 1 && terminal.stdout === true) || (fd === 2 && terminal.stderr === true);
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

// Node's colour depth rules (getColorDepth): 1, 4, 8 or 24 bits from the
// variables of env.
const COLORS_2 = 1;
const COLORS_16 = 4;
const COLORS_256 = 8;
const COLORS_16m = 24;
const termDepths = {
  __proto__: null,
  eterm: COLORS_16, cons25: COLORS_16, console: COLORS_16, cygwin: COLORS_16,
  dtterm: COLORS_16, gnome: COLORS_16, hurd: COLORS_16, jfbterm: COLORS_16,
  konsole: COLORS_16, kterm: COLORS_16, mlterm: COLORS_16, mosh: COLORS_16m,
  putty: COLORS_16, st: COLORS_16, 'rxvt-unicode-24bit': COLORS_16m, terminator: COLORS_16m,
};
const term16 = /ansi|color|linux|^con[0-9]*x[0-9]|^rxvt|^screen|^xterm|^vt100/;
const ciNames = ['APPVEYOR', 'BUILDKITE', 'CIRCLECI', 'DRONE', 'GITHUB_ACTIONS', 'GITLAB_CI',
  'TRAVIS'];

let warnedForced = false;
function warnForced(env) {
  if (warnedForced) return;
  const names = [];
  if (env.NODE_DISABLE_COLORS !== undefined) names.push('NODE_DISABLE_COLORS');
  if (env.NO_COLOR !== undefined) names.push('NO_COLOR');
  if (names.length === 0) return;
  warnedForced = true;
  process.emitWarning(
    `The '${names.join("' and '")}' env is ignored due to the 'FORCE_COLOR' env being set.`,
    'Warning');
}

function colorDepthOf(env) {
  if (env.FORCE_COLOR !== undefined) {
    const depth = { '': COLORS_16, 1: COLORS_16, true: COLORS_16, 2: COLORS_256, 3: COLORS_16m }[
      env.FORCE_COLOR];
    if (depth === undefined) return COLORS_2;
    warnForced(env);
    return depth;
  }
  if (env.NODE_DISABLE_COLORS !== undefined || env.NO_COLOR !== undefined ||
      env.TERM === 'dumb') {
    return COLORS_2;
  }
  if (env.TMUX) return COLORS_256;
  if (env.CI) {
    return ciNames.some((name) => name in env) || env.CI_NAME === 'codeship'
      ? COLORS_256 : COLORS_2;
  }
  if ('TEAMCITY_VERSION' in env) {
    return /^(9\.(0*[1-9]\d*)\.|\d{2,}\.)/.test(env.TEAMCITY_VERSION) ? COLORS_16 : COLORS_2;
  }
  if (env.TERM_PROGRAM === 'iTerm.app') {
    return !env.TERM_PROGRAM_VERSION || /^[0-2]\./.test(env.TERM_PROGRAM_VERSION)
      ? COLORS_256 : COLORS_16m;
  }
  if (env.TERM_PROGRAM === 'HyperTerm' || env.TERM_PROGRAM === 'MacTerm') return COLORS_16m;
  if (env.TERM_PROGRAM === 'Apple_Terminal') return COLORS_256;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return COLORS_16m;
  if (env.TERM) {
    if (/^xterm-256/.test(env.TERM)) return COLORS_256;
    const term = String(env.TERM).toLowerCase();
    if (termDepths[term]) return termDepths[term];
    if (term16.test(term)) return COLORS_16;
  }
  return env.COLORTERM ? COLORS_16 : COLORS_2;
}

// readline's escape sequences (CSI)
const kClearToLineBeginning = '\x1b[1K';
const kClearToLineEnd = '\x1b[0K';
const kClearLine = '\x1b[2K';
const kClearScreenDown = '\x1b[0J';

function done(callback) {
  if (typeof callback === 'function') process.nextTick(callback, null);
  return true;
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

  // Without an env: the host's terminal as Node would judge it from the
  // host's environment, unless the guest's own process.env forces or
  // disables colours.
  getColorDepth(env = undefined) {
    if (env === undefined) {
      env = process.env;
      if (terminal.colorDepth > 0 && env.FORCE_COLOR === undefined &&
          env.NO_COLOR === undefined && env.NODE_DISABLE_COLORS === undefined) {
        return terminal.colorDepth;
      }
    }
    return colorDepthOf(env);
  }

  hasColors(count = undefined, env = undefined) {
    if (env === undefined &&
        (count === undefined || (typeof count === 'object' && count !== null))) {
      env = count;
      count = 16;
    } else if (!Number.isInteger(count)) {
      throw codes.ERR_INVALID_ARG_TYPE('count', 'number', count);
    } else if (count < 2) {
      throw codes.ERR_OUT_OF_RANGE('count', '>= 2', count);
    }
    return count <= 2 ** this.getColorDepth(env);
  }

  getWindowSize() {
    return [this.columns, this.rows];
  }

  _refreshSize() {}

  clearLine(dir, callback) {
    return this.write(dir < 0 ? kClearToLineBeginning : dir > 0 ? kClearToLineEnd : kClearLine,
      callback);
  }

  clearScreenDown(callback) {
    return this.write(kClearScreenDown, callback);
  }

  cursorTo(x, y, callback) {
    if (typeof y === 'function') {
      callback = y;
      y = undefined;
    }
    if (Number.isNaN(x)) throw codes.ERR_INVALID_ARG_VALUE('x', x);
    if (Number.isNaN(y)) throw codes.ERR_INVALID_ARG_VALUE('y', y);
    if (typeof x !== 'number' && typeof y !== 'number') return done(callback);
    if (typeof x !== 'number') {
      const err = new Error('Cannot set cursor row without setting its column');
      err.code = 'ERR_INVALID_CURSOR_POS';
      throw err;
    }
    return this.write(typeof y !== 'number' ? `\x1b[${x + 1}G` : `\x1b[${y + 1};${x + 1}H`,
      callback);
  }

  moveCursor(dx, dy, callback) {
    if (!dx && !dy) return done(callback);
    let data = '';
    if (dx < 0) data += `\x1b[${-dx}D`;
    else if (dx > 0) data += `\x1b[${dx}C`;
    if (dy < 0) data += `\x1b[${-dy}A`;
    else if (dy > 0) data += `\x1b[${dy}B`;
    return this.write(data, callback);
  }
}

module.exports = { isatty, ReadStream, WriteStream };
