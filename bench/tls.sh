#!/usr/bin/env bash
# bench/tls.sh — TLS over OpenSSL's libssl (bridge/tls.c) against host node
# in the same run, each timed from inside one program (bench/tls-work.js):
# TLS 1.3 handshakes per second (sequential, full handshakes, both ends in
# the program), https hello requests per second (keep-alive, 10 at a
# time) and MB/s echoed through one TLS connection. RUNS rounds alternate
# node and ours; each side's median and the ratio ours/node (higher is
# better) are reported.
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
nh=() nr=() nm=() oh=() or=() om=()
for _ in $(seq "$runs"); do
  read -r h r m < <("$node" "${args[@]}")
  nh+=("$h") nr+=("$r") nm+=("$m")
  read -r h r m < <("$bin" --allow-net=127.0.0.1,localhost --memory-limit 512 "${args[@]}")
  oh+=("$h") or+=("$r") om+=("$m")
done
printf '%-40s %10s %10s %7s\n' "median of $runs" node ours ratio
row() {
  local name=$1 n o
  n=$(median $2)
  o=$(median $3)
  printf '%-40s %10s %10s %7.2f   (node %s; ours %s)\n' "$name" "$n" "$o" "$(echo "$o / $n" | bc -l)" "$2" "$3"
}
row "TLS 1.3 handshakes/s (P-256 cert)" "${nh[*]}" "${oh[*]}"
row "https hello requests/s (keep-alive)" "${nr[*]}" "${or[*]}"
row "MB/s through one TLS connection" "${nm[*]}" "${om[*]}"
