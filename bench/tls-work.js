// bench/tls-work.js — TLS on the loopback in one program, timed from
// inside: sequential TLS 1.3 handshakes (a new connection each, no
// session resumed), then https hello requests over keep-alive (10 at a
// time), then 64 MiB echoed through one TLS connection. The certificate
// and key are the files named by argv (made by bench/tls.sh). Prints
// "handshakes_per_s requests_per_s mb_per_s".
'use strict';
const tls = require('tls');
const https = require('https');
const fs = require('fs');

const [keyFile, certFile, n = '300', reqs = '3000'] = process.argv.slice(2);
const key = fs.readFileSync(keyFile);
const cert = fs.readFileSync(certFile);
const ca = cert;

function handshakes(done) {
  const server = tls.createServer({ key, cert, minVersion: 'TLSv1.3' }, (s) => s.end());
  server.listen(0, '127.0.0.1', () => {
    const port = server.address().port;
    let left = +n;
    const t0 = process.hrtime.bigint();
    const one = () => {
      const c = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca }, () => c.destroy());
      c.on('close', () => {
        if (--left === 0) {
          const s = Number(process.hrtime.bigint() - t0) / 1e9;
          server.close(() => done(+n / s));
        } else {
          one();
        }
      });
    };
    one();
  });
}

function requests(done) {
  const server = https.createServer({ key, cert }, (req, res) => res.end('hello')).listen(0, '127.0.0.1', () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 10, ca });
    const port = server.address().port;
    const total = +reqs;
    let sent = 0, finished = 0;
    const t0 = process.hrtime.bigint();
    const one = () => {
      if (sent >= total) return;
      sent++;
      https.get({ host: 'localhost', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (++finished === total) {
            const s = Number(process.hrtime.bigint() - t0) / 1e9;
            agent.destroy();
            server.close(() => done(total / s));
          } else {
            one();
          }
        });
      });
    };
    for (let i = 0; i < 10; i++) one();
  });
}

function throughput(done) {
  const want = 64 << 20;
  const server = tls.createServer({ key, cert }, (c) => c.pipe(c)).listen(0, '127.0.0.1', () => {
    const c = tls.connect({ port: server.address().port, host: '127.0.0.1', servername: 'localhost', ca });
    const chunk = Buffer.alloc(64 << 10, 7);
    let sent = 0, got = 0;
    let t0;
    c.on('secureConnect', () => {
      t0 = process.hrtime.bigint();
      const pump = () => {
        while (sent < want) {
          sent += chunk.length;
          if (!c.write(chunk)) return c.once('drain', pump);
        }
      };
      pump();
    });
    c.on('data', (d) => {
      got += d.length;
      if (got === want) {
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        c.destroy();
        server.close(() => done(64 / s));
      }
    });
  });
}

handshakes((h) => requests((r) => throughput((m) => console.log(h.toFixed(0), r.toFixed(0), m.toFixed(1)))));
