// The run ends at process.exit even if the guest tries to trap it; the
// probe prints HELD first, and anything after exit would be an escape.
console.log('HELD');
try {
  Object.defineProperty(process, 'exit', { value() {}, configurable: true });
} catch {}
process.on('exit', () => {});
process.reallyExit(0);
console.log('ESCAPED: ran after reallyExit');
