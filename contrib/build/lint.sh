#!/usr/bin/env bash
# Banned functions (docs/STYLE.md rule 9): unbounded string functions,
# non-reentrant time calls, and anything that runs a shell. Prints each use
# as file:line and exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/../.."
banned='\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets|strtok|system|popen|localtime|gmtime|ctime|asctime|strerror_l)\s*\('
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cc')
if grep -nE "$banned" "${files[@]}"; then
  echo "lint: banned functions above (use snprintf, strtol, strtok_r, *_r time calls)" >&2
  exit 1
fi
echo "lint: ok"
