// node/internal/http-parser.js — the http module's view of the C parser
// (bridge/http.c): one Parser per connection, fed the chunks the socket
// reads; it calls its handlers in order for what each chunk held. The
// natives answer a chunk with one flat event array, read here.
'use strict';

const binding = require('./binding');

const REQUEST = 0;
const RESPONSE = 1;
const EV_HEADERS = 1;
const EV_BODY = 2;
const EV_DONE = 3;
const EV_ERROR = 4;
const EV_END = 5;
const EV_BEGIN = 6;
const F_SKIP_BODY = 1;
const F_LENIENT = 2;
const F_CONNECT = 4;
const F_NO_UPGRADE = 8;

// Node's text for the parser's errors it names itself (the rest keep the
// library's own description).
const reasons = {
  HPE_HEADER_OVERFLOW: 'Header overflow',
  HPE_INVALID_METHOD: 'Invalid method encountered',
  HPE_INVALID_EOF_STATE: 'Invalid EOF state',
};

class Parser {
  constructor(kind, maxHeaderSize, lenient) {
    this.generation = 0; // a new use (a connection) of this parser
    this.kind = kind;
    this.maxHeaderSize = maxHeaderSize;
    this.lenient = !!lenient;
    this.skipBody = false; // the next response answers a HEAD request
    this.connect = false; // the next response answers a CONNECT request
    this.noUpgrade = false; // a request's Upgrade header asks for nothing
    this.onBegin = null;
    this.maxHeaderPairs = 0;
    this.handle = binding.http.parserNew(kind);
    // handlers: onHeaders(info), onBody(chunk), onDone(trailers)
    this.onHeaders = null;
    this.onBody = null;
    this.onDone = null;
    this.upgraded = false;
    // a server's ConnectionsList (node/http.js): the message under way
    this.active = false;
    this.lastMessageStart = 0;
    this.headersCompleted = false;
  }

  reset(kind) {
    this.kind = kind;
    this.upgraded = false;
    binding.http.parserReset(this.handle, kind);
  }

  // Ready for a new connection (a parser from the free list is reused).
  initialize(kind, maxHeaderSize, lenient) {
    this.generation++;
    this.kind = kind;
    this.maxHeaderSize = maxHeaderSize;
    this.lenient = !!lenient;
    this.skipBody = false;
    this.connect = false;
    this.noUpgrade = false;
    this.upgraded = false;
    this.stopped = false;
    this.maxHeaderPairs = 0;
    if (this.handle) binding.http.parserReset(this.handle, kind);
    else this.handle = binding.http.parserNew(kind);
  }

  // What Node's native parser does on free() and remove(): nothing to free
  // here; remove() leaves the server's connection list.
  free() {}

  remove() {
    if (this.connections) this.connections.pop(this);
    this.connections = null;
  }

  // Parses chunk; returns the bytes consumed (less than its length after an
  // upgrade or a handler that stopped the parse), or an Error with Node's
  // code, reason and bytesParsed.
  execute(chunk) {
    let at = 0;
    const generation = this.generation;
    while (at < chunk.length && this.handle && this.generation === generation) {
      const part = at ? chunk.subarray(at) : chunk;
      const flags = (this.skipBody ? F_SKIP_BODY : 0) | (this.lenient ? F_LENIENT : 0) |
        (this.connect ? F_CONNECT : 0) | (this.noUpgrade ? F_NO_UPGRADE : 0);
      const ev = binding.http.parserExecute(this.handle, part, this.maxHeaderSize, flags);
      const r = this._take(ev, part, at, chunk);
      if (r !== true) return r;
      const done = ev[ev.length - 1];
      at += done;
      if (this.upgraded || this.stopped || done === 0) break;
    }
    return at;
  }

  // The peer ended the stream: a body read until the end is complete now,
  // a message cut short is an error.
  finish() {
    if (!this.handle) return 0;
    const ev = binding.http.parserFinish(this.handle);
    const r = this._take(ev, new Uint8Array(0), 0, null);
    return r === true ? 0 : r;
  }

  close() {
    if (this.handle) binding.http.parserClose(this.handle);
    this.handle = null;
  }

  _take(ev, part, base, whole) {
    this.stopped = false;
    const generation = this.generation;
    for (let i = 0; i < ev.length && !this.stopped && this.generation === generation;) {
      switch (ev[i]) {
        case EV_HEADERS: {
          const info = {
            versionMajor: ev[i + 1],
            versionMinor: ev[i + 2],
            headers: ev[i + 3],
            method: ev[i + 4],
            url: ev[i + 5],
            statusCode: ev[i + 6],
            statusMessage: ev[i + 7],
            upgrade: ev[i + 8],
            shouldKeepAlive: ev[i + 9],
          };
          if (info.upgrade) this.upgraded = true;
          i += 10;
          if (this.onHeaders) this.onHeaders(info);
          break;
        }
        case EV_BODY:
          if (this.onBody) this.onBody(part.subarray(ev[i + 1], ev[i + 2]));
          i += 3;
          break;
        case EV_DONE:
          i += 2;
          if (this.onDone) this.onDone(ev[i - 1]);
          break;
        case EV_ERROR: {
          const code = ev[i + 1];
          const err = new Error(`Parse Error: ${reasons[code] || ev[i + 2]}`);
          err.code = code;
          err.reason = reasons[code] || ev[i + 2];
          err.bytesParsed = base + ev[i + 3];
          if (whole) err.rawPacket = whole;
          return err;
        }
        case EV_END:
          i += 2;
          break;
        case EV_BEGIN:
          i += 1;
          if (this.onBegin) this.onBegin();
          break;
        default:
          throw new Error(`unknown HTTP parser event ${ev[i]}`);
      }
    }
    return true;
  }
}

module.exports = { Parser, REQUEST, RESPONSE };
