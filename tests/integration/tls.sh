#!/usr/bin/env bash
# tests/integration/tls.sh — tls and https (bridge/tls.c, js/node/tls.js,
# js/node/https.js) against Node 22.14 byte for byte, on certificates the
# test makes with the openssl command in a temporary folder: a test CA, a
# server certificate for localhost and 127.0.0.1, a client certificate, a
# self-signed one and an expired one. In the guest: an https server and
# client, fetch of an https: URL (the CA trusted through the profile's
# tls.extra_ca_certs, NODE_EXTRA_CA_CERTS for the reference), SNI and ALPN,
# the verification errors' codes (self-signed, unknown CA, wrong host,
# expired), session reuse, mutual TLS. Then a guest client against a TLS
# server on the host (host.internal with its port granted), the system
# trust store under --profile strict, and the walls: the host's private
# keys stay unreadable, TLS to a port not granted is refused before any
# byte. Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/tls.sh [--bin PATH]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
test_setup tls "$root/build/secure-exec-launch" "$@"
limit=${INTEGRATION_TIMEOUT:-30}
die() { echo "tls: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
node22=${MATRIX_NODE:-$root/build/node22/bin/node}
[ -x "$node22" ] || die "no reference node at $node22 (run make deps)"
command -v openssl >/dev/null || die "the openssl command is not there"
host_pid=
# shellcheck disable=SC2064 # $work is fixed now
trap 'kill $host_pid 2>/dev/null; rm -rf "$work"' EXIT

# ---- the certificates ----------------------------------------------------------------

app="$work/app"
mkdir -p "$app" "$work/ca"
(
  cd "$app"
  q() { openssl "$@" > /dev/null 2>&1; }
  q req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 36500 -subj "/CN=SE Test CA/O=SE"
  q req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost/O=SE"
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
  q x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 -days 36500 -extfile server.ext -out server.pem
  q req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=client/O=SE"
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > client.ext
  q x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 36500 -extfile client.ext -out client.pem
  q req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 36500 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost"
  # expired: `openssl ca` is the one that takes explicit dates
  cat > "$work/ca/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $work/ca
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = policy_any
copy_extensions = copy
[ policy_any ]
commonName = supplied
EOF
  touch "$work/ca/index.txt"
  echo 10 > "$work/ca/serial"
  q req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost"
  q ca -batch -config "$work/ca/ca.cnf" -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
    -startdate 20000101000000Z -enddate 20010101000000Z -notext
) || die "openssl could not make the test certificates"
[ -s "$app/expired.pem" ] || die "openssl could not make the expired certificate"
chmod -R a+rX "$app"

sed -e 's/^net.allow =.*/net.allow = 127.0.0.1, localhost/' "$root/profiles/strict.profile" > "$work/tls.profile"
echo "tls.extra_ca_certs = $app/ca.pem" >> "$work/tls.profile"

# se ARGS...: the launcher in the app folder under the test's profile; sets rc, out, err
se() {
  rc=0
  out=$(cd "$app" && timeout -k 5 "$limit" "$bin" --profile "$work/tls.profile" "$@" 2> "$work/err" < /dev/null) ||
    rc=$?
  printf '%s\n' "$out" > "$work/out"
  err=$(< "$work/err")
}
ref() {
  (cd "$app" && NODE_EXTRA_CA_CERTS="$app/ca.pem" timeout -k 5 "$limit" "$node22" "$@") \
    > "$work/ref.out" 2> "$work/ref.err" < /dev/null || true
}
same() { # name: the guest's stdout equals the reference's
  if [ "$rc" -eq 0 ] && [ -s "$work/ref.out" ] && cmp -s "$work/ref.out" "$work/out"; then
    ok "$1 ($(wc -l < "$work/out") lines as Node 22.14's)"
  else
    bad "$1" "exit $rc" "$(diff "$work/ref.out" "$work/out" | head -20)" "err: ${err:0:400}"
  fi
}

# ---- in the guest --------------------------------------------------------------------------

cat > "$app/guest.js" <<'EOF'
const tls = require('tls');
const https = require('https');
const fs = require('fs');
const rd = (n) => fs.readFileSync(`${__dirname}/${n}`);
const key = rd('server.key');
const cert = rd('server.pem');
const ca = rd('ca.pem');
const steps = [];
const step = (name, fn) => steps.push([name, fn]);
const next = () => {
  const s = steps.shift();
  if (!s) return;
  console.log(`-- ${s[0]}`);
  s[1](() => setImmediate(next));
};
const listen = (srv, fn) => srv.listen(0, '127.0.0.1', () => fn(srv.address().port));

step('https server and https.get', (done) => {
  const srv = https.createServer({ key, cert }, (req, res) => {
    console.log('server', req.method, req.url, req.socket.encrypted, req.socket.getProtocol());
    res.setHeader('content-type', 'text/plain');
    res.end(`hello ${req.url}`);
  });
  listen(srv, (port) => {
    https.get({ host: 'localhost', port, path: '/a?b=1', agent: new https.Agent({ ca }) }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        console.log('client', res.statusCode, res.headers['content-type'], body, res.socket.authorized);
        srv.close(done);
      });
    }).on('error', (e) => { console.log('error', e.code); srv.close(done); });
  });
});

