'use strict';
// readline's Interface, shared by require('readline') (the legacy callable
// Interface, callback question) and require('readline/promises') (question
// returns a promise). See node/readline.js for what it does.

const EventEmitter = require('events');
const { StringDecoder } = require('string_decoder');
const { codes } = require('./errors');
const { validateAbortSignal, validateString } = require('./validators');
const {
  charWidth, clearScreenDown, cursorTo, emitKeypressEvents, kSawKeyPress, moveCursor,
} = require('./readline-keys');

const kHistorySize = 30;
const kMincrlfDelay = 100;
const kMaxUndoRedo = 2048;
const lineEnding = /\r?\n|\r(?!\n)/g;

const kPrompt = Symbol('_prompt');
const kOldPrompt = Symbol('_oldPrompt');
const kQuestionCallback = Symbol('_questionCallback');
const kLineBuffer = Symbol('_line_buffer');
const kDecoder = Symbol('_decoder');
const kSawReturnAt = Symbol('_sawReturnAt');
const kPreviousKey = Symbol('_previousKey');
const kUndo = Symbol('kUndoStack');
const kRedo = Symbol('kRedoStack');
const kLineIterator = Symbol('kLineObjectStream');
const kOnSelfClose = Symbol('kOnSelfClose');

function stripVT(str) {
  return require('util').stripVTControlCharacters(str);
}

function charLengthLeft(str, i) {
  if (i <= 0) return 0;
  if (i > 1 && str.codePointAt(i - 2) > 0xffff) return 2;
  return 1;
}

function charLengthAt(str, i) {
  if (str.length <= i) return 1;
  return str.codePointAt(i) > 0xffff ? 2 : 1;
}

