#!/usr/bin/env bash
# bench/http.sh — the network through the supervisor, against host node in
# the same run:
#   - wrk (2 threads, 50 connections, 10 s, 2 s timeout) against a hello
#     `http` server and an express one: host node listening on the host's
#     loopback, ours in the sandbox behind --publish (the host's listening
#     socket handed in: accept() runs in the guest). Ratio ours/node in
#     requests per second (higher is better; goals: hello >= 1.0, express
#     >= 0.9). ROUNDS rounds alternate node and ours; each side's median
#     is reported (one 10 s run of node on this 2-core machine varies by
#     up to 40 %, with wrk's threads on the same cores).
#   - the same servers under Debian's node 18 on our libnode108 (V8 10.2,
#     bench/same-engine-node), when it can run: the engine's floor. The
#     last column is ours against it.
#   - 2,000 sequential connects to a host server: host node directly, ours
#     through the supervisor (host.internal); the medians and what the
#     supervisor's path adds (goal: <= 100 us).
# env: DURATION (wrk seconds, default 10), ROUNDS (default 3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 1 node
command -v wrk > /dev/null || die "wrk not found (make deps installs it)"
dur=${DURATION:-10}
rounds=${ROUNDS:-3}

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-http.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
chmod 755 "$work"
npm_install "$root/build/bench/http" express@4.21.2
mkdir -p "$work/app"
cp "$here/http-server.js" "$here/connect-work.js" "$work/app/"
cp -r "$root/build/bench/http/node_modules" "$work/app/node_modules"
chmod -R a+rX "$work/app" "$root/build/bench/http"
cd "$work/app"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME CMD...: runs a server until it prints "listening"
start() {
  local log="$work/$1.log"
  shift
  "$@" > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$log" && return 0; sleep 0.1; done
  die "server did not start: $* ($(head -c 300 "$log"))"
}

stop_last() { kill "${pids[-1]}" 2>/dev/null; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

rps() { wrk -t2 -c50 -d"${dur}s" --timeout 2s "http://127.0.0.1:$1/" | awk '/Requests\/sec/ {print $2}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

if [ -n "$same" ]; then
  printf '%-34s %12s %12s %12s %7s %10s\n' "wrk -t2 -c50 -d${dur}s, median of $rounds (req/s)" node "same engine" ours ratio ours/same
else
  printf '%-34s %12s %12s %7s\n' "wrk -t2 -c50 -d${dur}s, median of $rounds (req/s)" node ours ratio
fi
for kind in hello express; do
  ns=() ss=() os=()
  for _ in $(seq "$rounds"); do
    p=$(free_port)
    start "node-$kind" "$node" http-server.js "$kind" "$p"
    ns+=("$(rps "$p")")
    stop_last
    if [ -n "$same" ]; then
      p=$(free_port)
      start "same-$kind" "$same" http-server.js "$kind" "$p"
      ss+=("$(rps "$p")")
      stop_last
    fi
    p=$(free_port)
    start "ours-$kind" "$bin" --publish "127.0.0.1:$p:3000" --memory-limit 512 http-server.js "$kind" 3000
    os+=("$(rps "$p")")
    stop_last
  done
  n=$(median "${ns[@]}")
  o=$(median "${os[@]}")
  r=$(echo "$o / $n" | bc -l)
  sr=-
  if [ -n "$same" ]; then
    m=$(median "${ss[@]}")
    sr=$(echo "$o / $m" | bc -l)
    printf '%-34s %12.0f %12.0f %12.0f %7.2f %10.2f   (node %s; same %s; ours %s)\n' \
      "$kind (ours behind --publish)" "$n" "$m" "$o" "$r" "$sr" "${ns[*]}" "${ss[*]}" "${os[*]}"
  else
    printf '%-34s %12.0f %12.0f %7.2f   (node %s; ours %s)\n' "$kind (ours behind --publish)" "$n" "$o" \
      "$r" "${ns[*]}" "${os[*]}"
  fi
  goal=1.0
  [ "$kind" = express ] && goal=0.9
  bench_record "$kind server req/s" "$r" "$goal" higher "$sr"
done

p=$(free_port)
start "target" "$node" http-server.js hello "$p"
n=$("$node" connect-work.js 127.0.0.1 "$p" 2000)
o=$("$bin" --allow-net="host.internal:$p" connect-work.js host.internal "$p" 2000)
stop_last
printf '%-34s %12s %12s %7s\n' "connect, median of 2,000 (us)" "$n" "$o" "+$(echo "$o - $n" | bc -l | xargs printf '%.0f')"
# the goal (the supervisor adds <= 100 us) as a ratio of this run's times
bench_record "connect through the supervisor" "$(echo "$o / $n" | bc -l)" "$(echo "($n + 100) / $n" | bc -l)" lower