step('fetch over https (the CA from the extra roots)', (done) => {
  const srv = https.createServer({ key, cert }, (req, res) => res.end(JSON.stringify({ url: req.url })));
  listen(srv, async (port) => {
    try {
      const r = await fetch(`https://localhost:${port}/f?x=1`, { headers: { connection: 'close' } });
      console.log(r.status, await r.text());
    } catch (e) {
      console.log('fetch error', e.cause?.code);
    }
    srv.close(done);
  });
});

const refused = (name, sopts, copts) => step(name, (done) => {
  const srv = tls.createServer(sopts, (s) => s.end());
  srv.on('tlsClientError', () => {});
  listen(srv, (port) => {
    const c = tls.connect({ port, host: '127.0.0.1', ...copts }, () => {
      console.log('connected', c.authorized, c.authorizationError);
      c.end();
    });
    c.on('error', (e) => console.log('error', e.code, e.message, e.reason ?? '', e.host ?? ''));
    c.on('close', () => srv.close(done));
  });
});
refused('self-signed', { key: rd('self.key'), cert: rd('self.pem') }, { servername: 'localhost' });
refused('self-signed, not rejected', { key: rd('self.key'), cert: rd('self.pem') },
  { servername: 'localhost', rejectUnauthorized: false });
refused('an unknown CA', { key, cert }, { servername: 'localhost', ca: rd('self.pem') });
refused('the wrong host', { key, cert }, { servername: 'example.com', ca });
refused('an IP in the altnames', { key, cert }, { ca });
refused('the root sent in the chain', { key, cert: Buffer.concat([cert, ca]) }, { servername: 'localhost', ca: rd('self.pem') });
refused('expired', { key: rd('expired.key'), cert: rd('expired.pem') }, { servername: 'localhost', ca });

step('SNI and ALPN', (done) => {
  const srv = tls.createServer({
    key, cert, ALPNProtocols: ['h2', 'http/1.1'],
    SNICallback: (name, cb) => { console.log('SNICallback', name); cb(null, tls.createSecureContext({ key, cert })); },
  }, (s) => {
    console.log('server', s.servername, s.alpnProtocol);
    s.end();
  });
  listen(srv, (port) => {
    const c = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost', ALPNProtocols: ['http/1.1', 'x'] }, () => {
      console.log('client', c.alpnProtocol, c.authorized, c.getPeerCertificate().subject.CN);
    });
    c.resume();
    c.on('close', () => srv.close(done));
  });
});

step('mutual TLS', (done) => {
  const srv = tls.createServer({ key, cert, ca, requestCert: true }, (s) => {
    const peer = s.getPeerCertificate();
    console.log('server', s.authorized, peer.subject.CN, peer.issuer.CN, peer.ext_key_usage);
    s.end('bye');
  });
  listen(srv, (port) => {
    const c = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost', key: rd('client.key'), cert: rd('client.pem') }, () => {
      console.log('client', c.authorized, c.getCertificate().subject.CN);
    });
    c.on('data', (d) => console.log('client got', String(d)));
    c.on('close', () => srv.close(done));
  });
});

