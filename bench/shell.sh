#!/usr/bin/env bash
# bench/shell.sh — start-up of `secure-exec-launch shell` to its first
# prompt against `node -i` to its first, both on a terminal (a pty), back
# to back in one run (the machine is noisy: only the ratio within one run
# means anything). Prints min / median per command and the ratio ours/node
# (lower is better; issue 18's target: <= 1.2).
#
# env: RUNS (default 20)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 20 node
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-shell.XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"
# no history file is read or written: both start as they would the first time
SECURE_EXEC_SHELL_HISTORY='' NODE_REPL_HISTORY='' python3 - "$runs" "$bin" "$node" <<'PY'
import os, pty, select, statistics, sys, time

runs, ours, node = int(sys.argv[1]), sys.argv[2], sys.argv[3]

def to_prompt(argv):
    """Seconds from the fork to the first '> ' on the terminal."""
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    seen = b""
    took = None
    deadline = t0 + 30
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        seen += data
        if b"> " in seen.split(b"\n")[-1] or seen.rstrip().endswith(b">"):
            took = time.perf_counter() - t0
            break
    os.write(fd, b"\x04")  # Ctrl-D: both end
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
        wpid, _ = os.waitpid(pid, os.WNOHANG)
        if wpid:
            break
    else:
        os.kill(pid, 9)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    if took is None:
        sys.exit(f"bench: no prompt from {argv}: {seen[-300:]!r}")
    return took

cmds = {"secure-exec-launch shell": [ours, "shell"], "node -i": [node, "-i"]}
times = {k: [] for k in cmds}
for name, argv in cmds.items():  # warm the page cache
    to_prompt(argv)
for _ in range(runs):
    for name, argv in cmds.items():
        times[name].append(to_prompt(argv))
for name, t in times.items():
    print(f"{name:28s} min {min(t) * 1000:7.1f} ms   median {statistics.median(t) * 1000:7.1f} ms")
ratio = statistics.median(times["secure-exec-launch shell"]) / statistics.median(times["node -i"])
print(f"shell start-up to the first prompt: {ratio:.2f}x node -i (target <= 1.2)")
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
record(os.environ["SE_BENCH_NAME"], "shell to its first prompt / node -i", ratio, 1.2, "lower")
PY
