#!/usr/bin/env bash
# bench/startup.sh — cold start of `secure-exec-launch hello.js` against
# `node hello.js`, measured back to back in one run (the machine is noisy:
# only ratios within one run mean anything). Prints min / median / mean per
# command, max RSS, and the ratio ours/node (lower is better; goal <= 0.4).
# Builds nothing: `make bench` builds first. (Debian's node 18, the
# same-engine peer of the other benches, is no floor here: it starts
# without a startup snapshot, at about 1.7x host node.)
#
# Uses `hyperfine -N` when installed, else a timed loop in python3.
# env: RUNS (default 30), WARMUP (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 30 node
hello="$here/hello.js"
warmup=${WARMUP:-3}
[[ $warmup =~ ^[0-9]+$ ]] || die "WARMUP must be a number, not '$warmup'"
[ -f "$hello" ] || die "missing $hello"
command -v python3 >/dev/null || die "python3 is needed to read the results"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
# The app folder (the launcher shows its current folder at /app) is a copy
# anybody may read: run as root, the guest is an unprivileged user outside.
chmod 755 "$work"
mkdir -p "$work/app"
cp "$hello" "$work/app/hello.js"
chmod -R a+rX "$work/app"
hello="$work/app/hello.js"
cd "$work/app"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
json="$work/times.json"

# Both outputs must be right before timing means anything.
for cmd in "$bin" "$node"; do
  out=$("$cmd" "$hello" 2>"$work/err") || die "$cmd $hello failed: $(head -c 300 "$work/err")"
  [ "$out" = hello ] || die "$cmd $hello printed '$out', not 'hello'"
done

if command -v hyperfine >/dev/null; then
  echo "hyperfine -N, $warmup warmup + $runs runs each"
  # hyperfine -N splits a command line itself (shell words): quote the paths.
  if ! hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-json "$json" \
      -n secure-exec-launch "$(printf '%q %q' "$bin" "$hello")" \
      -n node "$(printf '%q %q' "$node" "$hello")" >"$work/log" 2>&1; then
    cat "$work/log" >&2
    die "hyperfine failed"
  fi
else
  echo "hyperfine not installed: timed loop, $warmup warmup + $runs runs each"
  # Same JSON shape as hyperfine's export: results[].command / times (s).
  python3 - "$json" "$runs" "$warmup" "$bin" "$node" "$hello" <<'PY'
import json, subprocess, sys, time
out, runs, warmup, ours, node, hello = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
res = []
for name, argv in (("secure-exec-launch", [ours, hello]), ("node", [node, hello])):
    for _ in range(warmup):
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        ts.append(time.perf_counter() - t)
    res.append({"command": name, "times": ts})
with open(out, "w") as f:
    json.dump({"results": res}, f)
PY
fi

# Max RSS (MB) over 3 runs, with GNU time; "-" without it.
rss_note=""
rss() {
  local best=0 kb _
  for _ in 1 2 3; do
    /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
    kb=$(tail -n 1 "$work/rss" 2>/dev/null || true)
    [[ $kb =~ ^[0-9]+$ ]] && [ "$kb" -gt "$best" ] && best=$kb
  done
  awk -v kb="$best" 'BEGIN { printf "%.1f", kb / 1024 }'
}
# The launcher's guest is a grandchild the supervisor does not reap, so
# GNU time cannot see it: the guest reports its own high-water mark
# (VmHWM) at exit, and the supervisor's is added.
hwm='process.on("exit", () => console.log(require("fs").readFileSync("/proc/self/status", "utf8").match(/VmHWM:\s+(\d+)/)[1]))'
guest_rss() {
  local best=0 kb _
  for _ in 1 2 3; do
    kb=$("$bin" --allow-read=/proc -e "$hwm" 2>/dev/null | tail -n 1)
    [[ $kb =~ ^[0-9]+$ ]] && [ "$kb" -gt "$best" ] && best=$kb
  done
  echo "$best"
}
if [ -x /usr/bin/time ]; then
  sup=$(rss "$bin" "$hello")
  gkb=$(guest_rss)
  rss_ours=$(awk -v s="$sup" -v g="$gkb" 'BEGIN { printf "%.1f", s + g / 1024 }')
  rss_node=$(rss "$node" "$hello")
  rss_note="secure-exec-launch max RSS: guest $(awk -v g="$gkb" 'BEGIN { printf "%.1f", g / 1024 }') MB + supervisor $sup MB"
else
  rss_ours=-
  rss_node=-
  rss_note="max RSS not measured: /usr/bin/time (GNU time) is not installed"
fi

python3 - "$json" "$rss_ours" "$rss_node" <<'PY'
import json, os, statistics, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
with open(sys.argv[1]) as f:
    data = json.load(f)["results"]
rss = {"secure-exec-launch": sys.argv[2], "node": sys.argv[3]}
print(f"{'cold start, hello.js':<22}{'min ms':>9}{'median ms':>11}{'mean ms':>9}{'max RSS MB':>12}")
med = {}
for r in data:
    ts = [t * 1000 for t in r["times"]]
    name = r["command"]
    med[name] = statistics.median(ts)
    print(f"{name:<22}{min(ts):>9.1f}{med[name]:>11.1f}{statistics.mean(ts):>9.1f}{rss[name]:>12}")
ratio = med["secure-exec-launch"] / med["node"]
print(f"ratio (secure-exec-launch / node), median: {ratio:.2f}   (goal <= 0.40)")
record(os.environ["SE_BENCH_NAME"], "cold start, hello.js", ratio, 0.4, "lower")
PY
if [ -n "$rss_note" ]; then echo "$rss_note"; fi
