// bench/url-work.js — one workload of bench/url.sh, named by argv[2];
// prints {"<name>": nanoseconds per operation}. URL parsing as an http
// client or a router does it: WHATWG URLs (a plain one, one with
// credentials and a query to encode, a relative one against a base),
// host names through url.domainToASCII, and the legacy url.parse.
'use strict';
const url = require('url');
const N = 50000;
const workloads = {
  'new URL (http, query)': (i) => new URL(`http://host${i % 10}.example.com/p/a?q=${i}`),
  'new URL (credentials, encoding)': (i) => new URL(`https://u:p@h.example/a b/ü?x="${i}"#f`),
  'new URL (relative, base)': (i) => new URL(`../x/${i}?y=1`, 'http://h.example/a/b/c'),
  'url.domainToASCII': (i) => url.domainToASCII(`sub${i % 10}.Example.COM`),
  'url.parse': (i) => url.parse(`http://h.example:8080/p/${i}?a=1&b=2#h`),
};
const name = process.argv[2];
if (!workloads[name]) {
  console.log(JSON.stringify(Object.keys(workloads)));
  process.exit(name ? 1 : 0);
}
const fn = workloads[name];
let keep = 0;
for (let i = 0; i < N; i++) keep += fn(i) ? 1 : 0; // warm-up: the optimised code is timed
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) keep += fn(i) ? 1 : 0;
const ns = Number(process.hrtime.bigint() - t0) / N;
if (keep !== 2 * N) throw new Error('no result');
console.log(JSON.stringify({ [name]: ns }));
