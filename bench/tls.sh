#!/usr/bin/env bash
# bench/tls.sh — TLS over OpenSSL's libssl (bridge/tls.c) against host node
# in the same run, each timed from inside one program (bench/tls-work.js):
# TLS 1.3 handshakes per second (sequential, full handshakes, both ends in
# the program), https hello requests per second (keep-alive, 10 at a
# time) and MB/s echoed through one TLS connection. RUNS rounds alternate
# node and ours; each side's median and the ratio ours/node (higher is
# better) are reported, and when it can run, Debian's node 18 on our
# libnode108 (bench/same-engine-node: the same V8 and OpenSSL 3.0) with
# ours against it.
# env: RUNS (default 3), HANDSHAKES (default 300), REQUESTS (default 3000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 3 node
command -v openssl > /dev/null || die "the openssl command is not there"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-tls.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir "$work/app"
cp "$here/tls-work.js" "$work/app/"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/app/key.pem" \
  -out "$work/app/cert.pem" -days 30 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  > /dev/null 2>&1 || die "openssl could not make the certificate"
chmod -R a+rX "$work/app"
cd "$work/app"
args=(tls-work.js key.pem cert.pem "${HANDSHAKES:-300}" "${REQUESTS:-3000}")

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
nh=() nr=() nm=() sh=() sr=() sm=() oh=() or=() om=()
for _ in $(seq "$runs"); do
  read -r h r m < <("$node" "${args[@]}")
  nh+=("$h") nr+=("$r") nm+=("$m")
  if [ -n "$same" ]; then
    read -r h r m < <("$same" "${args[@]}")
    sh+=("$h") sr+=("$r") sm+=("$m")
  fi
  read -r h r m < <("$bin" --allow-net=127.0.0.1,localhost --memory-limit 512 "${args[@]}")
  oh+=("$h") or+=("$r") om+=("$m")
done
if [ -n "$same" ]; then
  printf '%-40s %10s %12s %10s %7s %10s\n' "median of $runs" node "same engine" ours ratio ours/same
else
  printf '%-40s %10s %10s %7s\n' "median of $runs" node ours ratio
fi
# row NAME NODE_VALUES SAME_VALUES OURS_VALUES [GOAL]
row() {
  local name=$1 n s o r vs=-
  n=$(median $2)
  o=$(median $4)
  r=$(echo "$o / $n" | bc -l)
  if [ -n "$same" ]; then
    s=$(median $3)
    vs=$(echo "$o / $s" | bc -l)
    printf '%-40s %10s %12s %10s %7.2f %10.2f   (node %s; same %s; ours %s)\n' "$name" "$n" "$s" "$o" \
      "$r" "$vs" "$2" "$3" "$4"
  else
    printf '%-40s %10s %10s %7.2f   (node %s; ours %s)\n' "$name" "$n" "$o" "$r" "$2" "$4"
  fi
  bench_record "$name" "$r" "${5:--}" higher "$vs"
}
row "TLS 1.3 handshakes/s (P-256 cert)" "${nh[*]}" "${sh[*]}" "${oh[*]}" 0.9
row "https hello requests/s (keep-alive)" "${nr[*]}" "${sr[*]}" "${or[*]}" 0.9
row "MB/s through one TLS connection" "${nm[*]}" "${sm[*]}" "${om[*]}"
