#!/usr/bin/env bash
# tests/integration/overlay.sh — the stand-alone secure-exec-overlay in a
# private mount namespace: reads, readdir, stat, npm/pnpm/workspace
# symlinks in, symlinks out, writes refused, .node refused, special files
# hidden, a 10k-file tree, and the race of a folder swapped for a symlink
# to / while reads go on. The overlay is mounted on top of its own source,
# as the sandbox shows it at /app/node_modules.
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/overlay.sh [--bin PATH]   (PATH: secure-exec-overlay)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup overlay "$here/../../build/secure-exec-overlay" "$@"

# Everything below runs inside a private mount namespace (as root, or as
# a user mapped to root in a new user namespace).
if [ "${SE_OVERLAY_INNER:-}" != 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    rm -rf "$work"
    exec env SE_OVERLAY_INNER=1 unshare -m bash "$0" --bin "$bin"
  fi
  rm -rf "$work"
  exec env SE_OVERLAY_INNER=1 unshare -rm bash "$0" --bin "$bin"
fi
mount --make-rprivate / 2>/dev/null || true

app="$work/app"
nm="$app/node_modules"
mkdir -p "$nm/pkg/lib" "$nm/.pnpm/dep@1.0.0/node_modules/dep" "$app/packages/ws" "$work/outside" "$nm/big"
echo 'module.exports = "pkg";' >"$nm/pkg/index.js"
echo '{"name":"pkg","main":"index.js"}' >"$nm/pkg/package.json"
echo 'dep' >"$nm/.pnpm/dep@1.0.0/node_modules/dep/index.js"
ln -s .pnpm/dep@1.0.0/node_modules/dep "$nm/dep"            # pnpm
ln -s ../packages/ws "$nm/ws"                                 # a workspace package
echo 'ws' >"$app/packages/ws/index.js"
echo 'outside secret' >"$work/outside/secret"
ln -s ../../outside "$nm/escape"                              # leaves the app
ln -s /etc "$nm/absolute"                                     # absolute
ln -s ../../outside/secret "$nm/pkg/lib/escape-file"          # leaves the app, as a file
echo 'binary' >"$nm/pkg/addon.node"
mkfifo "$nm/fifo"
for i in $(seq 10000); do : >"$nm/big/f$i"; done
# prefetch: module files up to 128 KiB are pushed into the page cache when
# their folder is listed; sizes around page and limit edges
mkdir -p "$nm/pf"
for f in a.js:1 b.js:4095 c.js:4096 d.cjs:4097 e.mjs:100000 f.json:131072 g.js:131073 h.txt:5000; do
  head -c "${f#*:}" /dev/urandom >"$nm/pf/${f%%:*}"
done
(cd "$nm/pf" && sha256sum -- *) >"$work/pf.sum"
chmod -R a+rX "$work"

"$bin" "$nm" "$nm" 2>"$work/overlay.err" &
opid=$!
for _ in $(seq 100); do mountpoint -q "$nm" && break; sleep 0.05; done
if ! mountpoint -q "$nm"; then
  bad "mount" "$(head -c 300 "$work/overlay.err")"
  echo "$pass passed, $fail failed"
  exit 1
fi

t() { # t NAME WANT COMMAND...
  local name=$1 want=$2 got
  shift 2
  got=$("$@" 2>&1)
  if [ "$got" = "$want" ]; then ok "$name"; else bad "$name" "want: $want" "got:  $got"; fi
}
t "readdir: files, folders, links inside; links out and the fifo hidden" ".pnpm big dep pf pkg ws" \
  bash -c "ls -A '$nm' | sort | tr '\n' ' ' | sed 's/ \$//'"
t "read a file" 'module.exports = "pkg";' cat "$nm/pkg/index.js"
t "pnpm symlink into .pnpm" "dep" cat "$nm/dep/index.js"
t "workspace link to the app's own package" "ws" cat "$nm/ws/index.js"
t "a link out of the app does not exist" "ENOENT" bash -c "stat '$nm/escape' >/dev/null 2>&1 && echo visible || echo ENOENT"
t "an absolute link does not exist" "ENOENT" bash -c "stat '$nm/absolute' >/dev/null 2>&1 && echo visible || echo ENOENT"
t "a file link out of the app does not exist" "ENOENT" bash -c "cat '$nm/pkg/lib/escape-file' >/dev/null 2>&1 && echo visible || echo ENOENT"
t ".node cannot be opened" "Permission denied" bash -c "cat '$nm/pkg/addon.node' 2>&1 | sed 's/.*: //'"
t "write refused (EROFS)" "Read-only file system" bash -c "{ echo x > '$nm/pkg/new.js'; } 2>&1 | sed 's/.*: //'"
t "unlink refused" "Read-only file system" bash -c "rm -f '$nm/pkg/index.js' 2>&1 | sed 's/.*: //'"
t "mkdir refused" "Read-only file system" bash -c "mkdir '$nm/d' 2>&1 | sed 's/.*: //'"
t "no write bits shown" "-r--r--r--" stat -c %A "$nm/pkg/index.js"
t "a miss is ENOENT" "ENOENT" bash -c "stat '$nm/nope' >/dev/null 2>&1 && echo found || echo ENOENT"
t "10k-file folder listed whole" "10000" bash -c "ls '$nm/big' | wc -l"
# after a listing and before any read, the module files up to 128 KiB are
# in the page cache (whole, unless this VM reclaimed a page meanwhile); the
# one over 128 KiB and the .txt are not
ls -l "$nm/pf" >/dev/null
resident() {
  local f res
  for f in a.js b.js c.js d.cjs e.mjs f.json g.js h.txt; do
    res=$(fincore -nb -o RES "$nm/pf/$f" 2>&1 | tr -d ' ')
    case $res in 0) printf '%s:none ' "$f" ;; [1-9]*) printf '%s:cached ' "$f" ;; *) printf '%s:%s ' "$f" "$res" ;; esac
  done
}
want="a.js:cached b.js:cached c.js:cached d.cjs:cached e.mjs:cached f.json:cached g.js:none h.txt:none "
for _ in $(seq 50); do [ "$(resident)" = "$want" ] && break; sleep 0.05; done
t "a listed folder's module files are prefetched, others are not" "$want" resident
t "prefetched and read files are byte for byte the source" "" bash -c "cd '$nm/pf' && sha256sum --quiet -c '$work/pf.sum' 2>&1"

