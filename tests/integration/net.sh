#!/usr/bin/env bash
# tests/integration/net.sh — the network through the supervisor's socket
# broker (launcher/netd.c), against servers on the host's loopback: a guest
# client reaches a host server only as host.internal with its port granted,
# a guest server is reached from the host through --publish, what is not
# granted is refused by both walls (the audit shows both lines), and the
# sandbox's 127.0.0.1 is never the host's.
#
# usage: tests/integration/net.sh [--bin PATH]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
test_setup net "$here/../../build/secure-exec-launch" "$@"
cd "$work" || exit 1
# the audit logs: outside the app folder ($work), which the guest reads
logs=$(mktemp -d "${TMPDIR:-/tmp}/net-logs.XXXXXX") || exit 1
# shellcheck disable=SC2064 # both are fixed now
trap "rm -rf '$work' '$logs'" EXIT

# a host HTTP server on 127.0.0.1 (a random port), answering "host:PATH"
python3 - > port 2> /dev/null <<'PY' &
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("host:" + self.path).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = socketserver.TCPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 60
s.serve_forever()
PY
server=$!
host_sock=
trap 'kill $server $host_sock 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
[ -n "$port" ] || { bad "host server" "did not start"; summary; exit 1; }

se() { timeout -k 5 30 "$bin" "$@"; }

get='const http = require("http");
http.get({ host: process.argv[1], port: +process.argv[2], path: "/x" }, (r) => {
  let b = ""; r.on("data", (d) => (b += d)); r.on("end", () => console.log(r.statusCode, b));
}).on("error", (e) => console.log(e.code, e.message));'

out=$(se --allow-net="host.internal:$port" -e "$get" -- host.internal "$port" 2>&1)
[ "$out" = "200 host:/x" ] && ok "a guest client reaches a host server as host.internal:$port" ||
  bad "host.internal" "got: $out"

out=$(se --allow-net="host.internal:$((port + 1))" -e "$get" -- host.internal "$port" 2>&1)
want="ERR_ACCESS_DENIED Access to this API has been restricted: connect host.internal:$port (not granted: run with --allow-net=host.internal:$port)"
[ "$out" = "$want" ] && ok "another port of host.internal is refused, naming the grant" ||
  bad "host.internal other port" "got: $out" "want: $want"

out=$(se --allow-net="127.0.0.1:$port" -e "$get" -- 127.0.0.1 "$port" 2>&1)
[ "$out" = "ECONNREFUSED connect ECONNREFUSED 127.0.0.1:$port" ] &&
  ok "the sandbox's 127.0.0.1 is its own, not the host's" || bad "127.0.0.1" "got: $out"

# worker_threads: the supervisor's channel is the main thread's; a worker's
# requests are refused before the broker, saying so (and the main thread's
# still work in the same run)
wget='const { Worker } = require("worker_threads");
const w = new Worker(`const net = require("net"), dns = require("dns"), { parentPort } = require("worker_threads");
const out = [];
const done = (what) => (e) => { out.push(what + " " + (e ? e.code : "ok")); if (out.length === 3) parentPort.postMessage(out.sort().join(", ")); };
net.connect(+process.argv[2], "host.internal").on("error", done("connect")).on("connect", () => done("connect")());
dns.lookup("example.com", done("lookup"));
require("dgram").createSocket("udp4").on("error", done("udp")).send("x", 9, "host.internal", done("udp"));`, { eval: true, argv: process.argv.slice(1) });
w.on("message", (m) => { console.log("worker:", m); require("http").get({ host: "host.internal", port: +process.argv[1], path: "/w" }, (r) => { let b = ""; r.on("data", (d) => (b += d)); r.on("end", () => console.log("main:", r.statusCode, b)); }); });'
out=$(se --allow-net="host.internal:$port" -e "$wget" -- "$port" 2>&1)
want="worker: connect ERR_ACCESS_DENIED, lookup ERR_ACCESS_DENIED, udp ERR_ACCESS_DENIED
main: 200 host:/w"
[ "$out" = "$want" ] && ok "a worker's network requests are refused; the main thread's work" ||
  bad "worker network" "got: $out" "want: $want"

out=$(se --allow-all -e "$get" -- 169.254.169.254 80 2>&1)
[[ $out == "ERR_ACCESS_DENIED "* ]] && ok "--allow-all: the metadata address stays closed" ||
  bad "metadata under --allow-all" "got: $out"

out=$(se --allow-net -e "$get" -- 10.1.2.3 80 2>&1)
[[ $out == "ERR_ACCESS_DENIED "* ]] && ok "bare --allow-net: a private address is refused" ||
  bad "private under bare --allow-net" "got: $out"

