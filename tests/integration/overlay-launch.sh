#!/usr/bin/env bash
# tests/integration/overlay-launch.sh — node_modules through the launcher's
# overlay (/app/node_modules in the sandbox): npm's nested layout with
# exports and main, pnpm's .pnpm store reached through links, a workspace
# link to the app's own package, scoped packages, a 10k-file package, and
# folders listed then required (the prefetch path). Each app prints the same
# on host node and in the sandbox, byte for byte, with the same status. Then
# what the sandbox must refuse: a package that is a link out of the app, a
# `.node` addon, writes into node_modules.
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/overlay-launch.sh [--bin PATH]   (PATH: secure-exec-launch)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup overlay-launch "$here/../../build/secure-exec-launch" "$@"
command -v node >/dev/null || { echo "overlay-launch: host node not found" >&2; echo "0 passed, 1 failed"; exit 1; }

app="$work/app"
nm="$app/node_modules"
put() { # put FILE TEXT: writes TEXT (and a newline) to FILE, making its folder
  mkdir -p "$(dirname "$1")"
  printf '%s\n' "$2" >"$1"
}

# npm: nested copies, main (a .cjs), deep requires, a scope
put "$nm/alpha/package.json" '{"name":"alpha","version":"1.0.0","main":"lib/alpha.js"}'
put "$nm/alpha/lib/alpha.js" 'module.exports = "alpha@1 uses " + require("beta");'
put "$nm/alpha/node_modules/beta/package.json" '{"name":"beta","version":"2.0.0"}'
put "$nm/alpha/node_modules/beta/index.js" 'module.exports = "beta@2";'
put "$nm/beta/package.json" '{"name":"beta","version":"1.0.0"}'
put "$nm/beta/index.js" 'module.exports = "beta@1";'
put "$nm/gamma/package.json" '{"name":"gamma","main":"./cjs/main.cjs"}'
put "$nm/gamma/cjs/main.cjs" 'module.exports = { name: "gamma", sub: require("gamma/cjs/sub") };'
put "$nm/gamma/cjs/sub.js" 'module.exports = "gamma/sub";'
put "$nm/@scope/delta/package.json" '{"name":"@scope/delta","main":"./d"}'
put "$nm/@scope/delta/d.js" 'module.exports = require("./data.json").v;'
put "$nm/@scope/delta/data.json" '{"v":"delta json"}'
# pnpm: the store under .pnpm, packages reached through relative links
store="$nm/.pnpm/eps@3.0.0/node_modules"
put "$store/eps/package.json" '{"name":"eps","main":"main.js"}'
put "$store/eps/main.js" 'module.exports = "eps@3 with " + require("zeta");'
put "$nm/.pnpm/zeta@1.0.0/node_modules/zeta/index.js" 'module.exports = "zeta@1";'
ln -s ../../zeta@1.0.0/node_modules/zeta "$store/zeta"
ln -s .pnpm/eps@3.0.0/node_modules/eps "$nm/eps"
# a workspace package: a link to the app's own packages/ folder
put "$app/packages/ws-lib/package.json" '{"name":"ws-lib","main":"index.js"}'
put "$app/packages/ws-lib/index.js" 'module.exports = "ws-lib from " + require("path").basename(__dirname);'
ln -s ../packages/ws-lib "$nm/ws-lib"
# 10k files in one package
mkdir -p "$nm/big"
for i in $(seq 10000); do printf 'module.exports = %d;\n' "$i" >"$nm/big/f$i.js"; done
put "$nm/big/package.json" '{"name":"big","main":"f1.js"}'
# refused ones
mkdir -p "$work/host-folder"
put "$work/host-folder/index.js" 'module.exports = "host file";'
ln -s "$work/host-folder" "$nm/abs-out"
ln -s ../../host-folder "$nm/rel-out"
put "$nm/addon/index.js" 'module.exports = require("./build/addon.node");'
put "$nm/addon/build/addon.node" 'not a real binary'
chmod -R a+rX "$work"

# same NAME FILE CODE: CODE as app FILE prints the same, with the same
# status, on host node and in the sandbox
same() {
  local name=$1 file=$2 code=$3 want wrc=0 got grc=0
  printf '%s\n' "$code" >"$app/$file"
  chmod a+r "$app/$file"
  want=$(cd "$app" && timeout 30 node "$file" 2>&1) || wrc=$?
  got=$(cd "$app" && timeout 30 "$bin" --profile strict "$file" 2>"$work/err") || grc=$?
  if [ "$got" = "$want" ] && [ "$grc" = "$wrc" ]; then
    ok "$name"
  else
    bad "$name" "node (exit $wrc): ${want:0:300}" "sandbox (exit $grc): ${got:0:300}" "stderr: $(head -c 300 "$work/err")"
  fi
}

