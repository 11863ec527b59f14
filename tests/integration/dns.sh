#!/usr/bin/env bash
# tests/integration/dns.sh — the guest's dns module against a DNS server
# the test starts on the host's loopback (dns_server.py, the zone
# dns.test), named by the profile key net.resolvers: every dns.Resolver
# answer byte for byte as Node 22.14 prints it with setServers() on the
# same server, lookup (all, family, order), the error shapes (NXDOMAIN,
# NODATA), a name not granted (ERR_ACCESS_DENIED, nothing asked), the
# rebinding name (a public address first, a private one when the
# supervisor connects: refused there), getServers(), a Resolver's own
# servers (the host's through host.internal, the sandbox's loopback, ones
# not granted), and the audit lines of both deciders. Prints ok/FAIL per
# check and "N passed, N failed".
#
# usage: tests/integration/dns.sh [--bin PATH]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin="$root/build/secure-exec-launch"
limit=${INTEGRATION_TIMEOUT:-30}

die() { echo "dns: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift 2 ;;
    --bin=*) bin=${1#--bin=}; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
case $bin in
  */*) [[ $bin == /* ]] || bin="$PWD/$bin" ;;
  *) bin=$(command -v -- "$bin" || true) ;;
esac
[ -n "$bin" ] && [ -x "$bin" ] || die "no launcher at ${bin:-(not found)} (run make first)"
command -v node >/dev/null || die "host node not found"
# the reference the answers are compared with: Node 22.14.0 (make deps)
node22=${MATRIX_NODE:-$(cd "$(dirname "$0")/../.." && pwd)/build/node22/bin/node}
[ -x "$node22" ] || die "no reference node at $node22 (run make deps)"
command -v python3 >/dev/null || die "python3 not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/dns.XXXXXX")
chmod 755 "$work"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() {
  echo "FAIL $1"
  shift
  for line in "$@"; do echo "     $line"; done
  fail=$((fail + 1))
}

# ---- the server and the profile naming it ----------------------------------------------

python3 "$here/dns_server.py" "$work/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || die "the DNS server did not start"
port=$(tr -d '\n' < "$work/port")
server="127.0.0.1:$port"

mkdir "$work/app"
# the default profile without its loopback grants, with the test's resolver
sed -e 's/^net.allow = .*/net.allow =/' "$root/profiles/default.profile" > "$work/dns.profile"
echo "net.resolvers = $server" >> "$work/dns.profile"

# se ARGS...: the launcher in the app folder, sets rc, out, err
se() {
  rc=0
  (cd "$work/app" && timeout -k 5 "$limit" "$bin" --profile "$work/dns.profile" "$@") \
    > "$work/out" 2> "$work/err" < /dev/null || rc=$?
  out=$(< "$work/out")
  err=$(< "$work/err")
}

names=a.dns.test,v6.dns.test,mx.dns.test,txt.dns.test,_http._tcp.dns.test,cname.dns.test,dns.test
names=$names,ptr.dns.test,naptr.dns.test,nx.dns.test,192.0.2.10,192.0.2.99

# ---- every answer as Node 22.14 prints it --------------------------------------------------

cat > "$work/app/resolve.js" <<'EOF'
const dns = require('dns');
const util = require('util');
const show = (v) => util.inspect(v, { depth: 5, breakLength: 120 });
const err = (e) => `${e.code} ${e.syscall} ${e.hostname} ${e.errno} ${e.message} ${Object.keys(e)}`;
const cb = new dns.Resolver();
const pr = new dns.promises.Resolver();
if (process.env.DNS_SERVER) {
  cb.setServers([process.env.DNS_SERVER]);
  pr.setServers([process.env.DNS_SERVER]);
}
const jobs = [
  ['resolve4', 'a.dns.test'], ['resolve4', 'a.dns.test', { ttl: true }],
  ['resolve6', 'a.dns.test'], ['resolve6', 'v6.dns.test', { ttl: true }],
  ['resolveMx', 'mx.dns.test'], ['resolveTxt', 'txt.dns.test'],
  ['resolveSrv', '_http._tcp.dns.test'], ['resolveCname', 'cname.dns.test'],
  ['resolve4', 'cname.dns.test'], ['resolveNs', 'dns.test'], ['resolveSoa', 'dns.test'],
  ['resolveCaa', 'dns.test'], ['resolvePtr', 'ptr.dns.test'], ['resolveNaptr', 'naptr.dns.test'],
  ['resolveAny', 'a.dns.test'], ['resolveAny', 'dns.test'], ['resolveAny', 'cname.dns.test'],
  ['reverse', '192.0.2.10'], ['resolve4', 'nx.dns.test'], ['resolveMx', 'a.dns.test'],
  ['resolveTxt', 'v6.dns.test'], ['reverse', '192.0.2.99'],
];
(async () => {
  for (const [m, n, o] of jobs) {
    const label = `${m}(${n}${o ? `, ${JSON.stringify(o)}` : ''})`;
    await new Promise((res) => {
      const done = (e, x) => { console.log(label, e ? err(e) : show(x)); res(); };
      if (o) cb[m](n, o, done); else cb[m](n, done);
    });
    try {
      console.log(`promises.${label}`, show(await (o ? pr[m](n, o) : pr[m](n))));
    } catch (e) {
      console.log(`promises.${label}`, err(e));
    }
  }
  for (const t of ['A', 'AAAA', 'MX', 'TXT', 'SRV', 'NS', 'SOA', 'CAA', 'NAPTR', 'ANY']) {
    const name = { SRV: '_http._tcp.dns.test', NAPTR: 'naptr.dns.test', NS: 'dns.test', SOA: 'dns.test', CAA: 'dns.test', MX: 'mx.dns.test', TXT: 'txt.dns.test' }[t] || 'a.dns.test';
    console.log(`resolve(${name}, ${t})`, show(await pr.resolve(name, t)));
  }
})();
EOF
DNS_SERVER=$server "$node22" "$work/app/resolve.js" > "$work/host.out" 2>&1 || true
se --allow-net="$names" resolve.js
if [ "$rc" -eq 0 ] && [ -s "$work/host.out" ] && cmp -s "$work/host.out" "$work/out" &&
   grep -q "resolveAny(dns.test)" "$work/out"; then
  ok "every dns.Resolver and dns.promises.Resolver answer equals Node 22.14's, byte for byte ($(wc -l < "$work/out") lines)"
else
  bad "resolve* against Node 22.14" "exit $rc" "$(diff "$work/host.out" "$work/out" | head -20)" "err: ${err:0:300}"
fi

# ---- lookup -----------------------------------------------------------------------------

cat > "$work/app/lookup.js" <<'EOF'
const dns = require('dns');
const util = require('util');
const show = (v) => util.inspect(v, { breakLength: 200 });
(async () => {
  const all = await util.promisify(dns.lookup)('a.dns.test', { all: true });
  console.log('all', show(all));
  console.log('v6first', show(await dns.promises.lookup('a.dns.test', { all: true, order: 'ipv6first' })));
  console.log('family6', show(await util.promisify(dns.lookup)('a.dns.test', { family: 6 })));
  console.log('familyIPv4', show(await util.promisify(dns.lookup)('a.dns.test', { family: 'IPv4', all: true })));
  console.log('first', show(await dns.promises.lookup('a.dns.test')));
  try {
    await dns.promises.lookup('nx.dns.test');
  } catch (e) {
    console.log('nx', e.code, e.errno, e.syscall, e.hostname, e.message);
  }
  try {
    dns.lookup('a.dns.test', { family: 5 }, () => {});
  } catch (e) {
    console.log('bad family', e.code, e.name);
  }
  try {
    dns.lookup('a.dns.test', { order: 'random' }, () => {});
  } catch (e) {
    console.log('bad order', e.code);
  }
})();
EOF
want="all [ { address: '192.0.2.10', family: 4 }, { address: '192.0.2.11', family: 4 }, { address: '2001:db8::10', family: 6 } ]
v6first [ { address: '2001:db8::10', family: 6 }, { address: '192.0.2.10', family: 4 }, { address: '192.0.2.11', family: 4 } ]
family6 { address: '2001:db8::10', family: 6 }
familyIPv4 [ { address: '192.0.2.10', family: 4 }, { address: '192.0.2.11', family: 4 } ]
first { address: '192.0.2.10', family: 4 }
nx ENOTFOUND -3008 getaddrinfo nx.dns.test getaddrinfo ENOTFOUND nx.dns.test
bad family ERR_INVALID_ARG_VALUE TypeError
bad order ERR_INVALID_ARG_VALUE"
se --allow-net=a.dns.test,nx.dns.test lookup.js
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
  ok "dns.lookup: all, family (4, 6, 'IPv4'), order, NXDOMAIN as getaddrinfo ENOTFOUND, Node's argument errors"
else
  bad "dns.lookup" "exit $rc" "got: $out" "want: $want" "err: ${err:0:300}"
fi

# ---- refusals, the rebinding name, the audit -----------------------------------------------

cat > "$work/app/refuse.js" <<'EOF'
const dns = require('dns');
const net = require('net');
dns.resolveMx('mx.dns.test', (e) => {
  console.log('resolve', e && e.code);
  dns.reverse('192.0.2.10', (e2) => {
    console.log('reverse', e2 && e2.code);
    dns.lookup('txt.dns.test', (e3) => {
      console.log('lookup', e3 && e3.code);
      const c = net.connect({ host: 'rebind1.dns.test', port: 80 });
      c.on('lookup', (e4, address) => console.log('connect looked up', e4 && e4.code, address));
      c.on('connect', () => console.log('ESCAPED: connected'));
      c.on('error', (e5) => console.log('connect', e5.code));
    });
  });
});
EOF
se --allow-net=rebind1.dns.test:80,a.dns.test --audit "$work/audit.jsonl" refuse.js
want="resolve ERR_ACCESS_DENIED
reverse ERR_ACCESS_DENIED
lookup ERR_ACCESS_DENIED
connect looked up null 203.0.113.7
connect ERR_ACCESS_DENIED"
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
  ok "a name or an address not granted is refused (ERR_ACCESS_DENIED); the rebinding name's public answer does not open its private one"
else
  bad "refusals and rebinding" "exit $rc" "got: $out" "want: $want" "err: ${err:0:300}"
fi
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
net = [l for l in lines if l.get("domain") == "net"]
def has(**kw):
    return any(all(l.get(k) == v for k, v in kw.items()) for l in net)
assert has(op="resolve", target="mx.dns.test:0", allow=False, by="guest"), net
assert has(op="reverse", target="192.0.2.10:0", allow=False, by="guest"), net
assert has(op="lookup", target="txt.dns.test:0", allow=False, by="guest"), net
assert has(op="connect", target="rebind1.dns.test:80", allow=True, by="guest"), net
assert has(op="connect", target="rebind1.dns.test:80", allow=False, by="supervisor",
           ip="10.0.0.5", rule="private-address"), net
' "$work/audit.jsonl"; then
  ok "--audit: the guest's refusals, and the guest's grant then the supervisor's refusal of the rebound address (ip 10.0.0.5, private-address)"
else
  bad "--audit lines" "$(grep '"net"' "$work/audit.jsonl" | head -c 1500)"
fi

# the servers: the profile's, shown; the guest's own list checked, shown,
# and asked — each server decided as a connection to it ("dns-server")
cat > "$work/app/servers.js" <<'EOF'
const dns = require('dns');
console.log(JSON.stringify(dns.getServers()), JSON.stringify(new dns.promises.Resolver().getServers()));
const r = new dns.Resolver();
r.setServers(['8.8.8.8', '[2001:db8::1]:5353']);
console.log(JSON.stringify(r.getServers()));
try { r.setServers(['not an address']); } catch (e) { console.log(e.code); }
r.resolve4('a.dns.test', (e, a) => {
  console.log('8.8.8.8 not granted:', e ? `${e.code} ${e.message}` : a.join(','));
  dns.resolve4('a.dns.test', (e2, a2) => console.log('the default resolver still the run\'s:', e2 ? e2.code : a2.join(',')));
});
EOF
want="[\"$server\"] [\"$server\"]
[\"8.8.8.8\",\"[2001:db8::1]:5353\"]
ERR_INVALID_IP_ADDRESS
8.8.8.8 not granted: ERR_ACCESS_DENIED Access to this API has been restricted: dns-server 8.8.8.8:53 (not granted: run with --allow-net=8.8.8.8:53)
the default resolver still the run's: 192.0.2.10,192.0.2.11"
se --allow-net=a.dns.test servers.js
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
  ok "getServers() shows net.resolvers; setServers() is checked, shown, and its servers decided (8.8.8.8 not granted: ERR_ACCESS_DENIED); the default resolver still asks the run's"
else
  bad "getServers/setServers" "exit $rc" "got: $out" "want: $want" "err: ${err:0:300}"
fi

# the guest's own servers: the host's server through host.internal:PORT (its
# grant), the same port on the sandbox's own loopback (granted, nothing
# there: the host's server is not reached), the sandbox's loopback and a
# private address without a grant (refused by the guest, nothing sent)
cat > "$work/app/own.js" <<'EOF'
const dns = require('dns');
const port = process.env.DNS_PORT;
const ask = (servers, name) => new Promise((res) => {
  const r = new dns.Resolver({ timeout: 300, tries: 1 });
  r.setServers(servers);
  r.resolve4(name, (e, a) => { console.log(servers.join(' '), name, e ? e.code : a.join(',')); res(); });
});
(async () => {
  await ask([`127.254.0.1:${port}`], 'a.dns.test');
  await ask([`127.254.0.1:${port}`], 'nx.dns.test');
  await ask([`127.0.0.1:${port}`], 'a.dns.test');
  await ask([`127.0.0.2:${port}`], 'a.dns.test');
  await ask(['10.0.0.1'], 'a.dns.test');
  await ask(['169.254.169.254'], 'a.dns.test');
  const p = new dns.promises.Resolver();
  p.setServers([`127.254.0.1:${port}`]);
  console.log('promises', (await p.resolveMx('mx.dns.test')).map((m) => m.exchange).join(','));
  console.log('reverse', (await p.reverse('192.0.2.10')).join(','));
})();
EOF
want="127.254.0.1:$port a.dns.test 192.0.2.10,192.0.2.11
127.254.0.1:$port nx.dns.test ENOTFOUND
127.0.0.1:$port a.dns.test ECONNREFUSED
127.0.0.2:$port a.dns.test ERR_ACCESS_DENIED
10.0.0.1 a.dns.test ERR_ACCESS_DENIED
169.254.169.254 a.dns.test ERR_ACCESS_DENIED
promises mail1.dns.test,mail2.dns.test
reverse a.dns.test"
rc=0
(cd "$work/app" && DNS_PORT=$port timeout -k 5 "$limit" "$bin" --profile "$work/dns.profile" \
  --allow-net="host.internal:$port,127.0.0.1" --allow-env=DNS_PORT --audit "$work/own.jsonl" own.js) \
  > "$work/out" 2> "$work/err" < /dev/null || rc=$?
out=$(< "$work/out")
err=$(< "$work/err")
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
  ok "a Resolver's own servers: the host's through host.internal:PORT, the sandbox's loopback in its own namespace (the host's server on that port not reached), ungranted loopback/private/metadata servers refused"
else
  bad "the guest's own servers" "exit $rc" "got: $out" "want: $want" "err: ${err:0:300}"
fi
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
net = [l for l in lines if l.get("domain") == "net" and l.get("op") == "dns-server"]
port = sys.argv[2]
def has(**kw):
    return any(all(l.get(k) == v for k, v in kw.items()) for l in net)
assert has(target="host.internal:" + port, allow=True, by="supervisor", ip="127.254.0.1"), net
assert has(target="127.0.0.1:" + port, allow=True, by="supervisor", ip="127.0.0.1"), net
assert has(target="127.0.0.2:" + port, allow=False, by="guest"), net
assert has(target="10.0.0.1:53", allow=False, by="guest"), net
assert has(target="169.254.169.254:53", allow=False, by="guest"), net
assert not has(target="10.0.0.1:53", by="supervisor"), net
' "$work/own.jsonl" "$port"; then
  ok "--audit: dns-server decisions of both walls (granted ones by the supervisor with their ip, refusals by the guest before anything is sent)"
else
  bad "dns-server audit lines" "$(grep 'dns-server' "$work/own.jsonl" | head -c 1500)"
fi

# Resolver.cancel() stops the supervisor's questions too: 200 questions to a
# server that never answers (each would wait 60 s), cancelled; a question
# after them is answered at once. More than the supervisor's pool (64)
# and queue (64) hold: the cancels go on the sync channel, since the async
# one is held up behind the questions (the attack's F4 and its sequel).
cat > "$work/app/cancel.js" <<'EOF'
const dns = require('dns');
const server = `127.254.0.1:${process.env.DNS_PORT}`;
const slow = new dns.Resolver({ timeout: 60000, tries: 1 });
slow.setServers([server]);
let cancelled = 0;
for (let i = 0; i < 200; i++) {
  slow.resolve4('silent.dns.test', (e) => { if (e && e.code === 'ECANCELLED') cancelled++; });
}
setTimeout(() => {
  slow.cancel();
  setImmediate(() => {
    console.log('cancelled', cancelled);
    const r = new dns.Resolver({ timeout: 5000, tries: 1 });
    r.setServers([server]);
    r.resolve4('a.dns.test', (e, a) => console.log('after', e ? e.code : a.join(',')));
  });
}, 500);
EOF
rc=0
(cd "$work/app" && DNS_PORT=$port timeout -k 5 "$limit" "$bin" --profile "$work/dns.profile" \
  --allow-net="host.internal:$port" --allow-env=DNS_PORT cancel.js) \
  > "$work/out" 2> "$work/err" < /dev/null || rc=$?
out=$(< "$work/out")
want="cancelled 200
after 192.0.2.10,192.0.2.11"
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
  ok "Resolver.cancel() frees the supervisor's workers: 200 questions to a silent server (more than its pool and queue hold) cancelled, the next one answered"
else
  bad "Resolver.cancel() and the supervisor" "exit $rc" "got: $out" "want: $want" "err: $(head -c 300 "$work/err")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
