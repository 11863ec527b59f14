// The brotli encoder past the memory budget (--memory-limit 64,
// memory-brotli.flags): libbrotli 1.0's encoder ends the process when an
// allocation fails, so a large compression used to exit 1 with no output.
// It must fail with Node's catchable RangeError, sync and async, leave the
// budget whole, and the decoder past the budget must fail catchably too
// (issue 13, F5).
'use strict';
const zlib = require('zlib');
const MB = 1 << 20;
const P = zlib.constants;
const leaks = [];
function refused(what, f) {
  try {
    const r = f();
    leaks.push(`${what}: ${r && r.length} bytes`);
  } catch (e) {
    if (!(e instanceof RangeError)) leaks.push(`${what}: ${e}`);
  }
}
// quality 2 meets the budget at once; the default (11) after a second
const fast = { params: { [P.BROTLI_PARAM_QUALITY]: 2 } };
refused('brotliCompressSync of 40 MB', () => zlib.brotliCompressSync(Buffer.alloc(40 * MB, 1), fast));
refused('brotliCompressSync of 8 MB, quality 11', () => zlib.brotliCompressSync(Buffer.alloc(8 * MB, 1)));
// the budget is whole again: small work goes on
const small = zlib.brotliCompressSync(Buffer.from('hello '.repeat(1000)));
if (zlib.brotliDecompressSync(small).length !== 6000) leaks.push('small round trip failed');
// the decoder: a 16 MB window with little of the budget left (the stream
// made with room to spare: 20 MB at quality 1 is not what is tested)
const stream = zlib.brotliCompressSync(Buffer.alloc(20 * MB, 2), {
  params: { [P.BROTLI_PARAM_QUALITY]: 1, [P.BROTLI_PARAM_LGWIN]: 24 },
});
zlib.brotliCompress(Buffer.alloc(40 * MB, 1), fast, (err, out) => {
  if (!(err instanceof RangeError)) leaks.push(`brotliCompress of 40 MB: ${err || out.length}`);
  let ballast = Buffer.alloc(44 * MB, 3);
  let out2 = 0;
  const d = zlib.createBrotliDecompress();
  d.on('data', (chunk) => { out2 += chunk.length; });
  d.on('error', () => finish(true));
  d.on('end', () => finish(false));
  d.end(stream);
  function finish(failed) {
    ballast = null;
    if (!failed && out2 !== 20 * MB) leaks.push(`brotli decoder: ${out2} bytes`);
    console.log(leaks.length ? leaks.join('\n') : 'HELD');
  }
});
