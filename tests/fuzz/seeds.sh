#!/usr/bin/env bash
# tests/fuzz/seeds.sh — make check's share of fuzzing: each libFuzzer
# target (built with ASan+UBSan) on its seed corpus and then SECONDS of
# mutation (default 10) — a crash, leak or hang fails. Longer runs:
# make check-fuzz FUZZ_SECONDS=600.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
secs=${1:-10}
pass=0
fail=0
for t in profile netd serve; do
  if ! make --no-print-directory "build/fuzz/fuzz_$t" > /dev/null; then
    echo "FAIL fuzz_$t: does not build"; fail=$((fail + 1)); continue
  fi
  corpus=$(mktemp -d)
  if build/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len=4096 -timeout=20 \
      -artifact_prefix="$corpus/" "$corpus" "tests/fuzz/corpus/$t" > "$corpus/log" 2>&1; then
    echo "ok   fuzz_$t ($(grep -Eo 'Done [0-9]+ runs' "$corpus/log" || echo 'ran'))"; pass=$((pass + 1))
  else
    echo "FAIL fuzz_$t"; tail -n 30 "$corpus/log" | sed 's/^/     /'; fail=$((fail + 1))
  fi
  rm -rf "$corpus"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
