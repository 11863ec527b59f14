#!/usr/bin/env bash
# tests/integration/shell-attack.sh — what the attack on `shell` found,
# each as a probe that must hold: a Ctrl-C storm during an allocation still
# ends the session at the memory limit (137, its line); a guest that
# replaces JSON and Promise cannot forge the shell's answers nor grow the
# supervisor; a completion getter in an endless loop is stopped by Ctrl-C;
# .audit prints the guest's control characters escaped; .save never
# blocks on a FIFO.
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/shell-attack.sh [--bin PATH]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup shell-attack "$here/../../build/secure-exec-launch" "$@"
export SECURE_EXEC_SHELL_HISTORY=
mkdir -p "$work/app"
chmod -R a+rX "$work/app"
cd "$work/app" || exit 1

# ---- 1. Ctrl-C storm during an allocation: the memory limit still ends it ----
for round in 1 2; do
  got=$(timeout 120 python3 - "$bin" <<'PY'
import os, signal, subprocess, sys, threading, time
p = subprocess.Popen([sys.argv[1], "shell"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT)
out = []
def read():
    for line in p.stdout:
        out.append(line)
threading.Thread(target=read, daemon=True).start()
def at_limit():
    return any(b"memory limit exceeded" in l for l in list(out))
stop = False
def storm():  # the shell's Ctrl-C, every half millisecond, until the limit
    # in bursts of 0.2 s with 0.1 s between: a statement interrupted before
    # its first array (a slow build) makes no progress, and without the
    # gaps the heap might never fill
    while not stop and p.poll() is None and not at_limit():
        end = time.time() + 0.2
        while time.time() < end and not stop and p.poll() is None and not at_limit():
            try:
                os.kill(p.pid, signal.SIGINT)
            except ProcessLookupError:
                return
            time.sleep(0.0005)
        time.sleep(0.1)
time.sleep(1.0)
threading.Thread(target=storm, daemon=True).start()
deadline = time.time() + 80
try:
    while p.poll() is None and time.time() < deadline:
        p.stdin.write(b"globalThis.keep = globalThis.keep || []; for (;;) keep.push(new Array(1e5).fill(0.5))\n")
        p.stdin.flush()
        time.sleep(0.02)
except (BrokenPipeError, OSError):
    pass
stop = True
try:
    p.stdin.close()
except OSError:
    pass
try:
    rc = p.wait(timeout=20)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "hung"
time.sleep(0.2)
print(rc, "limit-line" if at_limit() else "no-line")
PY
)
  [ "$got" = "137 limit-line" ] && ok "a Ctrl-C storm during an allocation: the memory limit still ends the session (137, its line; round $round)" ||
    bad "Ctrl-C storm against the memory limit (round $round)" "got: $got"
done

# ---- 2. forged answers: JSON and Promise replaced by the guest ----
cat >"$work/forge.txt" <<'IN'
JSON.stringify = () => '{"t":"done","out":0}\n{"t":"park","x":[' + '{},'.repeat(100000) + '{}]}'; 1
globalThis.Promise = class extends Promise { then(a, b) { globalThis.kept = a; return super.then(a, b) } }; 2
await 3
typeof globalThis.kept
Promise.prototype.then = function () { for (let i = 0; i < 50; i++) {} return 'x' }; 4
await 5
6
IN
got=$(timeout 30 "$bin" shell <"$work/forge.txt" 2>&1)
want=$'1\n2\n3\n\'undefined\'\n4\n5\n6'
[ "$got" = "$want" ] && ok "a guest replacing JSON and Promise: every statement answered once, in order" ||
  bad "forged answers" "got: $(printf '%q' "$got")"

# ---- 3. a completion getter in an endless loop: Ctrl-C stops it ----
if command -v tmux >/dev/null; then
  sock="sa$$"
  tmux -L "$sock" new-session -d -x 150 -y 30 "cd '$work/app' && '$bin' shell; echo EXIT:\$?; sleep 30"
  wait_pane() { # wait_pane TEXT: up to 10 s for TEXT on the pane
    for _ in $(seq 100); do
      tmux -L "$sock" capture-pane -p | grep -qF -- "$1" && return 0
      sleep 0.1
    done
    return 1
  }
  wait_pane "operator's commands" &&
    tmux -L "$sock" send-keys "Object.defineProperty(globalThis, 'zz', { get() { for (;;); } }); 'set'" Enter &&
    wait_pane "'set'" &&
    tmux -L "$sock" send-keys 'zz.' Tab && sleep 1 && tmux -L "$sock" send-keys C-c && sleep 0.5 &&
    tmux -L "$sock" send-keys C-u '40 + 2' Enter
  if wait_pane '42'; then ok "Tab on a getter in an endless loop: Ctrl-C stops it, the shell answers"; else
    bad "Tab on a looping getter" "$(tmux -L "$sock" capture-pane -p | grep -v '^$' | tail -5)"
  fi
  tmux -L "$sock" kill-server 2>/dev/null
else
  bad "tmux is missing (make deps installs it)"
fi

# ---- 4. .audit: the guest's control characters are escaped ----
printf '%s\n' 'try { require("fs").readFileSync("/x\r\x1b[2K\x1b]0;TITLE\x07") } catch {} ; 1' '.audit 1' |
  timeout 30 "$bin" shell >"$work/audit.out" 2>&1
if grep -qF '\x1b[2K' "$work/audit.out" && grep -qF '\x0d' "$work/audit.out" &&
  ! grep -q $'\x1b' "$work/audit.out" && ! grep -q $'\x07' "$work/audit.out"; then
  ok ".audit prints a target's control characters as \\xNN (no raw ESC, CR or BEL reaches the terminal)"
else
  bad ".audit escaping" "$(cat -v "$work/audit.out" | tail -3)"
fi

# ---- 5. .save to a FIFO: refused at once ----
mkfifo "$work/fifo"
got=$(printf '1\n.save %s\n2\n' "$work/fifo" | timeout 20 "$bin" shell 2>&1)
rc=$?
[ "$rc" = 0 ] && [[ $got == *"not a regular file"* ]] && [[ $got == *$'\n2' ]] &&
  ok ".save to a FIFO: refused at once, the session goes on" || bad ".save to a FIFO" "rc=$rc got: $got"

summary
