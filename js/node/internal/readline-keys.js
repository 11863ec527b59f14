'use strict';
// readline's terminal side: emitKeypressEvents (a stream's 'data' decoded
// into 'keypress' events: (string, { sequence, name, ctrl, meta, shift,
// code })), the cursor helpers (cursorTo, moveCursor, clearLine,
// clearScreenDown: ANSI CSI sequences written to a stream) and the display
// width of a string. The key names are Node's (xterm, rxvt, gnome, putty
// and Cygwin sequences); the decoder is a generator fed one character at a
// time, so a sequence split across reads is still one key. Own code
// written to Node's documented readline behaviour.

const { StringDecoder } = require('string_decoder');
const { codes } = require('./errors');
const { validateFunction } = require('./validators');

const kEscape = '\x1b';
const kDecoder = Symbol('keypress-decoder');
const kKeys = Symbol('escape-decoder');
const kSawKeyPress = Symbol('_sawKeyPress');
const ESCAPE_CODE_TIMEOUT = 500;

// ---- CSI helpers ------------------------------------------------------------

function CSI(strings, ...args) {
  let out = `${kEscape}[`;
  for (let i = 0; i < strings.length; i++) {
    out += strings[i];
    if (i < args.length) out += args[i];
  }
  return out;
}
CSI.kEscape = kEscape;
CSI.kClearToLineBeginning = `${kEscape}[1K`;
CSI.kClearToLineEnd = `${kEscape}[0K`;
CSI.kClearLine = `${kEscape}[2K`;
CSI.kClearScreenDown = `${kEscape}[0J`;

// Nothing to write: the callback still runs, on the next tick.
function nothing(callback) {
  if (typeof callback === 'function') process.nextTick(callback, null);
  return true;
}

function cursorTo(stream, x, y, callback) {
  if (callback !== undefined) validateFunction(callback, 'callback');
  if (typeof y === 'function') {
    callback = y;
    y = undefined;
  }
  if (Number.isNaN(x)) throw codes.ERR_INVALID_ARG_VALUE('x', x);
  if (Number.isNaN(y)) throw codes.ERR_INVALID_ARG_VALUE('y', y);
  if (stream == null || (typeof x !== 'number' && typeof y !== 'number')) return nothing(callback);
  if (typeof x !== 'number') throw codes.ERR_INVALID_CURSOR_POS();
  const data = typeof y !== 'number' ? CSI`${x + 1}G` : CSI`${y + 1};${x + 1}H`;
  return stream.write(data, callback);
}

function moveCursor(stream, dx, dy, callback) {
  if (callback !== undefined) validateFunction(callback, 'callback');
  if (stream == null || !(dx || dy)) return nothing(callback);
  let data = '';
  if (dx < 0) data += CSI`${-dx}D`;
  else if (dx > 0) data += CSI`${dx}C`;
  if (dy < 0) data += CSI`${-dy}A`;
  else if (dy > 0) data += CSI`${dy}B`;
  return stream.write(data, callback);
}

function clearLine(stream, dir, callback) {
  if (callback !== undefined) validateFunction(callback, 'callback');
  if (stream == null) return nothing(callback);
  const type = dir < 0 ? CSI.kClearToLineBeginning : dir > 0 ? CSI.kClearToLineEnd : CSI.kClearLine;
  return stream.write(type, callback);
}

function clearScreenDown(stream, callback) {
  if (callback !== undefined) validateFunction(callback, 'callback');
  if (stream == null) return nothing(callback);
  return stream.write(CSI.kClearScreenDown, callback);
}

// ---- display width ------------------------------------------------------------

// East Asian wide and fullwidth ranges (two columns), and the zero-width
// code points (combining marks, joiners, variation selectors).
const kWide = /[\u1100-\u115f\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6]|[\ud83c-\ud83e][\udc00-\udfff]|[\ud840-\ud87f][\udc00-\udfff]/;
const kZeroWidth = /^[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u200b-\u200f\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f]$/;

function charWidth(ch) {
  const code = ch.codePointAt(0);
  if (code < 0x20 || (code >= 0x7f && code < 0xa0) || kZeroWidth.test(ch)) return 0;
  return kWide.test(ch) ? 2 : 1;
}

