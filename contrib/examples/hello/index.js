// The demo `make demo` runs: a local require, console formatting, a timer,
// a promise, and a look at what the guest can see of its host.
const greet = require('./greeting');
console.log(greet('world'));
console.log({ node: process.version, platform: process.platform, env: process.env });
setTimeout(() => {
  console.log('a timer fired; typeof require("fs"):', (() => {
    try { return typeof require('fs'); } catch (e) { return e.message; }
  })());
}, 10);
Promise.resolve(42).then((v) => console.log('a promise resolved with', v));