step('mutual TLS without a client certificate', (done) => {
  const srv = tls.createServer({ key, cert, ca, requestCert: true, rejectUnauthorized: false }, (s) => {
    console.log('server', s.authorized, s.authorizationError);
    s.end();
  });
  listen(srv, (port) => {
    const c = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
    c.resume();
    c.on('close', () => srv.close(done));
  });
});

step('session reuse', (done) => {
  const srv = tls.createServer({ key, cert }, (s) => s.end('x'));
  listen(srv, (port) => {
    let session;
    const c = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
    c.on('session', (s) => { session = s; });
    c.resume();
    c.on('close', () => {
      console.log('first', !!session);
      const c2 = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost', session }, () => {
        console.log('second reused', c2.isSessionReused(), c2.getProtocol());
      });
      c2.resume();
      c2.on('close', () => srv.close(done));
    });
  });
});

step('TLS 1.2 only', (done) => {
  const srv = tls.createServer({ key, cert, maxVersion: 'TLSv1.2' }, (s) => s.end());
  listen(srv, (port) => {
    const c = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => {
      console.log(c.getProtocol(), c.getCipher(), c.getEphemeralKeyInfo());
      console.log(c.exportKeyingMaterial(16, 'label').length);
    });
    c.resume();
    c.on('close', () => srv.close(done));
  });
});
next();
EOF
ref guest.js
se guest.js
same "in the guest: https, fetch, verification errors, SNI/ALPN, mutual TLS, sessions"

# ---- a TLS server on the host ----------------------------------------------------------

cat > "$app/host-server.js" <<'EOF'
const tls = require('tls');
const fs = require('fs');
const srv = tls.createServer({ key: fs.readFileSync(`${__dirname}/server.key`), cert: fs.readFileSync(`${__dirname}/server.pem`) },
  (s) => s.end(`host says hi over ${s.getProtocol()}`));
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
EOF
"$node22" "$app/host-server.js" > "$work/port" 2> /dev/null &
host_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
hport=$(tr -d '\n' < "$work/port")
cat > "$app/host-client.js" <<'EOF'
const tls = require('tls');
const [host, port] = process.argv.slice(2);
const c = tls.connect({ host, port: +port, servername: 'localhost' }, () => console.log('secure', c.authorized));
c.on('data', (d) => console.log(String(d)));
c.on('error', (e) => console.log('error', e.code, e.message));
EOF
ref host-client.js 127.0.0.1 "$hport"
se --allow-net="host.internal:$hport" host-client.js host.internal "$hport"
same "a guest client reaches a TLS server on the host as host.internal:$hport"

se host-client.js host.internal "$hport"
want="error ERR_ACCESS_DENIED Access to this API has been restricted: connect host.internal:$hport (not granted: run with --allow-net=host.internal:$hport)"
[ "$out" = "$want" ] && ok "TLS to a port not granted is refused before any byte" ||
  bad "TLS to a port not granted" "got: $out" "want: $want"

# ---- the system trust store and the walls ----------------------------------------------------

cat > "$app/roots.js" <<'EOF'
const tls = require('tls');
console.log(tls.rootCertificates.length);
for (const p of ['/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/private']) {
  try {
    require('fs').readdirSync(p);
    console.log(p, 'read');
  } catch (e) {
    console.log(p, e.code);
  }
}
EOF
n=$(grep -c 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt || true)
rc=0
out=$(cd "$app" && timeout -k 5 "$limit" "$bin" --profile strict roots.js 2>&1) || rc=$?
want=$(printf '%s\n/etc/ssl/certs/ca-certificates.crt EACCES\n/etc/ssl/private EACCES' "$n")
[ "$out" = "$want" ] && ok "under strict the system's $n roots are trusted, and neither they nor the private keys are readable to the guest" ||
  bad "system store under strict" "got: $out" "want: $want"

summary
