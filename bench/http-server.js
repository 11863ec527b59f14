// bench/http-server.js — the server bench/http.sh loads: `hello` (node's
// http, a fixed body) or `express` (one route), on the port given.
'use strict';
const [kind, port] = [process.argv[2], Number(process.argv[3])];
const body = 'hello world\n';
let server;
if (kind === 'express') {
  const app = require('express')();
  app.get('/', (req, res) => res.type('text').send(body));
  server = app.listen(port);
} else {
  server = require('http').createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  }).listen(port);
}
server.on('listening', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
