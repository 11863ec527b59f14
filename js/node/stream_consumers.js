'use strict';
// require('stream/consumers'): a Node Readable, a web ReadableStream or any
// async iterable read to its end as an ArrayBuffer, a Blob, a Buffer, text
// (UTF-8, streamed through one TextDecoder: a character split between
// chunks comes out whole) or JSON, as Node's functions do.

const { Blob } = require('./internal/blob');
const globals = require('./internal/globals');

async function blob(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new Blob(chunks);
}

async function arrayBuffer(stream) {
  const b = await blob(stream);
  return b.arrayBuffer();
}

async function buffer(stream) {
  const { Buffer } = require('./buffer');
  return Buffer.from(await arrayBuffer(stream));
}

async function text(stream) {
  const decoder = new globals.TextDecoder();
  let str = '';
  for await (const chunk of stream) {
    if (typeof chunk === 'string') str += chunk;
    else str += decoder.decode(chunk, { stream: true });
  }
  str += decoder.decode(undefined, { stream: false });
  return str;
}

async function json(stream) {
  return JSON.parse(await text(stream));
}

module.exports = { arrayBuffer, blob, buffer, text, json };
