#!/usr/bin/env bash
# bench/crypto.sh — crypto against host node in the same run: SHA-256 and
# AES-256-GCM over 64 MiB (MiB/s), RSA-2048 sign and verify (per second),
# timed inside each run by bench/crypto-work.js. Prints the median of RUNS
# runs per figure and the ratio ours/node (higher is better; goal >= 0.9),
# and when it can run, Debian's node 18 on our libnode108 (the same V8 and
# OpenSSL 3.0: bench/same-engine-node) with ours against it.
# env: RUNS (default 5); BEFORE=PATH another launcher build as a column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 5 node
bench_before

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-crypto.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/app"
cp "$here/crypto-work.js" "$work/app/"
chmod -R a+rX "$work/app"
cd "$work/app"

python3 - "$runs" "$node" "$bin" "$before" "$same" <<'PY'
import json, os, statistics, subprocess, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
runs, node, ours, before, same = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
cmds = {"node": [node, "crypto-work.js"], "ours": [ours, "--profile", "strict", "crypto-work.js"]}
if same:
    cmds["same"] = [same, "crypto-work.js"]
if before:
    cmds["before"] = [before, "--profile", "strict", "crypto-work.js"]
keys = ("sha256", "gcm", "sign", "verify")
res = {k: {m: [] for m in keys} for k in cmds}
for _ in range(runs):
    for k, cmd in cmds.items():
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)}: exit {out.returncode}\n{out.stderr}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        for m in keys:
            res[k][m].append(r[m])
print(f"crypto, median of {runs} runs (higher is better)")
print(f"{'':34} {'node':>9} {'ours':>9} {'ratio':>6}" + (f" {'same':>9} {'ours/same':>9}" if same else "")
      + (f" {'before':>9} {'ours/before':>11}" if before else ""))
for m, what in (("sha256", "sha256, 64 MiB (MiB/s)"), ("gcm", "aes-256-gcm, 64 MiB (MiB/s)"),
                ("sign", "RSA-2048 sign (per s)"), ("verify", "RSA-2048 verify (per s)")):
    n, o = statistics.median(res["node"][m]), statistics.median(res["ours"][m])
    line = f"{what:34} {n:9.1f} {o:9.1f} {o / n:6.2f}"
    vs = None
    if same:
        m_ = statistics.median(res["same"][m])
        vs = o / m_
        line += f" {m_:9.1f} {vs:9.2f}"
    record(os.environ["SE_BENCH_NAME"], what, o / n, 0.9, "higher", vs)
    if before:
        b = statistics.median(res["before"][m])
        line += f" {b:9.1f} {o / b:11.3f}"
    print(line)
PY
