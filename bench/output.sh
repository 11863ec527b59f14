#!/usr/bin/env bash
# bench/output.sh — the output relay's cost: a guest writing 64 MiB to
# stdout (bench/output-work.js) read from a pipe by the bench itself,
# against host node writing the same into the pipe directly. Prints the
# median of RUNS runs for the whole run (start to the reader's end of
# file) and for the write alone (first byte to the 64th MiB), with the
# ratio ours/node (lower is better). --profile dev: strict's 16 MiB cap
# (and default's 64 MiB, which the last byte reaches) would end the run.
# env: RUNS (default 11); BEFORE=PATH another launcher build as a column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 11 node
bench_before

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-output.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/app"
cp "$here/output-work.js" "$work/app/"
chmod -R a+rX "$work/app"
cd "$work/app"

python3 - "$runs" "$node" "$bin" "$before" <<'PY'
import os, statistics, subprocess, sys, time
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
runs, node, ours, before = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
want = 64 << 20
cmds = {"node": [node, "output-work.js"],
        "ours": [ours, "--profile", "dev", "output-work.js"]}
if before:
    cmds["before"] = [before, "--profile", "dev", "output-work.js"]
buf = bytearray(1 << 20)
view = memoryview(buf)

def once(cmd):
    r, w = os.pipe()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=w)
    os.close(w)
    got, first, full = 0, None, None
    while True:
        n = os.readv(r, [view])
        if n == 0:
            break
        if first is None:
            first = time.perf_counter()
        got += n
        if full is None and got >= want:
            full = time.perf_counter()
    end = time.perf_counter()
    os.close(r)
    if p.wait() != 0 or got != want:
        sys.exit(f"bench: {' '.join(cmd)}: exit {p.returncode}, {got} bytes of {want}")
    return (end - t0) * 1000, (full - first) * 1000

res = {k: ([], []) for k in cmds}
for _ in range(runs):
    for k, cmd in cmds.items():
        whole, write = once(cmd)
        res[k][0].append(whole)
        res[k][1].append(write)
med = {k: (statistics.median(a), statistics.median(b)) for k, (a, b) in res.items()}
print(f"64 MiB to stdout through a pipe, median of {runs} runs (ms)")
print(f"{'':26} {'node':>9} {'ours':>9} {'ratio':>6}" + (f" {'before':>9} {'ours/before':>11}" if before else ""))
for i, what in enumerate(["whole run", "the write (1st byte..64 MiB)"]):
    n, o = med["node"][i], med["ours"][i]
    line = f"{what:26} {n:9.1f} {o:9.1f} {o / n:6.2f}"
    if before:
        line += f" {med['before'][i]:9.1f} {o / med['before'][i]:11.3f}"
    print(line)
    record(os.environ["SE_BENCH_NAME"], what, o / n, None, "lower")
PY