// ---- the key decoder ------------------------------------------------------------

// sequence code (after ESC) -> [name, extra modifier bits: 1 shift, 4 ctrl]
const kCodes = new Map([
  ['[P', ['f1']], ['[Q', ['f2']], ['[R', ['f3']], ['[S', ['f4']],
  ['OP', ['f1']], ['OQ', ['f2']], ['OR', ['f3']], ['OS', ['f4']],
  ['[11~', ['f1']], ['[12~', ['f2']], ['[13~', ['f3']], ['[14~', ['f4']],
  ['[200~', ['paste-start']], ['[201~', ['paste-end']],
  ['[[A', ['f1']], ['[[B', ['f2']], ['[[C', ['f3']], ['[[D', ['f4']], ['[[E', ['f5']],
  ['[15~', ['f5']], ['[17~', ['f6']], ['[18~', ['f7']], ['[19~', ['f8']], ['[20~', ['f9']],
  ['[21~', ['f10']], ['[23~', ['f11']], ['[24~', ['f12']],
  ['[A', ['up']], ['[B', ['down']], ['[C', ['right']], ['[D', ['left']], ['[E', ['clear']],
  ['[F', ['end']], ['[H', ['home']],
  ['OA', ['up']], ['OB', ['down']], ['OC', ['right']], ['OD', ['left']], ['OE', ['clear']],
  ['OF', ['end']], ['OH', ['home']],
  ['[1~', ['home']], ['[2~', ['insert']], ['[3~', ['delete']], ['[4~', ['end']],
  ['[5~', ['pageup']], ['[6~', ['pagedown']], ['[[5~', ['pageup']], ['[[6~', ['pagedown']],
  ['[7~', ['home']], ['[8~', ['end']],
  ['[a', ['up', 1]], ['[b', ['down', 1]], ['[c', ['right', 1]], ['[d', ['left', 1]],
  ['[e', ['clear', 1]],
  ['[2$', ['insert', 1]], ['[3$', ['delete', 1]], ['[5$', ['pageup', 1]], ['[6$', ['pagedown', 1]],
  ['[7$', ['home', 1]], ['[8$', ['end', 1]],
  ['Oa', ['up', 4]], ['Ob', ['down', 4]], ['Oc', ['right', 4]], ['Od', ['left', 4]],
  ['Oe', ['clear', 4]],
  ['[2^', ['insert', 4]], ['[3^', ['delete', 4]], ['[5^', ['pageup', 4]], ['[6^', ['pagedown', 4]],
  ['[7^', ['home', 4]], ['[8^', ['end', 4]],
  ['[Z', ['tab', 1]],
]);

const isDigit = (ch) => ch >= '0' && ch <= '9';
// "1;5H" or "5H" or "H"; "24;5~" or "24~"; three digits and "~" (paste).
const kNumbered = /^(?:(\d\d?)(?:;(\d))?([~^$])|(\d{3}~))$/;
const kLettered = /^(?:(?:\d;)?(\d))?([A-Za-z])$/;

// Reads one escape sequence after ESC from the generator's input:
// returns [raw text read, code, modifier bits].
function* readSequence(first) {
  let s = first;
  let code = first;
  let modifier = 0;
  let ch;
  if (first === 'O') {
    s += (ch = yield);
    if (isDigit(ch)) {
      modifier = Number(ch) - 1;
      s += (ch = yield);
    }
    return [s, code + ch, modifier];
  }
  s += (ch = yield);
  if (ch === '[') {
    code += ch;
    s += (ch = yield);
  }
  const start = s.length - 1;
  for (let digits = 0; digits < 3 && isDigit(ch); digits++) s += (ch = yield);
  if (ch === ';') {
    s += (ch = yield);
    if (isDigit(ch)) s += yield;
  }
  const cmd = s.slice(start);
  let m;
  if ((m = kNumbered.exec(cmd)) !== null) {
    if (m[4]) {
      code += m[4];
    } else {
      code += m[1] + m[3];
      modifier = (m[2] || 1) - 1;
    }
  } else if ((m = kLettered.exec(cmd)) !== null) {
    code += m[2];
    modifier = (m[1] || 1) - 1;
  } else {
    code += cmd;
  }
  return [s, code, modifier];
}

