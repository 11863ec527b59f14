#!/usr/bin/env bash
# tests/integration/install.sh — `make install` and `make uninstall` into
# a scratch prefix: the installed launcher runs a script from an app folder
# elsewhere (bin/ is a link to the binary under lib/, which finds its
# libnode beside it) and serves a request (serve starts its members by its
# own path); the man page renders with every section; the bash completion
# offers the subcommands, the options, the profiles and paths; a DESTDIR
# install works where it lands; uninstall leaves no file. Prints ok/FAIL
# per check and "N passed, N failed".
#
# usage: tests/integration/install.sh [--bin PATH]
#   make install installs the tree's build/secure-exec-launch whatever
#   --bin says; the option only checks that a launcher was built.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup install "$root/build/secure-exec-launch" "$@"

prefix=$work/prefix
inst=$prefix/bin/secure-exec-launch
py=$(python3 -c 'import sys; print(sys.executable)')
client=$here/serve_client.py
spid=""

# ends the server, if one of ours still runs, before $work goes
cleanup() {
  if [ -n "$spid" ] && kill -0 "$spid" 2>/dev/null; then
    kill -TERM "$spid" 2>/dev/null
    for _ in $(seq 50); do
      kill -0 "$spid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$spid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# mk TARGET VAR=VALUE...: make TARGET in the source tree, none of the
# install folders taken from the environment; its output in $work/make.log
mk() {
  env -u DESTDIR -u PREFIX -u BINDIR -u PKGLIBDIR -u DATADIR -u MANDIR -u COMPDIR \
    make -C "$root" --no-print-directory "$@" >"$work/make.log" 2>&1
}

# ---- make install ---------------------------------------------------------------------

if mk install PREFIX="$prefix"; then
  ok "make install PREFIX=... succeeds"
else
  bad "make install PREFIX=..." "$(tail -n 5 "$work/make.log")"
  summary
  exit
fi

want=(bin/secure-exec-launch lib/secure-exec-launch/secure-exec-launch
  share/secure-exec-launch/profiles/strict.profile share/secure-exec-launch/profiles/default.profile
  share/secure-exec-launch/profiles/dev.profile share/man/man1/secure-exec-launch.1
  share/bash-completion/completions/secure-exec-launch)
missing=()
for f in "${want[@]}"; do [ -e "$prefix/$f" ] || missing+=("$f"); done
[ "${#missing[@]}" -eq 0 ] && ok "every file is in place" || bad "files installed" "missing: ${missing[*]}"

link=$(readlink "$inst")
[ -L "$inst" ] && [[ $link != /* ]] && [ "$(readlink -f "$inst")" = "$prefix/lib/secure-exec-launch/secure-exec-launch" ] &&
  ok "bin/secure-exec-launch is a relative link to lib/secure-exec-launch/" ||
  bad "bin/ link" "$(ls -l "$inst" 2>&1)"

differ=()
for p in strict default dev; do
  cmp -s "$root/profiles/$p.profile" "$prefix/share/secure-exec-launch/profiles/$p.profile" || differ+=("$p")
done
[ "${#differ[@]}" -eq 0 ] && ok "the profiles are installed as they are" || bad "profiles" "differ: ${differ[*]}"

# ---- the installed launcher, from an app folder outside the tree ----------------------------

mkdir -p "$work/app"
cat >"$work/app/hello.js" <<'EOF'
console.log("hello from " + process.execPath + " in " + process.cwd());
EOF
chmod -R a+rX "$work/app"

out=$(cd "$work/app" && env -u LD_LIBRARY_PATH timeout 60 "$inst" --profile strict hello.js 2>&1)
rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "hello from /sandbox/bin/node in /app" ] &&
  ok "the installed launcher runs --profile strict hello.js" ||
  bad "the installed launcher runs hello.js" "rc $rc: $out"

libs=$(env -u LD_LIBRARY_PATH ldd "$prefix/lib/secure-exec-launch/secure-exec-launch" 2>&1 | grep libnode)
[[ $libs == *"$prefix/lib/secure-exec-launch/vendor/"* ]] &&
  ok "it finds the libnode installed beside it" || bad "libnode of the installed launcher" "$libs"

v=$("$inst" --version 2>&1)
[[ $v == "secure-exec-launch "* ]] && ok "--version: $v" || bad "--version" "$v"

out=$("$inst" serve --help 2>&1)
[[ $out == *"--listen ADDR"* ]] && ok "serve --help" || bad "serve --help" "$out"

# serve: a pool of one and a request, answered by a member it started
sock=$work/serve.sock
(cd "$work/app" && exec "$inst" serve --listen "unix:$sock" --pool 1 >"$work/serve.log" 2>&1) &
spid=$!
"$py" "$client" ready "unix:$sock" 30 >"$work/ready.json"
if "$py" "$client" check "$work/ready.json" 'r["ready"]' >/dev/null; then
  ok "serve from the installed launcher: ready"
  "$py" "$client" run "unix:$sock" 'module.exports = 6 * 7' >"$work/resp.json"
  why=$("$py" "$client" check "$work/resp.json" 'r["status"] == 200 and j["exit_code"] == 0 and j["exports"] == 42') &&
    ok "serve: POST /v1/run answers 42" || bad "serve: POST /v1/run" "$why"
else
  bad "serve from the installed launcher: ready" "$(cat "$work/ready.json")" "$(tail -n 5 "$work/serve.log")"
fi
kill -TERM "$spid" 2>/dev/null
rc=
for _ in $(seq 100); do
  if ! kill -0 "$spid" 2>/dev/null; then
    wait "$spid"
    rc=$?
    break
  fi
  sleep 0.1
done
[ "$rc" = 0 ] && ok "serve: SIGTERM, exit 0" || bad "serve: SIGTERM" "status ${rc:-(still running)}"

# ---- the man page ---------------------------------------------------------------------

page=$prefix/share/man/man1/secure-exec-launch.1
lint=$(groff -man -ww -z "$page" 2>&1)
[ -z "$lint" ] && ok "groff -man -ww: no warning" || bad "groff -man -ww" "$lint"
text=$(MANWIDTH=80 man -l "$page" 2>&1)
sections=(NAME SYNOPSIS DESCRIPTION OPTIONS PROFILES NETWORK "EXIT STATUS" CHECK SERVE SHELL
  ENVIRONMENT FILES)
missing=()
for s in "${sections[@]}"; do grep -qx "$s" <<<"$text" || missing+=("$s"); done
[ "${#missing[@]}" -eq 0 ] && ok "man -l renders every section" || bad "man -l: sections" "missing: ${missing[*]}"
# every option of --help and of serve --help is on the page
opts=$( ("$inst" --help; "$inst" serve --help) | grep -oE -- '--[a-z][a-z-]*' | sort -u)
missing=()
for o in $opts; do grep -qF -- "$o" <<<"$text" || missing+=("$o"); done
[ "${#missing[@]}" -eq 0 ] && ok "the page names every option of --help and serve --help" ||
  bad "man page: options" "missing: ${missing[*]}"
# shellcheck disable=SC2016 # backquotes of markdown, not of the shell
keys=$(grep -oE '^\| `[a-z_.]+`(, `[a-z_.]+`)?' "$root/profiles/README.md" | grep -oE '[a-z_]+\.[a-z_]+')
missing=()
for k in $keys; do grep -qF -- "$k" <<<"$text" || missing+=("$k"); done
[ -n "$keys" ] && [ "${#missing[@]}" -eq 0 ] && ok "the page names every profile key" ||
  bad "man page: profile keys" "missing: ${missing[*]:-(no keys read)}"
missing=()
for c in .perms .audit .limits .mounts .walls .load .save .help .exit SECURE_EXEC_SHELL_HISTORY; do
  grep -qF -- "$c" <<<"$text" || missing+=("$c")
done
[ "${#missing[@]}" -eq 0 ] && ok "SHELL: the operator commands and the history variable" ||
  bad "man page: shell" "missing: ${missing[*]}"
out=$(MANWIDTH=80 man -M "$prefix/share/man" secure-exec-launch 2>&1 | head -n 4)
[[ $out == *"secure-exec-launch - run untrusted Node.js code"* ]] &&
  ok "man -M PREFIX/share/man secure-exec-launch finds it" || bad "man -M" "$out"

# ---- bash completion --------------------------------------------------------------------

# complete_words WORD...: the answers of the completion for the words (the
# last one is under the cursor, split at = and : as bash splits), one a
# line, from a folder with a profile file, a script and a folder. Outside
# readline, a folder has no / (readline adds it) but after a comma.
mkdir -p "$work/cwd/sub"
touch "$work/cwd/mine.profile" "$work/cwd/main.js"
complete_words() {
  (cd "$work/cwd" && bash --norc --noprofile -c '
    . "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _secure_exec_launch
    printf "%s\n" "${COMPREPLY[@]}"' _ "$prefix/share/bash-completion/completions/secure-exec-launch" \
    secure-exec-launch "$@" 2>&1)
}
# has NAME WANT... -- WORD...: the answers include every WANT
has() {
  local name=$1 w got
  shift
  local -a want=()
  while [ "$1" != -- ]; do
    want+=("$1")
    shift
  done
  shift
  got=$(complete_words "$@")
  for w in "${want[@]}"; do
    if ! grep -qxF -- "$w" <<<"$got"; then
      bad "$name" "no '$w' in: $(tr '\n' ' ' <<<"$got")"
      return
    fi
  done
  ok "$name"
}
has "completion: --profile <TAB> offers strict, default, dev and *.profile" strict default dev mine.profile -- --profile ""
has "completion: sh<TAB> offers shell" shell -- sh
[ "$(complete_words sh)" = shell ] && ok "completion: sh<TAB> is shell alone" ||
  bad "completion: sh<TAB> alone" "$(complete_words sh)"
has "completion: <TAB> offers check, serve, shell and the script" check serve shell main.js sub -- ""
has "completion: --allow-r<TAB>" --allow-read --allow-read= --allow-run --allow-run= -- --allow-r
has "completion: --w<TAB> (a run's limits)" --write-limit --write-files-limit -- --w
has "completion: serve --<TAB> (serve's options)" --listen --listen-public --pool --max-concurrent --queue \
  --max-body --audit -- serve --
has "completion: shell --<TAB> (profile, app, grants)" --profile --app --allow-read= --allow-all -- shell --
[ "$(complete_words --app "")" = sub ] && ok "completion: --app <TAB> offers folders" ||
  bad "completion: --app <TAB>" "$(complete_words --app "")"
has "completion: --allow-read=/us<TAB> (split at = by bash) offers /usr" /usr -- --allow-read = /us
has "completion: --allow-read=/usr,/et<TAB> offers the second path" /usr,/etc/ -- --allow-read = /usr,/et
has "completion: after the script, files" main.js -- --profile strict main.js m
got=$(complete_words check --)
[ "$got" = --json ] && ok "completion: check --<TAB> is --json" || bad "completion: check --" "$got"

# ---- DESTDIR ---------------------------------------------------------------------------

stage=$work/stage
if mk install DESTDIR="$stage" PREFIX=/opt/sel; then
  out=$(cd "$work/app" && timeout 60 "$stage/opt/sel/bin/secure-exec-launch" --profile strict hello.js 2>&1)
  [ "$(readlink "$stage/opt/sel/bin/secure-exec-launch")" = ../lib/secure-exec-launch/secure-exec-launch ] &&
    [ "$out" = "hello from /sandbox/bin/node in /app" ] &&
    ok "make install DESTDIR=... PREFIX=/opt/sel: staged, and it runs where it landed" ||
    bad "DESTDIR install" "$(ls -l "$stage/opt/sel/bin" 2>&1)" "$out"
  mk uninstall DESTDIR="$stage" PREFIX=/opt/sel
  left=$(find "$stage" ! -type d)
  [ -z "$left" ] && ok "make uninstall DESTDIR=...: no file left" || bad "uninstall DESTDIR" "$left"
else
  bad "make install DESTDIR=..." "$(tail -n 5 "$work/make.log")"
fi

# ---- make uninstall ---------------------------------------------------------------------

if mk uninstall PREFIX="$prefix"; then
  left=$(find "$prefix" ! -type d)
  [ -z "$left" ] && ok "make uninstall: no file left" || bad "make uninstall: files left" "$left"
  [ ! -e "$prefix/lib/secure-exec-launch" ] && [ ! -e "$prefix/share/secure-exec-launch" ] &&
    ok "make uninstall: the launcher's own folders are gone" ||
    bad "make uninstall: folders left" "$(find "$prefix" -path '*secure-exec-launch*')"
else
  bad "make uninstall" "$(tail -n 5 "$work/make.log")"
fi
[ -x "$root/build/secure-exec-launch" ] && ok "the build tree's launcher is still there" ||
  bad "the build tree's launcher" "gone"

summary
