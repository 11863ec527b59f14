// node/internal/child_process/serialization.js — the IPC channel's two
// wire formats, as Node writes them: 'json' (each message its JSON text and
// a '\n') and 'advanced' (each message a 4-byte big-endian length and V8's
// serialization of it, the structured clone: Map, Set, Date, BigInt, typed
// arrays and Buffers — written as the v8 module's DefaultSerializer
// writes them, tagged 0 — errors, cycles). A codec is
// { encode(message) -> Buffer, reader() -> { push(bytes) -> messages,
// buffering } }.
'use strict';

const { StringDecoder } = require('string_decoder');
const { Buffer } = require('buffer');

const json = {
  encode(message) {
    return Buffer.from(`${JSON.stringify(message)}\n`);
  },
  reader() {
    let decoder = null;
    let partial = '';
    return {
      push(bytes) {
        if (decoder === null) decoder = new StringDecoder('utf8');
        const lines = decoder.write(bytes).split('\n');
        const last = lines.length - 1;
        if (last === 0) {
          partial += lines[0];
          return [];
        }
        lines[0] = partial + lines[0];
        partial = lines[last];
        return lines.slice(0, last).map((line) => JSON.parse(line));
      },
      get buffering() {
        return partial.length !== 0;
      },
    };
  },
};

let advancedClasses = null;
function advancedCodec() {
  if (advancedClasses !== null) return advancedClasses;
  const v8 = require('../../v8');
  // host objects: 0 a typed array, DataView or Buffer (the default's bytes)
  class ChildProcessSerializer extends v8.DefaultSerializer {
    _writeHostObject(object) {
      if (!ArrayBuffer.isView(object)) {
        throw new this._getDataCloneError(`${Object.prototype.toString.call(object)} could not be cloned.`);
      }
      this.writeUint32(0);
      return super._writeHostObject(object);
    }
  }
  class ChildProcessDeserializer extends v8.DefaultDeserializer {
    _readHostObject() {
      if (this.readUint32() !== 0) throw new Error('Unable to deserialize cloned data.');
      return super._readHostObject();
    }
  }
  advancedClasses = { ChildProcessSerializer, ChildProcessDeserializer };
  return advancedClasses;
}

const advanced = {
  encode(message) {
    const { ChildProcessSerializer } = advancedCodec();
    const ser = new ChildProcessSerializer();
    ser.writeRawBytes(Buffer.alloc(4)); // the length, set below
    ser.writeHeader();
    ser.writeValue(message);
    const out = ser.releaseBuffer();
    out.writeUInt32BE(out.length - 4, 0);
    return out;
  },
  reader() {
    const { ChildProcessDeserializer } = advancedCodec();
    // the chunks read so far, joined once a whole message is there
    let chunks = [];
    let total = 0;
    return {
      push(bytes) {
        chunks.push(Buffer.from(bytes));
        total += bytes.length;
        const out = [];
        while (total >= 4) {
          if (chunks[0].length < 4) chunks = [Buffer.concat(chunks, total)];
          const size = chunks[0].readUInt32BE(0);
          if (total < 4 + size) break;
          const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
          const des = new ChildProcessDeserializer(all.subarray(4, 4 + size));
          const rest = all.subarray(4 + size);
          chunks = rest.length === 0 ? [] : [rest];
          total = rest.length;
          des.readHeader();
          out.push(des.readValue());
        }
        return out;
      },
      get buffering() {
        return total !== 0;
      },
    };
  },
};

module.exports = { codecs: { json, advanced } };