function* emitKeys(stream) {
  for (;;) {
    let ch = yield;
    let s = ch;
    let escaped = false;
    const key = { sequence: null, name: undefined, ctrl: false, meta: false, shift: false };
    if (ch === kEscape) {
      escaped = true;
      s += (ch = yield);
      if (ch === kEscape) s += (ch = yield);
    }
    if (escaped && (ch === 'O' || ch === '[')) {
      const [raw, code, modifier] = yield* readSequence(ch);
      s = s.slice(0, -1) + raw;
      const known = kCodes.get(code);
      const bits = modifier | (known && known[1] ? known[1] : 0);
      key.ctrl = !!(bits & 4);
      key.meta = !!(bits & 10);
      key.shift = !!(bits & 1);
      key.code = code;
      // an unknown sequence is named 'undefined' (a string), as in Node
      key.name = known ? known[0] : 'undefined';
    } else if (ch === '\r') {
      key.name = 'return';
      key.meta = escaped;
    } else if (ch === '\n') {
      key.name = 'enter';
      key.meta = escaped;
    } else if (ch === '\t') {
      key.name = 'tab';
      key.meta = escaped;
    } else if (ch === '\b' || ch === '\x7f') {
      key.name = 'backspace';
      key.meta = escaped;
    } else if (ch === kEscape) {
      key.name = 'escape';
      key.meta = escaped;
    } else if (ch === ' ') {
      key.name = 'space';
      key.meta = escaped;
    } else if (!escaped && ch <= '\x1a') {
      key.name = String.fromCharCode(ch.charCodeAt(0) + 96);
      key.ctrl = true;
    } else if (/^[0-9A-Za-z]$/.test(ch)) {
      key.name = ch.toLowerCase();
      key.shift = /^[A-Z]$/.test(ch);
      key.meta = escaped;
    } else if (escaped) {
      key.name = ch.length ? undefined : 'escape';
      key.meta = true;
    }
    key.sequence = s;
    if (s.length !== 0 && (key.name !== undefined || escaped)) {
      stream.emit('keypress', escaped ? undefined : s, key);
    } else if (s.codePointAt(0) > 0xffff ? s.length === 2 : s.length === 1) {
      stream.emit('keypress', s, key);
    }
    // else: a broken escape sequence, nothing is emitted
  }
}

function emitKeypressEvents(stream, iface = {}) {
  if (stream[kDecoder]) return;
  stream[kDecoder] = new StringDecoder('utf8');
  stream[kKeys] = emitKeys(stream);
  stream[kKeys].next();
  const escapeTimeout = iface.escapeCodeTimeout === undefined
    ? ESCAPE_CODE_TIMEOUT : iface.escapeCodeTimeout;
  const triggerEscape = () => stream[kKeys].next('');
  let timer;

  function onData(input) {
    if (stream.listenerCount('keypress') > 0) {
      const string = stream[kDecoder].write(input);
      if (!string) return;
      clearTimeout(timer);
      const first = string.codePointAt(0) > 0xffff ? 2 : 1;
      iface[kSawKeyPress] = first === string.length;
      iface.isCompletionEnabled = false;
      let length = 0;
      for (const character of string) {
        length += character.length;
        if (length === string.length) iface.isCompletionEnabled = true;
        try {
          stream[kKeys].next(character);
          if (length === string.length && character === kEscape) {
            timer = setTimeout(triggerEscape, escapeTimeout);
          }
        } catch (err) {
          // a 'keypress' listener threw: start over with a fresh decoder
          stream[kKeys] = emitKeys(stream);
          stream[kKeys].next();
          throw err;
        }
      }
    } else {
      stream.removeListener('data', onData);
      stream.on('newListener', onNewListener);
    }
  }

  function onNewListener(event) {
    if (event === 'keypress') {
      stream.on('data', onData);
      stream.removeListener('newListener', onNewListener);
    }
  }

  if (stream.listenerCount('keypress') > 0) stream.on('data', onData);
  else stream.on('newListener', onNewListener);
}

module.exports = {
  CSI,
  charWidth,
  clearLine,
  clearScreenDown,
  cursorTo,
  emitKeypressEvents,
  kSawKeyPress,
  moveCursor,
};
