// node/internal/util.js — small helpers shared by the polyfilled modules.
//
// kCustomPromisifyArgs: a function carrying this symbol lists the names of
// its callback's values, and util.promisify resolves with an object of them
// (dns.lookup, fs.read …). shouldColorize: Node's rule for whether a stream
// gets ANSI colours (FORCE_COLOR / NO_COLOR / isTTY), read at call time.
'use strict';

const kCustomPromisifyArgs = Symbol('customPromisifyArgs');

function shouldColorize(stream) {
  const env = process.env;
  if (env.FORCE_COLOR !== undefined) {
    return !['0', 'false'].includes(env.FORCE_COLOR);
  }
  if (env.NO_COLOR !== undefined || env.NODE_DISABLE_COLORS !== undefined || env.TERM === 'dumb') {
    return false;
  }
  return !!(stream && stream.isTTY &&
    (typeof stream.getColorDepth === 'function' ? stream.getColorDepth() > 2 : true));
}

module.exports = { kCustomPromisifyArgs, shouldColorize };