# the host's own address, even granted by address: only host.internal
# reaches the host (a listener on all of its addresses)
hip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4; exit}')
if [ -n "$hip" ]; then
  python3 -c 'import socket,time,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 0)); s.listen(4)
print(s.getsockname()[1], flush=True); time.sleep(30)' > anyport 2>/dev/null &
  anyl=$!
  for _ in $(seq 50); do [ -s anyport ] && break; sleep 0.1; done
  ap=$(cat anyport)
  out=$(se --allow-net="$hip:$ap,[::ffff:$hip]:$ap" --audit "$logs/host.log" -e '
for (const h of [process.argv[1], "::ffff:" + process.argv[1]])
  require("net").connect(+process.argv[2], h).on("connect", () => console.log("connected", h))
    .on("error", (e) => console.log(e.code));' -- "$hip" "$ap" 2>&1)
  kill $anyl 2>/dev/null
  n=$(grep -c '"rule":"host-address' "$logs/host.log")
  [ "$out" = "$(printf 'ERR_ACCESS_DENIED\nERR_ACCESS_DENIED')" ] && [ "$n" -eq 2 ] &&
    ok "the host's own address ($hip), even granted, is refused by the supervisor" ||
    bad "host address" "got: $out" "supervisor refusals: $n"
else
  ok "the host's own address: this host has none besides loopback"
fi

# both walls in the audit: the guest's line and the supervisor's, with the
# address the supervisor connected
se --audit "$logs/audit.log" --allow-net="host.internal:$port" -e "$get" -- host.internal "$port" > /dev/null 2>&1
g=$(grep -c '"op":"connect","target":"host.internal:'"$port"'","allow":true.*"by":"guest"' "$logs/audit.log")
s=$(grep -c '"op":"connect","target":"host.internal:'"$port"'","allow":true.*"by":"supervisor","ip":"127.0.0.1","class":"loopback"' "$logs/audit.log")
[ "$g" -ge 1 ] && [ "$s" -ge 1 ] && ok "the audit shows the guest's and the supervisor's decisions" ||
  bad "audit lines" "guest $g, supervisor $s" "$(head -c 600 "$logs/audit.log")"

# --publish: the host listens, the guest's server accepts
pp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
se --publish "127.0.0.1:$pp:3000" -e '
const srv = require("http").createServer((q, r) => { r.end("guest:" + q.url); srv.close(); })
  .listen(3000, () => console.log("listening", srv.address().port));
setTimeout(() => srv.close(), 20000).unref();' > pub.out 2>&1 &
pub=$!
# the host's socket listens from the start: a request made before the
# guest listens waits in its backlog
got=$(python3 - "$pp" <<'PY' 2>&1
import sys, time, urllib.request
end = time.time() + 20
while True:
    try:
        print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/p", timeout=10).read().decode())
        break
    except Exception as e:
        if time.time() > end:
            print("no answer:", e)
            break
        time.sleep(0.2)
PY
)
wait $pub
prc=$?
[ "$got" = "guest:/p" ] && [ "$prc" -eq 0 ] && [ "$(head -1 pub.out)" = "listening 3000" ] &&
  ok "--publish 127.0.0.1:$pp:3000: the host reaches the guest's server" ||
  bad "--publish" "got: $got, exit $prc" "$(cat pub.out)"

out=$(se --publish 80 -e 1 2>&1)
[[ $out == *"--publish 80: expected [HOSTIP:]HOSTPORT:GUESTPORT"* ]] && ok "--publish with a bad value: a clear error" ||
  bad "--publish bad value" "got: $out"

# a name without a grant: not even looked up (the guest's broker refuses)
out=$(se -e 'require("net").connect(80, "example.com").on("error", (e) => console.log(e.code, e.message))' 2>&1)
[ "$out" = "ERR_ACCESS_DENIED Access to this API has been restricted: lookup example.com (not granted: run with --allow-net=example.com)" ] &&
  ok "a connect to a name not granted: ERR_ACCESS_DENIED at its lookup" || bad "lookup denied" "got: $out"

# unix sockets only on the sandbox's own filesystem, whatever the path says:
# a host write grant under /tmp is moved by renaming its folder in the
# private /tmp (the path then matches no host grant); a host socket in a
# read grant is not reached through the /tmp write rule. Both walls
# (--profile default) and the OS wall alone (--allow-all).
hw=$(mktemp -d /tmp/se-net-unix.XXXXXX)
mkdir -p "$hw/out" "$hw/ro" && chmod -R 777 "$hw"
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$hw/ro/host.sock"
chmod 777 "$hw/ro/host.sock"
# serve_unix PATH LINE: a host service at PATH that answers LINE to every
# connection until killed (its pid in $!, once the socket is there)
serve_unix() {
  python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(sys.argv[2].encode() + b"\n"); c.close()' "$1" "$2" &
  for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
}
# a host service's socket in a folder granted read and write (both modes)
mkdir -p "$hw/rw" && chmod 777 "$hw/rw"
serve_unix "$hw/rw/host.sock" "hello from the host"
host_sock=$!
base=$(basename "$hw")
for mode in "--profile default" "--allow-all"; do
  # shellcheck disable=SC2086 # the mode is two words
  out=$(se $mode --allow-write=/tmp,"$hw/out" --allow-read=/tmp -e "
    const fs = require('fs'), net = require('net');
    fs.renameSync('/tmp/$base', '/tmp/moved');
    const show = (what) => (e) => console.log(what, e.code);
    try { net.createServer().listen('/tmp/moved/out/x.sock').on('error', show('listen')).on('listening', () => { console.log('listen listening'); process.exit(); }); }
    catch (e) { show('listen')(e); }" 2>&1)
  [ ! -e "$hw/out/x.sock" ] && [[ $out == "listen ERR_ACCESS_DENIED"* ]] &&
    ok "unix: no socket in a host folder moved by a rename ($mode)" || bad "unix rename ($mode)" "got: $out" "$(ls -la "$hw/out")"
  # shellcheck disable=SC2086
  out=$(se $mode --allow-write=/tmp --allow-read="$hw/ro" -e "
    const c = require('net').connect('$hw/ro/host.sock');
    c.on('error', (e) => console.log('connect', e.code)).on('connect', () => console.log('connected'))" 2>&1)
  [ "$out" = "connect ERR_ACCESS_DENIED" ] &&
    ok "unix: a host socket in a read grant is not reached through /tmp's write rule ($mode)" ||
    bad "unix host socket ($mode)" "got: $out"
  # shellcheck disable=SC2086
  out=$(se $mode --allow-write="$hw/rw" --allow-read="$hw/rw" -e "
    const c = require('net').connect('$hw/rw/host.sock');
    c.on('error', (e) => console.log('connect', e.code)).on('data', (d) => { console.log(String(d).trim()); c.end(); })" 2>&1)
  [ "$out" = "hello from the host" ] &&
    ok "unix: a host socket in a read and write grant bound from the host is reached ($mode)" ||
    bad "unix host socket granted ($mode)" "got: $out"
  # the read grant's folder moved (by renames of plain folders in the
  # private /tmp) to a path under the read and write grant: its socket is
  # still on a read-only bind (the attack's F1)
  mkdir -p "$hw/mv/w/rw" "$hw/mv/p/ro"
  serve_unix "$hw/mv/p/ro/ro.sock" ESCAPED
  ro_sock=$!
  chmod -R 777 "$hw/mv"
  # shellcheck disable=SC2086
  out=$(se $mode --allow-read="$hw/mv/p/ro,$hw/mv/w/rw" --allow-write="$hw/mv/w/rw" -e "
    const fs = require('fs'), net = require('net');
    fs.renameSync('$hw/mv/w', '$hw/mv/w_old');
    fs.mkdirSync('$hw/mv/w');
    fs.renameSync('$hw/mv/p', '$hw/mv/w/rw');
    net.connect('$hw/mv/w/rw/ro/ro.sock').on('error', (e) => console.log('connect', e.code))
      .on('data', (d) => console.log(String(d).trim()))" 2>&1)
  kill "$ro_sock" 2>/dev/null; wait "$ro_sock" 2>/dev/null || true
  rm -rf "$hw/mv"
  [ "$out" = "connect ERR_ACCESS_DENIED" ] &&
    ok "unix: a read grant's socket moved under a read and write grant's path by renames is not reached ($mode)" ||
    bad "unix moved read grant ($mode)" "got: $out"
done
kill "$host_sock" 2>/dev/null || true
wait "$host_sock" 2>/dev/null || true
rm -rf "$hw"

# a burst of connects in one tick (more answers than the channel holds):
# neither side waits on the other; every one is refused, as Node's are
out=$(se --allow-net=127.0.0.1 -e '
  const net = require("net"); let n = 0;
  for (let i = 0; i < 5000; i++) net.connect(9, "127.0.0.1").on("error", (e) => { if (e.code === "ECONNREFUSED" && ++n === 5000) console.log("all refused"); });' 2>&1)
[ "$out" = "all refused" ] && ok "5000 connects in one tick: all answered" || bad "connect burst" "got: ${out:0:300}"

summary