# held NAME FILE CODE WANT: the sandbox prints WANT
held() {
  local name=$1 file=$2 code=$3 want=$4 got
  printf '%s\n' "$code" >"$app/$file"
  chmod a+r "$app/$file"
  got=$(cd "$app" && timeout 30 "$bin" --profile strict "$file" 2>&1)
  if [ "$got" = "$want" ]; then ok "$name"; else bad "$name" "want: $want" "got:  ${got:0:400}"; fi
}

same "npm: nested copies, each package gets its own" npm.js \
  'console.log(require("alpha")); console.log(require("beta"));'
same "main naming a .cjs, a deep require, package.json" deep.js \
  'console.log(require("gamma")); console.log(require("gamma/package.json").name);
try { require("gamma/cjs/none"); } catch (e) { console.log(e.code); }'
same "a scoped package with a json file" scoped.js 'console.log(require("@scope/delta"));'
same "pnpm: a link into .pnpm, its own dependency a link beside it" pnpm.js \
  'const p = require.resolve("eps"); console.log(require("eps"), p.includes(".pnpm/eps@3.0.0"));'
same "a workspace link to the app's own package" workspace.js \
  'console.log(require("ws-lib")); console.log(require.resolve("ws-lib").endsWith("packages/ws-lib/index.js"));'
same "10k files: listed whole and required" big.js \
  'const fs = require("fs");
const names = fs.readdirSync("node_modules/big");
console.log(names.length, names.filter((n) => n.endsWith(".js")).length);
let sum = 0;
for (let i = 1; i <= 10000; i += 97) sum += require("big/f" + i + ".js");
console.log(sum, require("big"));'
same "listed then required: every file's bytes as on disk" listed.js \
  'const fs = require("fs");
for (const d of ["alpha/lib", "gamma/cjs", "@scope/delta", "big"]) {
  const dir = "node_modules/" + d;
  let all = "";
  for (const n of fs.readdirSync(dir)) all += n + ":" + fs.readFileSync(dir + "/" + n, "latin1");
  let h = 0;
  for (let i = 0; i < all.length; i++) h = (h * 31 + all.charCodeAt(i)) >>> 0;
  console.log(d, all.length, h, d === "big" ? "" : JSON.stringify(all));
}'
same "stat of files, folders and links in node_modules" stat.js \
  'const fs = require("fs");
for (const p of ["alpha", "alpha/lib/alpha.js", "eps", "ws-lib"]) {
  const s = fs.statSync("node_modules/" + p), l = fs.lstatSync("node_modules/" + p);
  console.log(p, s.isFile(), s.isDirectory(), l.isSymbolicLink(), s.size > 0);
}'

held "a package linked to a host folder (absolute) is not there" abs.js \
  'try { require("abs-out"); console.log("LOADED"); } catch (e) { console.log(e.code); }' \
  "MODULE_NOT_FOUND"
held "a package linked out of the app (relative) is not there" rel.js \
  'try { require("rel-out"); console.log("LOADED"); } catch (e) { console.log(e.code); }
console.log(require("fs").existsSync("node_modules/rel-out/index.js"));' \
  "MODULE_NOT_FOUND
false"
held "a .node addon is refused with the loader's message" addon.js \
  'try { require("addon"); console.log("LOADED"); } catch (e) { console.log(e.message); }' \
  "/app/node_modules/addon/build/addon.node: native addons are not supported in sandbox"
held "writes into node_modules are refused" write.js \
  'const fs = require("fs");
for (const f of [() => fs.writeFileSync("node_modules/alpha/x.js", "x"),
                 () => fs.unlinkSync("node_modules/beta/index.js"),
                 () => fs.mkdirSync("node_modules/new")]) {
  try { f(); console.log("WROTE"); } catch (e) { console.log(e.code); }
}
console.log(require("beta"));' \
  "EACCES
EACCES
EACCES
beta@1"

if [ -f "$nm/beta/index.js" ] && [ ! -e "$nm/alpha/x.js" ] && [ ! -e "$nm/new" ]; then
  ok "the source tree is untouched"
else
  bad "the source tree is untouched"
fi
summary