umount "$nm"
wait "$opid" 2>/dev/null

# The race: in the source, a folder is swapped back and forth for a symlink
# to / while the guest side reads through it, with no caching (--timeout 0)
# so every read looks it up again. No byte from outside may come back.
src="$work/src"
mkdir -p "$src/node_modules/racer/etc" "$work/mnt"
echo inside >"$src/node_modules/racer/etc/passwd"
chmod -R a+rX "$src"
"$bin" --timeout 0 "$src/node_modules" "$work/mnt" 2>>"$work/overlay.err" &
opid=$!
for _ in $(seq 100); do mountpoint -q "$work/mnt" && break; sleep 0.05; done
( cd "$src/node_modules" && while :; do
    mv racer racer.d 2>/dev/null && ln -s / racer 2>/dev/null
    sleep 0.001
    rm -f racer 2>/dev/null && mv racer.d racer 2>/dev/null
    sleep 0.001
  done ) &
swapper=$!
leak=0
inside=0
for k in $(seq 1500); do
  # every other round lists the folder first (READDIRPLUS looks each entry up)
  [ $((k % 2)) = 0 ] && ls "$work/mnt/racer/etc" >/dev/null 2>&1
  out=$(cat "$work/mnt/racer/etc/passwd" 2>/dev/null || true)
  case $out in
    inside) inside=$((inside + 1)) ;;
    "") ;;
    *) leak=1 ;;
  esac
done
kill "$swapper" 2>/dev/null
wait "$swapper" 2>/dev/null
if [ "$leak" -eq 0 ] && [ "$inside" -gt 0 ]; then
  ok "a folder swapped for a symlink to / during reads: nothing from outside ($inside clean reads)"
else
  bad "race" "leak=$leak inside=$inside"
fi
umount "$work/mnt"
wait "$opid" 2>/dev/null
summary
