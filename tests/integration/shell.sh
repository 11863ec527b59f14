#!/usr/bin/env bash
# tests/integration/shell.sh — the operator shell (`secure-exec-launch
# shell`) through the real binary on a terminal: tmux runs it (a private
# server, a 150x50 pane), types into it with send-keys and reads the screen
# with capture-pane. Values and their colours, a statement over several
# lines, Tab completion, the history across sessions, a denial and .audit,
# .limits, Ctrl-C (a running statement, an awaited one, the prompt),
# Ctrl-D, top-level await, the operator's commands; then the same shell
# without a terminal (piped in). The escape probes through the shell are
# tests/security/run.sh --shell.
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/shell.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup shell "$here/../../build/secure-exec-launch" "$@"

if ! command -v tmux >/dev/null; then
  bad "tmux is not installed (apt-get install tmux)"
  summary
  exit
fi
sock="se-shell-test-$$"
# a private server (its socket in the work folder: no other tmux user's
# clean-up reaches it, and it goes with the folder), no user configuration
trap 'tm kill-server 2>/dev/null; rm -rf "$work"' EXIT
tm() { TMUX_TMPDIR="$work" tmux -L "$sock" -f /dev/null "$@"; }
# one session for the whole run: the server does not end (and start again)
# each time the last shell's session is killed
tm new-session -d -s keep 'exec sleep 3600'

# the app folder: readable by the guest (an unprivileged user outside)
mkdir -p "$work/app"
echo 'module.exports = 1;' >"$work/app/index.js"
chmod -R a+rX "$work/app"

# ---- helpers ------------------------------------------------------------------

# start S [VAR=VALUE | --unset=VAR ...] [-- OPTIONS...]: a session S
# running the shell in the app folder (its own history file unless told
# otherwise), then "EXIT:<status>" when it ends; waits for the first prompt.
start() {
  local s=$1 unset=() envs=() cmd
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    case $1 in --unset=*) unset+=("$1") ;; *) envs+=("$1") ;; esac
    shift
  done
  [ "${1:-}" = -- ] && shift
  case " ${unset[*]} ${envs[*]}" in
    *SECURE_EXEC_SHELL_HISTORY*) ;;
    *) envs+=("SECURE_EXEC_SHELL_HISTORY=$work/$s.history") ;;
  esac
  cmd=$(printf '%q ' env "${unset[@]}" "${envs[@]}" "$bin" shell --app "$work/app" "$@")
  tm new-session -d -s "$s" -x 150 -y 50 \
    "cd $(printf %q "$work/app") && $cmd; echo EXIT:\$?; exec sleep 600"
  wait_for "$s" '^secure-exec-launch shell: ' && wait_for "$s" '^>'
}

# screen S: the pane's text, scrollback too, wrapped lines joined
screen() { tm capture-pane -p -J -S - -t "$1"; }

# wait_for S ERE [N [SECONDS]]: until N (1) lines of the pane match ERE
# (10 s at most); 1 when they did not in time, or at once when the shell
# has ended without them
wait_for() {
  local s=$1 re=$2 n=${3:-1} secs=${4:-10} i text
  for ((i = 0; i < secs * 20; i++)); do
    text=$(screen "$s")
    [ "$(grep -cE -- "$re" <<<"$text")" -ge "$n" ] && return 0
    grep -qE 'EXIT:[0-9]+$' <<<"$text" && return 1
    sleep 0.05
  done
  return 1
}

# typed S TEXT: TEXT typed (literally), then Enter
typed() {
  tm send-keys -t "$1" -l "$2"
  tm send-keys -t "$1" Enter
}

# keys S KEY...: keys by tmux's names (Tab, Up, C-c, C-d)
keys() {
  local s=$1
  shift
  tm send-keys -t "$s" "$@"
}

# shown S [N]: the last N (8) lines of the pane, for a FAIL's detail
shown() { screen "$1" | sed '/^$/d' | tail -n "${2:-8}" | sed 's/^/| /; 1!s/^/     /'; }

stop() { tm kill-session -t "$1" 2>/dev/null; }

# check NAME S ERE [N]: ok when the pane of S shows ERE (N times) in time
check() {
  if wait_for "$2" "$3" "${4:-1}"; then ok "$1"; else bad "$1" "waited for /$3/; the screen:" "$(shown "$2")"; fi
}

