#!/usr/bin/env bash
# Banned functions (the project's C style): unbounded string functions,
# non-reentrant time calls, and anything that runs a shell. Prints each use
# as file:line and exits 1 if there is one. Also: the documentation names
# no path outside the repository (a team's workbench beside it).
set -euo pipefail
cd "$(dirname "$0")/../.."
banned='\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets|strtok|system|popen|localtime|gmtime|ctime|asctime|strerror_l)\s*\('
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cc')
if grep -nE "$banned" "${files[@]}"; then
  echo "lint: banned functions above (use snprintf, strtol, strtok_r, *_r time calls)" >&2
  exit 1
fi
mapfile -t docs < <(git ls-files '*.md' ':!:tests/matrix/fixtures/**' ':!:js/node_modules/**')
if grep -nE '\.\./shared|/work/' "${docs[@]}"; then
  echo "lint: the documentation above points outside the repository" >&2
  exit 1
fi
echo "lint: ok"
