// Native code of the app folder must never run: a granted program (echo)
// and a nested guest (node) started with LD_PRELOAD (and the loader's other
// variables) naming a library the app ships. The app folder is the
// untrusted code: a library there mapped as code is native code without a
// V8 escape.
'use strict';
const cp = require('child_process');
const fs = require('fs');

if (!fs.existsSync('/app/evil.so')) {
  console.log('note: no /app/evil.so (no cc on the host): nothing to try');
  console.log('HELD');
  process.exit(0);
}
let leaks = 0;
const envs = [{ LD_PRELOAD: '/app/evil.so' }, { LD_AUDIT: '/app/evil.so' }];
for (const env of envs) {
  for (const [file, args] of [['echo', ['hi']], [process.execPath, ['-e', '0']]]) {
    let r;
    try {
      r = cp.spawnSync(file, args, { env, encoding: 'utf8' });
    } catch (e) {
      continue; // refused: nothing ran
    }
    if (`${r.stdout}${r.stderr}`.includes('APP-NATIVE-CODE')) {
      leaks++;
      console.log('LEAK', Object.keys(env)[0], file, 'ran the app folder\'s library');
    }
  }
}
console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