# piped INPUT: INPUT piped into the shell, no terminal (no history); sets
# rc, out, err
piped() {
  printf '%s' "$1" | (cd "$work/app" && SECURE_EXEC_SHELL_HISTORY='' timeout 30 "$bin" shell \
    >"$work/p.out" 2>"$work/p.err")
  rc=$?
  out=$(cat "$work/p.out")
  err=$(cat "$work/p.err")
}

# ---- 1. values as util.inspect shows them, colours on a terminal --------------

start values
typed values '1 + 2'
check "1 + 2 shows 3" values '^3$'
typed values '({ a: 1, b: [1, 2], c: { d: "e" } })'
check "an object shows as util.inspect does" values "^\{ a: 1, b: \[ 1, 2 \], c: \{ d: 'e' \} \}$"
typed values "'x'"
check "a string shows quoted: 'x'" values "^'x'$"
typed values '4000 + 242'
if wait_for values '^4242$' && tm capture-pane -p -e -J -S - -t values | grep -qF $'\e[33m4242'; then
  ok "a number is yellow on the terminal (ESC[33m before it)"
else
  bad "a number is yellow on the terminal" "$(tm capture-pane -p -e -J -S - -t values | grep -a 4242 | cat -v)"
fi
stop values

piped '4000 + 242
"x"
({ a: 1 })
'
if [ "$rc" -eq 0 ] && [ "$out" = "4242
'x'
{ a: 1 }" ] && ! grep -q $'\e' <<<"$out"; then
  ok "piped: the same values without colours"
else
  bad "piped: the same values without colours" "exit $rc" "$(cat -v "$work/p.out" "$work/p.err")"
fi

# ---- 2. a statement over three lines ---------------------------------------

start multi
typed multi 'function twice(n) {'
wait_for multi '^\.\.\.' || true
typed multi '  return n * 2'
wait_for multi '^\.\.\.' 2 || true
typed multi '}'
wait_for multi '^undefined$' || true
typed multi 'twice(21)'
if wait_for multi '^42$' && screen multi | grep -qx '\.\.\.   return n \* 2' &&
  screen multi | grep -qx '\.\.\. }'; then
  ok "a function typed over three lines (\"... \" prompts), then called"
else
  bad "a function typed over three lines, then called" "$(shown multi)"
fi
stop multi

# ---- 3. Tab asks the guest ----------------------------------------------------

start tab
tm send-keys -t tab -l 'proc'
keys tab Tab
check "proc + Tab completes to process" tab '^> process$'
tm send-keys -t tab -l '.ver'
keys tab Tab
if wait_for tab '^> process\.version$'; then
  keys tab Enter
  check "process.ver + Tab completes to process.version (and runs)" tab "^'v[0-9]+\.[0-9]+\.[0-9]+'$"
else
  bad "process.ver + Tab completes to process.version" "$(shown tab)"
fi
tm send-keys -t tab -l 'process.std'
keys tab Tab
check "a Tab with several candidates lists them (process.std: stderr stdin stdout)" tab \
  '^stderr +stdin +stdout *$'
stop tab

# ---- 4. the history: kept across sessions, private -------------------------

hist="$work/shared.history"
start hist1 "SECURE_EXEC_SHELL_HISTORY=$hist"
typed hist1 "'hist-' + 31337"
wait_for hist1 "^'hist-31337'$" || true
keys hist1 C-d
wait_for hist1 'EXIT:' || true
stop hist1
start hist2 "SECURE_EXEC_SHELL_HISTORY=$hist"
keys hist2 Up
if wait_for hist2 "^> 'hist-' \+ 31337$"; then
  keys hist2 Enter
  check "the history across sessions: Up brings back the last line, Enter runs it" hist2 "^'hist-31337'$"
else
  bad "the history across sessions: Up brings back the last line" "$(shown hist2)"
fi
stop hist2
mode=$(stat -c %a "$hist" 2>/dev/null)
if [ "$mode" = 600 ]; then ok "the history file is mode 0600"; else bad "the history file is mode 0600" "mode ${mode:-(no file)}"; fi

# by default: one file per app under $XDG_STATE_HOME; an empty
# SECURE_EXEC_SHELL_HISTORY keeps none
start xdg --unset=SECURE_EXEC_SHELL_HISTORY "XDG_STATE_HOME=$work/state"
typed xdg "'xdg-' + 4711"
wait_for xdg "^'xdg-4711'$" || true
stop xdg
app_real=$(readlink -f "$work/app")
per_app="$work/state/secure-exec-launch/history/${app_real//\//%}"
if [ -f "$per_app" ] && grep -q "xdg-" "$per_app" &&
  [ "$(stat -c %a "$work/state/secure-exec-launch/history")" = 700 ]; then
  ok "without SECURE_EXEC_SHELL_HISTORY: \$XDG_STATE_HOME/secure-exec-launch/history/<app>, folder 0700"
else
  bad "the history under \$XDG_STATE_HOME per app" "wanted $per_app" "$(find "$work/state" -printf '%m %p\n' 2>&1)"
fi
start nohist "SECURE_EXEC_SHELL_HISTORY=" "XDG_STATE_HOME=$work/state2"
typed nohist "'none-' + 1"
wait_for nohist "^'none-1'$" || true
stop nohist
if [ ! -e "$work/state2" ]; then
  ok "SECURE_EXEC_SHELL_HISTORY empty: no history kept"
else
  bad "SECURE_EXEC_SHELL_HISTORY empty: no history kept" "$(find "$work/state2" 2>&1)"
fi

# ---- 5. a denial, then .audit ---------------------------------------------------

start deny
typed deny 'require("fs").readFileSync("/etc/passwd")'
if wait_for deny "^Uncaught Error: EACCES: permission denied, open '/etc/passwd'" &&
  wait_for deny "^  code: 'EACCES',$"; then
  ok "a denied read prints Node's EACCES error"
else
  bad "a denied read prints Node's EACCES error" "$(shown deny)"
fi
typed deny '.audit'
check ".audit lists the denial (DENY fs open /etc/passwd)" deny '^[0-9:]+ +DENY +fs open /etc/passwd'
stop deny

# ---- 6. .limits: what the guest uses now ----------------------------------------

# off_heap S N: the MiB of the Nth "off-heap" line of .limits
off_heap() { screen "$1" | grep -E '^  off-heap ' | sed -n "${2}p" | awk '{ print $2 }'; }
# limits_grow S STATEMENT ANSWER NAME: .limits before and after STATEMENT,
# whose answer is a line matching ANSWER; off-heap must grow by 60 MiB
limits_grow() {
  local s=$1 stmt=$2 answer=$3 name=$4 a b
  start "$s"
  typed "$s" '.limits'
  wait_for "$s" '^  off-heap ' || true
  a=$(off_heap "$s" 1)
  typed "$s" "$stmt"
  if ! wait_for "$s" "$answer"; then
    bad "$name" "$stmt did not answer /$answer/; the screen:" "$(shown "$s")"
    stop "$s"
    return
  fi
  typed "$s" '.limits'
  wait_for "$s" '^  off-heap ' 2 || true
  b=$(off_heap "$s" 2)
  if [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { exit !(b >= a + 60) }' &&
    screen "$s" | grep -qE '^  heap +[0-9.]+ MiB used of [0-9.]+ MiB'; then
    ok "$name ($a -> $b MiB)"
  else
    bad "$name" "off-heap before '$a', after '$b'; the screen:" "$(shown "$s" 12)"
  fi
  stop "$s"
}
limits_grow limits 'globalThis.big = Buffer.alloc(64e6)' '^<Buffer 00 00' \
  ".limits: off-heap grows by 64 MB after globalThis.big = Buffer.alloc(64e6)"
# the same without showing the Buffer (the one above shows it)
limits_grow limits2 'globalThis.big = Buffer.alloc(64e6), "allocated"' "^'allocated'$" \
  ".limits: off-heap grows by 64 MB after a 64 MB Buffer not shown"

# ---- 7. Ctrl-C -----------------------------------------------------------------

start intr
typed intr 'for(;;){}'
sleep 0.3 # the statement under way
keys intr C-c
if wait_for intr '^Uncaught Error: Script execution interrupted\.$'; then
  typed intr '1+1'
  check "Ctrl-C stops for(;;){} (Script execution interrupted), then 1+1 answers 2" intr '^2$'
else
  bad "Ctrl-C stops for(;;){}" "$(shown intr)"
fi
typed intr 'await new Promise(() => {})'
sleep 0.3
keys intr C-c
if wait_for intr '^Uncaught Error: Script execution interrupted\.$' 2; then
  typed intr "'after-' + 'await'"
  check "Ctrl-C gives up on await new Promise(() => {}), the shell answers next" intr "^'after-await'$"
else
  bad "Ctrl-C gives up on await new Promise(() => {})" "$(shown intr)"
fi
# at the prompt: the line typed so far is dropped
tm send-keys -t intr -l 'notDefinedAnywhere'
keys intr C-c
typed intr '5 + 5'
if wait_for intr '^10$' && ! screen intr | grep -q 'notDefinedAnywhere is not defined'; then
  ok "Ctrl-C at the prompt drops the line typed"
else
  bad "Ctrl-C at the prompt drops the line typed" "$(shown intr)"
fi
stop intr

# once on an empty line: a hint, the shell stays; twice: it ends, status 0
start ctrlc
keys ctrlc C-c
if wait_for ctrlc '^\(To exit, press Ctrl\+C again or Ctrl\+D or type \.exit\)$'; then
  typed ctrlc '6 * 7'
  if wait_for ctrlc '^42$' 1 3; then
    keys ctrlc C-c
    wait_for ctrlc '^\(To exit, press' 2 || true
    keys ctrlc C-c
    check "Ctrl-C once on an empty line: a hint and the shell stays; twice: it ends (0)" ctrlc 'EXIT:0$'
  else
    bad "Ctrl-C once on an empty line: the shell stays" "6 * 7 got no 42; the screen:" "$(shown ctrlc)"
  fi
else
  bad "Ctrl-C once on an empty line: the hint" "$(shown ctrlc)"
fi
stop ctrlc

# ---- 8. Ctrl-D ----------------------------------------------------------------

start eof
typed eof '3 * 3'
wait_for eof '^9$' || true
keys eof C-d
check "Ctrl-D exits with status 0" eof 'EXIT:0$'
# as Node's REPL: the line of the prompt ended before the shell's end
check "Ctrl-D ends the prompt's line (what follows starts a line of its own)" eof '^EXIT:0$'
stop eof
start dotexit
typed dotexit '.exit'
check ".exit exits with status 0" dotexit '^EXIT:0$'
stop dotexit

# ---- 9. top-level await -------------------------------------------------------

start tla
typed tla 'const v = await Promise.resolve(41)'
wait_for tla '^undefined$' || true
typed tla 'v + 1'
check "top-level await: const v = await Promise.resolve(41), then v + 1 is 42" tla '^42$'
stop tla

# ---- 10. the operator's commands ------------------------------------------------

start ops -- --profile default
# lists_commands S: every command has its line in .help's list
lists_commands() {
  local c
  for c in audit exit help limits load mounts perms save walls; do
    screen "$1" | grep -qE "^\.$c( |$)" || return 1
  done
}
typed ops '.help'
if wait_for ops '^Ctrl-C stops a running statement' && lists_commands ops; then
  ok ".help lists .audit .exit .help .limits .load .mounts .perms .save .walls"
else
  bad ".help lists the commands" "$(shown ops 14)"
fi
typed ops '.perms'
check ".perms shows the profile (default)" ops '^# the effective policy: profile default '
typed ops '.mounts'
check ".mounts lists /app read-only" ops '^/app +[a-z0-9]+ +ro '
typed ops '.walls'
wait_for ops '^this host can' || true
"$bin" check >"$work/check.out" 2>&1
# every wall of `check` in the table, with the header
rows=$(grep -E '  (yes|no) +(required|optional)  ' "$work/check.out" | sed -E 's/ {2,}(yes|no) .*//')
missing=$(while read -r row; do screen ops | grep -qF -- "$row" || echo "$row"; done <<<"$rows")
if screen ops | grep -qE '^wall / limit +ok +need +detail$' && [ -n "$rows" ] && [ -z "$missing" ]; then
  ok ".walls prints check's table (every wall: $(wc -l <<<"$rows"))"
else
  bad ".walls prints check's table" "missing: ${missing:-(header)}" "$(shown ops 14)"
fi
# and says what check says of each
walls_ok() { grep -E '  (yes|no) +(required|optional)  ' | sed -E 's/^(.*[^ ]) {2,}(yes|no) +(required|optional) .*/\1: \2/'; }
diff=$(diff <(walls_ok <"$work/check.out") <(screen ops | walls_ok))
if [ -z "$diff" ]; then
  ok ".walls says yes/no as check does for every wall"
else
  bad ".walls says yes/no as check does for every wall" "diff check .walls:" "$(sed '1!s/^/     /' <<<"$diff")"
fi
typed ops 'const saved = 5'
wait_for ops '^undefined$' || true
typed ops 'saved * 3'
wait_for ops '^15$' || true
typed ops ".save $work/saved.js"
if wait_for ops "^Session saved to: $work/saved.js$" && [ "$(cat "$work/saved.js")" = "const saved = 5
saved * 3" ]; then
  ok ".save FILE writes the statements run (not the commands)"
else
  bad ".save FILE writes the statements run" "$(cat "$work/saved.js" 2>&1)" "$(shown ops)"
fi
printf 'const loaded = 6 * 7;\nloaded + 100\n' >"$work/load.js"
typed ops ".load $work/load.js"
if wait_for ops '^142$'; then
  typed ops 'loaded'
  check ".load FILE runs the file (its value shown, its const kept)" ops '^42$'
else
  bad ".load FILE runs the file" "$(shown ops)"
fi
stop ops

# ---- 11. without a terminal --------------------------------------------------------

piped 'require("fs").readFileSync("/etc/passwd")
'
if [ "$rc" -eq 0 ] && grep -q "^Uncaught Error: EACCES: permission denied, open '/etc/passwd'" <<<"$out" &&
  grep -qx "  code: 'EACCES'," <<<"$out"; then
  ok "piped: a denied read prints Node's EACCES error, exit 0"
else
  bad "piped: a denied read prints Node's EACCES error, exit 0" "exit $rc" "$out" "$err"
fi
piped '1+1
'
if [ "$rc" -eq 0 ] && [ "$out" = 2 ] && [ -z "$err" ]; then
  ok "piped: echo '1+1' prints exactly 2"
else
  bad "piped: echo '1+1' prints exactly 2" "exit $rc" "out: $out" "err: $err"
fi
piped 'process.exit(3)
'
if [ "$rc" -eq 3 ] && [ -z "$out" ]; then
  ok "process.exit(3) in the shell exits 3"
else
  bad "process.exit(3) in the shell exits 3" "exit $rc" "$out" "$err"
fi


# ---- 12. --attach: a REPL in a running job of serve --debug ----------------------

client=$here/serve_client.py
dsock=$work/debug.sock
"$bin" serve --listen "unix:$dsock" --app "$work/app" --pool 1 --debug >"$work/serve.log" 2>&1 &
spid=$!
trap 'tm kill-server 2>/dev/null; kill "$spid" 2>/dev/null; rm -rf "$work"' EXIT
# running_job: the id of the newest job GET /v1/attach/ lists (10 s at most)
running_job() {
  local id
  for _ in $(seq 100); do
    id=$(python3 "$client" req "unix:$dsock" GET /v1/attach/ |
      python3 -c 'import json, sys; j = json.loads(json.load(sys.stdin)["body"])["jobs"]; print(j[-1]["id"] if j else "")' 2>/dev/null)
    [ -n "$id" ] && break
    sleep 0.1
  done
  echo "$id"
}
if python3 "$client" ready "unix:$dsock" 30 >/dev/null; then
  job='globalThis.counter = 0; const t = setInterval(() => { counter++; if (globalThis.stop) { clearInterval(t); module.exports = { counter, stop } } }, 50)'
  python3 "$client" run "unix:$dsock" "$job" timeout_ms=20000 >"$work/job.json" &
  jpid=$!
  id=$(running_job)
  if [ -n "$id" ]; then
    ok "GET /v1/attach/ lists the running job ($id)"
    tm new-session -d -s att -x 150 -y 50 \
      "$(printf '%q ' "$bin" shell --attach "$id" --server "unix:$dsock"); echo EXIT:\$?; exec sleep 600"
    check "attached: the banner names the job" att "^attached to job $id"
    wait_for att '^>' && typed att 'counter > 0'
    check "attached: the job's own globals (counter > 0 is true)" att '^true$'
    typed att '.perms'
    check "attached: .perms is the server's" att '^\.perms: not offered when attached'
    typed att 'globalThis.stop = "by the operator"'
    check "attached: a statement sets the job's global" att "^'by the operator'$"
    keys att C-d
    check "attached: Ctrl-D detaches (status 0)" att '^EXIT:0$'
    wait "$jpid"
    got=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["status"], json.dumps(r["json"]["exports"]["stop"]), r["json"]["exit_code"])' "$work/job.json" 2>&1)
    [ "$got" = '200 "by the operator" 0' ] && ok "the job went on after the detach and ended as the operator told it (200, exit 0)" ||
      bad "the job after the detach" "$got" "$(head -c 300 "$work/job.json")"
    # the attack's findings: a hostile job's escapes never reach the
    # operator's terminal raw; a rejected promise is not the job's end; a
    # shell that goes mid-statement does not hold the job up
    job2='Object.prototype[Symbol.for("nodejs.util.inspect.custom")] = function () { return "\x1b]0;pwned\x07\x1b[2J" }; Object.prototype.toJSON = function () { return { t: "out", s: "\x1b[2J" } }; setTimeout(() => { module.exports = "fine" }, 3000)'
    python3 "$client" run "unix:$dsock" "$job2" timeout_ms=20000 >"$work/job2.json" &
    jpid=$!
    id2=$(running_job)
    printf '({a: 1})\nPromise.reject(new Error("no"))\nawait new Promise((r) => setTimeout(() => r("x".repeat(4e6)), 4000))\n' |
      timeout 2 "$bin" shell --attach "$id2" --server "unix:$dsock" >"$work/att2.out" 2>&1
    if grep -qF '\x1b]0;pwned\x07' "$work/att2.out" && ! grep -q $'\x1b' "$work/att2.out" &&
      ! grep -q $'\x07' "$work/att2.out"; then
      ok "attached: a hostile job's terminal escapes are shown as \\xNN, never raw"
    else
      bad "attached: escapes from the job" "$(cat -v "$work/att2.out" | head -5)"
    fi
    wait "$jpid"
    got=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["status"], r["json"]["exit_code"], r["json"]["exports"])' "$work/job2.json" 2>&1)
    [ "$got" = "200 0 fine" ] && ok "a rejected promise and a shell gone mid-statement: the job ends as it would have (200, exit 0)" ||
      bad "the job after a rejected promise and a shell killed mid-statement" "$got"
    out=$("$bin" shell --attach "$id" 2>&1)
    rc=$?
    [ "$rc" = 125 ] && [[ $out == *"--attach ID and --server unix:PATH go together"* ]] &&
      ok "shell --attach without --server: 125 and why (it crashed)" || bad "--attach without --server" "rc=$rc $out"
    out=$(printf '1\n' | "$bin" shell --attach "$id" --server "unix:$dsock" 2>&1)
    rc=$?
    [ "$rc" = 125 ] && [[ $out == *"no job of that id is running"* ]] && ok "attach to a job that has ended: refused (125, why)" ||
      bad "attach to an ended job" "rc=$rc $out"
  else
    bad "GET /v1/attach/ lists no running job" "$(tail -3 "$work/serve.log")"
    wait "$jpid"
  fi
else
  bad "serve --debug did not become ready" "$(tail -3 "$work/serve.log")"
fi
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
"$bin" serve --listen "unix:$work/nodebug.sock" --app "$work/app" --pool 0 >"$work/serve2.log" 2>&1 &
spid=$!
if python3 "$client" ready "unix:$work/nodebug.sock" 30 >/dev/null; then
  python3 "$client" req "unix:$work/nodebug.sock" GET /v1/attach/ >"$work/nd.json"
  python3 "$client" check "$work/nd.json" 'r["status"] == 404' >/dev/null &&
    ok "without --debug there is no attach endpoint (404)" || bad "attach endpoint without --debug" "$(head -c 300 "$work/nd.json")"
else
  bad "serve without --debug did not become ready" "$(tail -3 "$work/serve2.log")"
fi
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

summary
