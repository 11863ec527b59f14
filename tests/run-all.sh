#!/usr/bin/env bash
# tests/run-all.sh — what `make check` runs after building: every test
# layer in turn, each one's own summary shown, then one closing line
# "N passed, N failed" over all of them. Exit 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

bin=build/secure-exec-launch
total_pass=0
total_fail=0
status=0

# count LABEL LOGFILE RC: add the part's "N passed, N failed" or Check's
# "Checks: N, Failures: F, Errors: E" to the totals.
count() {
  local label=$1 log=$2 rc=$3 p=0 f=0 line
  if line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1) && [ -n "$line" ]; then
    local n fl er
    n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
    fl=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
    er=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
    p=$((n - fl - er)); f=$((fl + er))
  elif line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1) && [ -n "$line" ]; then
    p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  fi
  # A part that failed without counting it still counts as one failure.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "== $label: $p passed, $f failed"
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  [ "$rc" -eq 0 ] || status=1
}

run() {
  local label=$1; shift
  local log
  log=$(mktemp)
  echo "== $label"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  count "$label" "$log" "$rc"
  rm -f "$log"
}

run "unit (Check)" build/tests/unit-tests
run "unit under ASan+UBSan" make --no-print-directory check-asan
run "JS units: tr46 short path (the reference node)" build/node22/bin/node tests/js/tr46-ascii.js
run "JS units: URL short path (the reference node)" build/node22/bin/node tests/js/url-fast.js
run "JS units: tr46's flat table (the reference node)" build/node22/bin/node tests/js/tr46-table.js
run "integration" bash tests/integration/run.sh --bin "$bin"
run "permissions" bash tests/integration/permissions.sh --bin "$bin"
run "launch (grants, profiles, limits, CLI)" bash tests/integration/launch.sh --bin "$bin"
run "fs" bash tests/integration/fs.sh --bin "$bin"
run "write quota" bash tests/integration/quota.sh --bin "$bin"
run "--report" bash tests/integration/report.sh --bin "$bin"
run "dns (a test DNS server, Node 22.14 parity)" bash tests/integration/dns.sh --bin "$bin"
run "node parity" bash tests/integration/node-parity.sh --bin "$bin"
run "network (the supervisor's socket broker)" bash tests/integration/net.sh --bin "$bin"
run "tls and https (Node 22.14 parity, test certificates)" bash tests/integration/tls.sh --bin "$bin"
run "child processes (run grants, decisions, nested guests)" bash tests/integration/child.sh --bin "$bin"
run "overlay (stand-alone)" bash tests/integration/overlay.sh --bin build/secure-exec-overlay
run "overlay (through the launcher)" bash tests/integration/overlay-launch.sh --bin "$bin"
run "security probes" bash tests/security/run.sh --bin "$bin"
run "security probes through the shell" bash tests/security/run.sh --bin "$bin" --shell
run "OS wall (native probes)" bash tests/security/wall.sh --probe build/tests/wall-probe
run "contrib (k8s manifests, seccomp profile, systemd units)" env SECURE_EXEC_LAUNCH="$PWD/$bin" bash contrib/k8s/validate.sh --run
run "matrix (Node 22.14 vs sandbox)" bash tests/matrix/run.sh --bin "$bin"
run "serve (the sidecar: API, pool, limits, backpressure, drain)" bash tests/integration/serve.sh --bin "$bin"
run "shell (the operator's REPL on a terminal, in tmux)" bash tests/integration/shell.sh --bin "$bin"
run "install (make install and uninstall, the man page, bash completion)" bash tests/integration/install.sh --bin "$bin"
run "shell: the attack's findings as probes" bash tests/integration/shell-attack.sh --bin "$bin"

# The bridges' C under ASan+UBSan (LSan on) through the real launcher.
asan_bin=build/asan/secure-exec-launch
asan_env=(env "ASAN_OPTIONS=detect_leaks=0:halt_on_error=1"
  "LSAN_OPTIONS=suppressions=$PWD/tests/unit/lsan.supp:print_suppressions=0"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
run "fs under ASan+UBSan" "${asan_env[@]}" bash tests/integration/fs.sh --bin "$asan_bin"
run "fs matrix under ASan+UBSan" "${asan_env[@]}" bash tests/matrix/run.sh --bin "$asan_bin" fs-
run "module matrix under ASan+UBSan" "${asan_env[@]}" bash tests/matrix/run.sh --bin "$asan_bin" \
  import- require- interop- module- conditional-exports mod-os npm-esm-libs mod-crypto npm-uuid mod-zlib
run "security probes under ASan+UBSan" "${asan_env[@]}" SE_PROBE_TIMEOUT=90 bash tests/security/run.sh --bin "$asan_bin"
run "network under ASan+UBSan" "${asan_env[@]}" bash tests/integration/net.sh --bin "$asan_bin"
run "worker matrix under ASan+UBSan" "${asan_env[@]}" bash tests/matrix/run.sh --bin "$asan_bin" worker-
run "net matrix under ASan+UBSan" "${asan_env[@]}" bash tests/matrix/run.sh --bin "$asan_bin" net- http- npm-express-listen
run "child_process under ASan+UBSan" "${asan_env[@]}" bash tests/integration/child.sh --bin "$asan_bin"
run "child_process matrix under ASan+UBSan" "${asan_env[@]}" bash tests/matrix/run.sh --bin "$asan_bin" \
  child-process npm-execa npm-cross-spawn
run "fuzz targets (seeds + 10 s each)" bash tests/fuzz/seeds.sh 10
run "overlay under ASan+UBSan" "${asan_env[@]}" bash tests/integration/overlay-launch.sh --bin "$asan_bin"
run "shell probes under ASan+UBSan" "${asan_env[@]}" bash tests/integration/shell-attack.sh --bin "$asan_bin"

echo
echo "$total_pass passed, $total_fail failed"
exit "$status"