class InterfaceConstructor extends EventEmitter {
  constructor(input, output, completer, terminal) {
    super();
    this.isCompletionEnabled = true;
    this[kSawKeyPress] = false;
    this[kPreviousKey] = null;
    this.escapeCodeTimeout = 500;
    this.tabSize = 8;
    let history;
    let historySize;
    let removeHistoryDuplicates = false;
    let crlfDelay;
    let prompt = '> ';
    let signal;
    if (input && input.input) {
      // an options object
      const opts = input;
      output = opts.output;
      completer = opts.completer;
      terminal = opts.terminal;
      history = opts.history;
      historySize = opts.historySize;
      signal = opts.signal;
      if (opts.tabSize !== undefined) {
        require('./validators').validateInteger(opts.tabSize, 'tabSize', 1);
        this.tabSize = opts.tabSize;
      }
      removeHistoryDuplicates = opts.removeHistoryDuplicates;
      if (opts.prompt !== undefined) prompt = opts.prompt;
      crlfDelay = opts.crlfDelay;
      if (opts.escapeCodeTimeout !== undefined) {
        if (Number.isFinite(opts.escapeCodeTimeout)) {
          this.escapeCodeTimeout = opts.escapeCodeTimeout;
        } else {
          throw codes.ERR_INVALID_ARG_VALUE('input.escapeCodeTimeout', this.escapeCodeTimeout);
        }
      }
      if (signal) validateAbortSignal(signal, 'options.signal');
      input = opts.input;
    }
    if (completer !== undefined && typeof completer !== 'function') {
      throw codes.ERR_INVALID_ARG_VALUE('completer', completer);
    }
    if (history === undefined) history = [];
    else if (!Array.isArray(history)) throw codes.ERR_INVALID_ARG_TYPE('history', 'Array', history);
    if (historySize === undefined) historySize = kHistorySize;
    if (typeof historySize !== 'number' || Number.isNaN(historySize) || historySize < 0) {
      const err = codes.ERR_INVALID_ARG_VALUE('historySize', historySize);
      throw Object.setPrototypeOf(err, RangeError.prototype);
    }
    if (terminal === undefined && !(output === null || output === undefined)) {
      terminal = !!output.isTTY;
    }
    this.line = '';
    this.output = output;
    this.input = input;
    this.history = history;
    this.historySize = historySize;
    this.removeHistoryDuplicates = !!removeHistoryDuplicates;
    this.crlfDelay = crlfDelay ? Math.max(kMincrlfDelay, crlfDelay) : kMincrlfDelay;
    this.completer = completer;
    this.setPrompt(prompt);
    this.terminal = !!terminal;
    this[kQuestionCallback] = null;
    this[kLineBuffer] = null;
    this[kSawReturnAt] = 0;
    this[kUndo] = [];
    this[kRedo] = [];
    this.cursor = 0;
    this.historyIndex = -1;
    this.closed = false;
    this.paused = false;
    this.prevRows = 0;
    this[kDecoder] = new StringDecoder('utf8');

    const onError = (err) => this.emit('error', err);
    const onData = (data) => this._normalWrite(data);
    const onEnd = () => {
      if (typeof this[kLineBuffer] === 'string' && this[kLineBuffer].length > 0) {
        this.emit('line', this[kLineBuffer]);
      }
      this.close();
    };
    const onTermEnd = () => {
      if (typeof this.line === 'string' && this.line.length > 0) this.emit('line', this.line);
      this.close();
    };
    const onKeypress = (s, key) => {
      this._ttyWrite(s, key);
      if (key && key.sequence) {
        // a character of a surrogate pair typed alone is not a keypress of its own
        const ch = key.sequence.codePointAt(0);
        if (ch >= 0xd800 && ch <= 0xdfff) this._refreshLine();
      }
    };
    const onResize = () => this._refreshLine();

    input.on('error', onError);
    if (!this.terminal) {
      input.on('data', onData);
      input.on('end', onEnd);
      this[kOnSelfClose] = () => {
        input.removeListener('data', onData);
        input.removeListener('error', onError);
        input.removeListener('end', onEnd);
      };
    } else {
      emitKeypressEvents(input, this);
      input.on('keypress', onKeypress);
      input.on('end', onTermEnd);
      this._setRawMode(true);
      this.terminal = true;
      if (output !== null && output !== undefined) output.on('resize', onResize);
      this[kOnSelfClose] = () => {
        input.removeListener('keypress', onKeypress);
        input.removeListener('error', onError);
        input.removeListener('end', onTermEnd);
        if (output !== null && output !== undefined) output.removeListener('resize', onResize);
      };
    }
    if (signal) {
      const onAborted = () => this.close();
      if (signal.aborted) {
        process.nextTick(onAborted);
      } else {
        signal.addEventListener('abort', onAborted, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAborted));
      }
    }
    this.once('close', this[kOnSelfClose]);
    input.resume();
  }

  get columns() {
    if (this.output && this.output.columns) return this.output.columns;
    return Infinity;
  }

  setPrompt(prompt) {
    validateString(prompt, 'prompt');
    this[kPrompt] = prompt;
  }

  getPrompt() {
    return this[kPrompt];
  }

  _setRawMode(mode) {
    const wasInRawMode = this.input.isRaw;
    if (typeof this.input.setRawMode === 'function') this.input.setRawMode(mode);
    return wasInRawMode;
  }

  prompt(preserveCursor) {
    if (this.paused) this.resume();
    if (this.terminal && process.env.TERM !== 'dumb') {
      if (!preserveCursor) this.cursor = 0;
      this._refreshLine();
    } else {
      this._writeToOutput(this[kPrompt]);
    }
  }

  _question(query, cb) {
    if (this.closed) throw codes.ERR_USE_AFTER_CLOSE('readline');
    if (this[kQuestionCallback]) {
      this.prompt();
    } else {
      this[kOldPrompt] = this[kPrompt];
      this.setPrompt(query);
      this[kQuestionCallback] = cb;
      this.prompt();
    }
  }

  _onLine(line) {
    if (this[kQuestionCallback]) {
      const cb = this[kQuestionCallback];
      this[kQuestionCallback] = null;
      this.setPrompt(this[kOldPrompt]);
      cb(line);
    } else {
      this.emit('line', line);
    }
  }

  _questionCancel() {
    if (this[kQuestionCallback]) {
      this[kQuestionCallback] = null;
      this.setPrompt(this[kOldPrompt]);
      this.clearLine();
    }
  }

  _writeToOutput(stringToWrite) {
    validateString(stringToWrite, 'stringToWrite');
    if (this.output !== null && this.output !== undefined) this.output.write(stringToWrite);
  }

  _addHistory() {
    if (this.line.length === 0) return '';
    if (this.historySize === 0) return this.line;
    if (this.line.trim().length === 0) return this.line;
    if (this.history.length === 0 || this.history[0] !== this.line) {
      if (this.removeHistoryDuplicates) {
        const at = this.history.indexOf(this.line);
        if (at !== -1) this.history.splice(at, 1);
      }
      this.history.unshift(this.line);
      if (this.history.length > this.historySize) this.history.pop();
    }
    this.historyIndex = -1;
    const line = this.history[0];
    this.emit('history', this.history);
    return line;
  }

  _refreshLine() {
    const line = this[kPrompt] + this.line;
    const disp = this._getDisplayPos(line);
    const cursorPos = this.getCursorPos();
    const prevRows = this.prevRows || 0;
    if (prevRows > 0) moveCursor(this.output, 0, -prevRows);
    cursorTo(this.output, 0);
    clearScreenDown(this.output);
    this._writeToOutput(line);
    if (disp.cols === 0) this._writeToOutput(' ');
    cursorTo(this.output, cursorPos.cols);
    const diff = disp.rows - cursorPos.rows;
    if (diff > 0) moveCursor(this.output, 0, -diff);
    this.prevRows = cursorPos.rows;
  }

  close() {
    if (this.closed) return;
    this.pause();
    if (this.terminal) this._setRawMode(false);
    this.closed = true;
    this.emit('close');
  }

  pause() {
    if (this.paused) return;
    this.input.pause();
    this.paused = true;
    this.emit('pause');
    return this;
  }

  resume() {
    if (!this.paused) return;
    this.input.resume();
    this.paused = false;
    this.emit('resume');
    return this;
  }

  write(d, key) {
    if (this.paused) this.resume();
    if (this.terminal) this._ttyWrite(d, key);
    else this._normalWrite(d);
  }

  _normalWrite(b) {
    if (b === undefined) return;
    let string = this[kDecoder].write(b);
    if (this[kSawReturnAt] && Date.now() - this[kSawReturnAt] <= this.crlfDelay) {
      if (string.codePointAt(0) === 10) string = string.slice(1);
      this[kSawReturnAt] = 0;
    }
    lineEnding.lastIndex = 0;
    if (!lineEnding.test(string)) {
      if (string) this[kLineBuffer] = this[kLineBuffer] ? this[kLineBuffer] + string : string;
      return;
    }
    if (this[kLineBuffer]) {
      string = this[kLineBuffer] + string;
      this[kLineBuffer] = null;
    }
    this[kSawReturnAt] = string.endsWith('\r') ? Date.now() : 0;
    // the lines and the rest after the last end of line
    const ends = [];
    lineEnding.lastIndex = 0;
    let m;
    while ((m = lineEnding.exec(string)) !== null) ends.push([m.index, lineEnding.lastIndex]);
    this[kLineBuffer] = string.slice(ends[ends.length - 1][1]);
    let start = 0;
    for (const [end, next] of ends) {
      this._onLine(string.slice(start, end));
      if (this.closed) return;
      start = next;
    }
  }

  _insertString(c) {
    this._beforeEdit(this.line, this.cursor);
    if (this.cursor < this.line.length) {
      const beg = this.line.slice(0, this.cursor);
      const end = this.line.slice(this.cursor);
      this.line = beg + c + end;
      this.cursor += c.length;
      this._refreshLine();
    } else {
      const oldPos = this.getCursorPos();
      this.line += c;
      this.cursor += c.length;
      const newPos = this.getCursorPos();
      if (oldPos.rows < newPos.rows) this._refreshLine();
      else this._writeToOutput(c);
    }
  }

  _tabComplete(lastKeypressWasTab) {
    this.pause();
    const string = this.line.slice(0, this.cursor);
    const done = (err, value) => {
      this.resume();
      if (err) {
        this.emit('error', err);
        return;
      }
      this._tabCompleted(value, lastKeypressWasTab);
    };
    try {
      this.completer(string, done);
    } catch (err) {
      done(err);
    }
  }

  _tabCompleted(value, lastKeypressWasTab) {
    if (!Array.isArray(value)) return;
    const [completions, completeOn] = value;
    if (!completions || completions.length === 0) return;
    const prefix = commonPrefix(completions.filter((e) => e !== ''));
    if (prefix.length > completeOn.length) {
      this._insertString(prefix.slice(completeOn.length));
      return;
    }
    if (!lastKeypressWasTab) return;
    this._beforeEdit(this.line, this.cursor);
    // show the completions in columns, then the line again
    const width = Math.max(...completions.map((e) => e.length)) + 2;
    let maxColumns = Math.floor(this.columns / width) || 1;
    if (maxColumns === Infinity) maxColumns = 1;
    let out = '\r\n';
    let col = 0;
    for (const c of completions) {
      if (c === '' || col === maxColumns) {
        out += '\r\n';
        col = 0;
        if (c === '') continue;
      }
      out += c + ' '.repeat(col === maxColumns - 1 ? 0 : width - c.length);
      col++;
    }
    if (col !== 0) out += '\r\n';
    this._writeToOutput(`${out}\r\n`);
    this._refreshLine();
  }

  _wordLeft() {
    if (this.cursor > 0) {
      const leading = this.line.slice(0, this.cursor).split('').reverse().join('');
      const match = /^\s*(?:[^\w\s]+|\w+)?/.exec(leading);
      this._moveCursor(-match[0].length);
    }
  }

  _wordRight() {
    if (this.cursor < this.line.length) {
      const trailing = this.line.slice(this.cursor);
      const match = /^(?:\s+|[^\w\s]+|\w+)\s*/.exec(trailing);
      this._moveCursor(match[0].length);
    }
  }

  _deleteLeft() {
    if (this.cursor > 0 && this.line.length > 0) {
      this._beforeEdit(this.line, this.cursor);
      const n = charLengthLeft(this.line, this.cursor);
      this.line = this.line.slice(0, this.cursor - n) + this.line.slice(this.cursor);
      this.cursor -= n;
      this._refreshLine();
    }
  }

  _deleteRight() {
    if (this.cursor < this.line.length) {
      this._beforeEdit(this.line, this.cursor);
      const n = charLengthAt(this.line, this.cursor);
      this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + n);
      this._refreshLine();
    }
  }

  _deleteWordLeft() {
    if (this.cursor > 0) {
      this._beforeEdit(this.line, this.cursor);
      let leading = this.line.slice(0, this.cursor).split('').reverse().join('');
      const match = /^\s*(?:[^\w\s]+|\w+)?/.exec(leading);
      leading = leading.slice(match[0].length).split('').reverse().join('');
      this.line = leading + this.line.slice(this.cursor);
      this.cursor = leading.length;
      this._refreshLine();
    }
  }

  _deleteWordRight() {
    if (this.cursor < this.line.length) {
      this._beforeEdit(this.line, this.cursor);
      const trailing = this.line.slice(this.cursor);
      const match = /^(?:\s+|\W+|\w+)\s*/.exec(trailing);
      this.line = this.line.slice(0, this.cursor) + trailing.slice(match[0].length);
      this._refreshLine();
    }
  }

  _deleteLineLeft() {
    this._beforeEdit(this.line, this.cursor);
    this.line = this.line.slice(this.cursor);
    this.cursor = 0;
    this._refreshLine();
  }

  _deleteLineRight() {
    this._beforeEdit(this.line, this.cursor);
    this.line = this.line.slice(0, this.cursor);
    this._refreshLine();
  }

  _beforeEdit(oldText, oldCursor) {
    this[kUndo].push({ text: oldText, cursor: oldCursor });
    if (this[kUndo].length > kMaxUndoRedo) this[kUndo].shift();
    this[kRedo] = [];
  }

  // ^_ undoes an edit, ^^ redoes it: the line and cursor move between stacks
  _undo() {
    this._swapEdit(this[kUndo], this[kRedo]);
  }

  _redo() {
    this._swapEdit(this[kRedo], this[kUndo]);
  }

  _swapEdit(from, to) {
    if (from.length <= 0) return;
    to.push({ text: this.line, cursor: this.cursor });
    const entry = from.pop();
    this.line = entry.text;
    this.cursor = entry.cursor;
    this._refreshLine();
  }

  clearLine() {
    this._moveCursor(+Infinity);
    this._writeToOutput('\r\n');
    this.line = '';
    this.cursor = 0;
    this.prevRows = 0;
  }

  _line() {
    const line = this._addHistory();
    this[kUndo] = [];
    this[kRedo] = [];
    this.clearLine();
    this._onLine(line);
  }

  _historyNext() {
    if (this.historyIndex >= 0) {
      const search = this[kSubstringSearch] || '';
      let index = this.historyIndex - 1;
      while (index >= 0 && (!this.history[index].startsWith(search) ||
             this.line === this.history[index])) {
        index--;
      }
      this.line = index === -1 ? search : this.history[index];
      this.historyIndex = index;
      this.cursor = this.line.length;
      this._refreshLine();
    }
  }

  _historyPrev() {
    if (this.historyIndex < this.history.length && this.history.length) {
      const search = this[kSubstringSearch] || '';
      let index = this.historyIndex + 1;
      while (index < this.history.length && (!this.history[index].startsWith(search) ||
             this.line === this.history[index])) {
        index++;
      }
      if (index === this.history.length) this.line = search;
      else this.line = this.history[index];
      this.historyIndex = index;
      this.cursor = this.line.length;
      this._refreshLine();
    }
  }

  _getDisplayPos(str) {
    let offset = 0;
    const col = this.columns;
    let rows = 0;
    for (const char of stripVT(str)) {
      if (char === '\n') {
        rows += Math.ceil(offset / col) || 1;
        offset = 0;
        continue;
      }
      if (char === '\t') {
        offset += this.tabSize - (offset % this.tabSize);
        continue;
      }
      const width = charWidth(char);
      if (width === 0 || width === 1) {
        offset += width;
      } else {
        if ((offset + 1) % col === 0) offset++;
        offset += 2;
      }
    }
    const cols = offset % col;
    rows += (offset - cols) / col;
    return { cols, rows };
  }

  getCursorPos() {
    return this._getDisplayPos(this[kPrompt] + this.line.slice(0, this.cursor));
  }

  _moveCursor(dx) {
    if (dx === 0) return;
    const oldPos = this.getCursorPos();
    this.cursor += dx;
    if (this.cursor < 0) this.cursor = 0;
    else if (this.cursor > this.line.length) this.cursor = this.line.length;
    const newPos = this.getCursorPos();
    if (oldPos.rows === newPos.rows) moveCursor(this.output, newPos.cols - oldPos.cols, 0);
    else this._refreshLine();
  }

  // one keypress of terminal mode
  _ttyWrite(s, key) {
    const previousKey = this[kPreviousKey];
    key = key || {};
    this[kPreviousKey] = key;
    if ((key.name === 'up' || key.name === 'down') && !key.ctrl && !key.meta && !key.shift) {
      if (this[kSubstringSearch] === null) this[kSubstringSearch] = this.line.slice(0, this.cursor);
    } else if (this[kSubstringSearch] !== null) {
      this[kSubstringSearch] = null;
      if (this.history.length === this.historyIndex) this.historyIndex = -1;
    }
    if (key.name === 'escape') return;
    if (key.ctrl && key.shift) {
      if (key.name === 'backspace') this._deleteLineLeft();
      else if (key.name === 'delete') this._deleteLineRight();
    } else if (key.ctrl) {
      this._ctrlKey(s, key);
    } else if (key.meta) {
      this._metaKey(s, key);
    } else {
      this._plainKey(s, key, previousKey);
    }
  }

  _ctrlKey(s, key) {
    switch (key.name) {
      case 'c':
        if (this.listenerCount('SIGINT') > 0) this.emit('SIGINT');
        else this.close();
        break;
      case 'h': this._deleteLeft(); break;
      case 'd':
        if (this.cursor === 0 && this.line.length === 0) this.close();
        else if (this.cursor < this.line.length) this._deleteRight();
        break;
      case 'u': this._deleteLineLeft(); break;
      case 'k': this._deleteLineRight(); break;
      case 'a': this._moveCursor(-Infinity); break;
      case 'e': this._moveCursor(+Infinity); break;
      case 'b': this._moveCursor(-charLengthLeft(this.line, this.cursor)); break;
      case 'f': this._moveCursor(+charLengthAt(this.line, this.cursor)); break;
      case 'l':
        cursorTo(this.output, 0, 0);
        clearScreenDown(this.output);
        this._refreshLine();
        break;
      case 'n': this._historyNext(); break;
      case 'p': this._historyPrev(); break;
      case 'z':
        if (this.listenerCount('SIGTSTP') > 0) this.emit('SIGTSTP');
        break;
      case 'w':
      case 'backspace':
        this._deleteWordLeft();
        break;
      case 'delete': this._deleteWordRight(); break;
      case 'left': this._wordLeft(); break;
      case 'right': this._wordRight(); break;
      default:
        if (key.sequence === '\x1f') this._undo(); // ^_
        else if (key.sequence === '\x1e') this._redo(); // ^^
        break;
    }
  }

  _metaKey(s, key) {
    switch (key.name) {
      case 'b': this._wordLeft(); break;
      case 'f': this._wordRight(); break;
      case 'd':
      case 'delete':
        this._deleteWordRight();
        break;
      case 'backspace': this._deleteWordLeft(); break;
      default: break;
    }
  }

  _plainKey(s, key, previousKey) {
    if (this[kSawReturnAt] && key.name !== 'enter') this[kSawReturnAt] = 0;
    switch (key.name) {
      case 'return':
        this[kSawReturnAt] = Date.now();
        this._line();
        break;
      case 'enter':
        // \r\n is one end of line
        if (this[kSawReturnAt] === 0 || Date.now() - this[kSawReturnAt] > this.crlfDelay) {
          this._line();
        }
        this[kSawReturnAt] = 0;
        break;
      case 'backspace': this._deleteLeft(); break;
      case 'delete': this._deleteRight(); break;
      case 'left': this._moveCursor(-charLengthLeft(this.line, this.cursor)); break;
      case 'right': this._moveCursor(+charLengthAt(this.line, this.cursor)); break;
      case 'home': this._moveCursor(-Infinity); break;
      case 'end': this._moveCursor(+Infinity); break;
      case 'up': this._historyPrev(); break;
      case 'down': this._historyNext(); break;
      case 'tab':
        if (typeof this.completer === 'function' && this.isCompletionEnabled) {
          this._tabComplete(!!previousKey && previousKey.name === 'tab');
          break;
        }
      // fall through: a tab without completion is text
      default:
        if (typeof s === 'string' && s) {
          lineEnding.lastIndex = 0;
          let last = 0;
          let m;
          while ((m = lineEnding.exec(s)) !== null) {
            this._insertString(s.slice(last, m.index));
            last = lineEnding.lastIndex;
            this._line();
            lineEnding.lastIndex = last;
          }
          this._insertString(s.slice(last));
        }
    }
  }

  [Symbol.asyncIterator]() {
    if (this[kLineIterator] === undefined) this[kLineIterator] = lineIterator(this);
    return this[kLineIterator];
  }
}

