// node/internal/stream-checks.js — Node 22's checks that readable-stream
// lacks, called from its files (edited at build time: kStreamEdits in
// build-support.js).
'use strict';

const { codes } = require('./errors');

// A stream's default encoding: utf8 unless the options name another
// encoding Buffer knows (ERR_UNKNOWN_ENCODING otherwise).
function defaultEncoding(options) {
  const encoding = options ? options.defaultEncoding : null;
  if (encoding == null || encoding === 'utf8' || encoding === 'utf-8') return 'utf8';
  if (require('../buffer').Buffer.isEncoding(encoding)) return encoding;
  throw codes.ERR_UNKNOWN_ENCODING(encoding);
}

module.exports = { defaultEncoding };
