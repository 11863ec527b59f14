// The native bridge table must not be reachable from guest code by any
// name, through any global, prototype or function source.
const found = [];
const names = Object.getOwnPropertyNames(globalThis).concat(Object.getOwnPropertySymbols(globalThis).map(String));
for (const n of names) if (/bridge|binding|__se/i.test(n)) found.push(n);
for (const f of ['binding', '_linkedBinding', 'dlopen']) {
  try { process[f]('fs'); found.push(`process.${f} worked`); } catch {}
}
try { if (typeof internalBinding !== 'undefined') found.push('internalBinding'); } catch {}
// Walk every builtin's exports one level deep for a function that is a bridge native.
for (const m of require('module').builtinModules) {
  let mod;
  try { mod = require(m); } catch { continue; }
  for (const k of Object.keys(mod || {})) {
    if (k === '__se_bridge') found.push(`${m}.${k}`);
    if (k === 'binding' && typeof mod[k] === 'function') {
      try { mod[k]('fs'); found.push(`${m}.binding('fs') worked`); } catch {}
    }
  }
}
try { Function('return this')().__se_bridge && found.push('Function(this)'); } catch {}
console.log(found.length ? `ESCAPED ${found.join(',')}` : 'HELD');