const kSubstringSearch = Symbol('kSubstringSearch');
InterfaceConstructor.prototype[kSubstringSearch] = null;

function commonPrefix(strings) {
  if (strings.length === 0) return '';
  if (strings.length === 1) return strings[0];
  const sorted = [...strings].sort();
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  let i = 0;
  while (i < min.length && min[i] === max[i]) i++;
  return min.slice(0, i);
}

// `for await (const line of rl)`: the lines queue while the loop body
// runs; past kHighWaterMark of them the input pauses until the loop has
// taken them all (kLowWaterMark), as Node's events.on() iterator does. 'close' ends the loop after the queued lines; an 'error'
// of the interface rejects the next step.
const kHighWaterMark = 1024;
const kLowWaterMark = 1;
function lineIterator(rl) {
  const queue = [];
  const waiting = [];
  let finished = false;
  let error = null;
  let pausedByUs = false;
  const onLine = (line) => {
    if (waiting.length > 0) {
      waiting.shift().resolve({ value: line, done: false });
      return;
    }
    queue.push(line);
    if (queue.length > kHighWaterMark && !pausedByUs) {
      pausedByUs = true;
      rl.pause();
    }
  };
  const onClose = () => {
    finished = true;
    cleanup();
    while (waiting.length > 0) waiting.shift().resolve({ value: undefined, done: true });
  };
  const onError = (err) => {
    error = err;
    finished = true;
    cleanup();
    while (waiting.length > 0) waiting.shift().reject(err);
  };
  function cleanup() {
    rl.removeListener('line', onLine);
    rl.removeListener('close', onClose);
    rl.removeListener('error', onError);
  }
  rl.on('line', onLine);
  rl.on('close', onClose);
  rl.on('error', onError);
  const it = {
    next() {
      if (queue.length > 0) {
        const value = queue.shift();
        if (pausedByUs && queue.length < kLowWaterMark) {
          pausedByUs = false;
          if (!rl.closed) rl.resume();
        }
        return Promise.resolve({ value, done: false });
      }
      if (error !== null) {
        const err = error;
        error = null;
        return Promise.reject(err);
      }
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return() {
      finished = true;
      queue.length = 0;
      cleanup();
      rl.close();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err) {
      finished = true;
      queue.length = 0;
      cleanup();
      rl.close();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    // what Node's events.on() iterators tell of their queue
    [Symbol.for('nodejs.watermarkData')]: {
      get size() {
        return queue.length;
      },
      low: kLowWaterMark,
      high: kHighWaterMark,
      get isPaused() {
        return pausedByUs;
      },
    },
  };
  Object.setPrototypeOf(it, Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype));
  return it;
}

module.exports = {
  InterfaceConstructor, kDecoder, kLineBuffer, kOldPrompt, kPreviousKey, kPrompt,
  kQuestionCallback, kSawReturnAt,
};
