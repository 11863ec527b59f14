// The node_modules overlay from the guest: writes into it fail, a package
// that is a symlink to a host folder outside the app does not exist,
// .node files cannot be read or loaded — while an ordinary package loads.
'use strict';
const fs = require('fs');

let leaks = 0;
const leak = (what) => {
  leaks++;
  console.log('LEAK', what);
};
const tryIt = (f) => {
  try {
    f();
  } catch {
    // refused: held
  }
};

let good = '';
tryIt(() => { good = require('good'); });
if (good !== 'good') leak(`an ordinary package did not load (${good})`);

tryIt(() => leak(`wrote into node_modules: ${fs.writeFileSync('/app/node_modules/good/new.js', 'x') === undefined}`));
tryIt(() => leak(`created a package folder: ${fs.mkdirSync('/app/node_modules/new') === undefined}`));
tryIt(() => leak(`removed a file: ${fs.unlinkSync('/app/node_modules/good/index.js') === undefined}`));
for (const name of ['evil', 'evil-relative']) {
  tryIt(() => leak(`require ${name}: ${require(name)}`));
  tryIt(() => leak(`read ${name}: ${fs.readFileSync(`/app/node_modules/${name}/key.txt`, 'utf8')}`));
  tryIt(() => leak(`list ${name}: ${fs.readdirSync(`/app/node_modules/${name}`)}`));
}
tryIt(() => leak(`read a .node file: ${fs.readFileSync('/app/node_modules/addon/x.node', 'utf8')}`));
tryIt(() => leak(`loaded a .node file: ${require('addon')}`));
if (fs.existsSync('/app/node_modules/good/index.js') !== true) leak('the package vanished');
console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
