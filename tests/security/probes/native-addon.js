// Native addons and the module system's back doors are closed.
const bad = [];
try { require('./x.node'); bad.push('require .node'); } catch {}
try { process.dlopen({}, '/lib/x86_64-linux-gnu/libc.so.6'); bad.push('dlopen'); } catch {}
for (const m of ['cluster', 'inspector', 'repl', 'wasi', 'trace_events', 'domain', 'child_process', 'worker_threads']) {
  try { require(m); if (['cluster', 'inspector', 'repl', 'wasi', 'trace_events', 'domain'].includes(m)) bad.push(m); } catch {}
}
console.log(bad.length ? `ESCAPED ${bad.join(',')}` : 'HELD');
