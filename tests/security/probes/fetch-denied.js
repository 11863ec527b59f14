// The net wall under fetch and WebSocket (undici over the sandbox's net):
// with only the sandbox's own loopback granted (--profile default), a fetch
// to any other address or name rejects with Node's TypeError "fetch
// failed" whose cause is the broker's ERR_ACCESS_DENIED — directly, through
// a Request, through a redirect from a granted server (no SSRF hop past the
// grant), and a WebSocket's handshake fails the same way (a name no rule
// grants is refused at its lookup). With the JS wall open (--allow-all)
// the supervisor still refuses what no rule can grant (host.internal, the
// metadata address, private ranges); public targets are granted there.
'use strict';
const http = require('http');
const net = require('net');

const targets = [
  'http://127.0.0.2/', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/',
  'http://8.8.8.8/', 'http://[::ffff:7f00:2]/', 'http://[fe80::1]/', 'http://example.com/',
  'http://host.internal:8080/',
];
const bad = [];

// The mode: the broker refuses 127.0.0.2 under --profile default.
function brokerRefuses() {
  return new Promise((resolve) => {
    const s = net.connect({ port: 80, host: '127.0.0.2' });
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', (e) => resolve(e.code === 'ERR_ACCESS_DENIED'));
    s.setTimeout(3000, () => { s.destroy(); resolve(false); });
  });
}

function check(label, err, strict, name) {
  if (!(err instanceof TypeError) || err.message !== 'fetch failed') {
    bad.push(`${label}: not Node's fetch failure (${err && err.name}: ${err && err.message})`);
    return;
  }
  const code = err.cause && err.cause.code;
  if (strict && code !== 'ERR_ACCESS_DENIED') bad.push(`${label}: cause ${code}, not ERR_ACCESS_DENIED`);
  if (!strict && !['ERR_ACCESS_DENIED', 'ENETUNREACH', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN',
    'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL'].includes(code)) {
    bad.push(`${label}: unexpected cause ${code}`);
  }
}

async function attempt(label, fn, strict, name) {
  const timer = new Promise((resolve) => setTimeout(resolve, 8000, 'hung'));
  try {
    const r = await Promise.race([fn(), timer]);
    if (r === 'hung') bad.push(`${label}: hung`);
    else bad.push(`${label}: answered ${r.status}`);
  } catch (err) {
    check(label, err, strict, name);
  }
}

const server = http.createServer((req, res) => {
  res.writeHead(302, { Location: decodeURIComponent(req.url.slice(1)) });
  res.end();
});

server.listen(0, '127.0.0.1', async () => {
  const strict = await brokerRefuses();
  const { port } = server.address();
  for (const url of targets) {
    const name = /^[a-z.]+$/.test(new URL(url).hostname);
    await attempt(url, () => fetch(url), strict, name);
    await attempt(`Request ${url}`, () => fetch(new Request(url, { method: 'POST', body: 'x' })), strict, name);
    await attempt(`redirect to ${url}`, () => fetch(`http://127.0.0.1:${port}/${encodeURIComponent(url)}`), strict, name);
  }
  for (const url of ['ws://127.0.0.2/', 'ws://10.0.0.1/', 'ws://example.com/']) {
    await new Promise((resolve) => {
      const ws = new WebSocket(url);
      const t = setTimeout(() => { bad.push(`${url}: hung`); resolve(); }, 8000);
      ws.onopen = () => { bad.push(`${url}: opened`); clearTimeout(t); ws.close(); resolve(); };
      ws.onerror = () => { clearTimeout(t); resolve(); };
    });
  }
  server.close();
  console.log(bad.length ? `ESCAPED ${bad.join('; ')}` : 'HELD');
});
