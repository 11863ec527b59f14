#!/usr/bin/env bash
# tests/peers/peers.sh — private servers for the tests: PostgreSQL 15,
# MariaDB 10.11, Redis 7 and OpenSSH's sshd from the Debian packages
# (contrib/build/deps.sh installs them; no system service is used), each on
# 127.0.0.1 with a free port, data, keys, logs and pid files under DIR.
#
# usage: tests/peers/peers.sh start DIR   start all three, wait until each
#                                         accepts connections, write DIR/env
#        tests/peers/peers.sh stop DIR    stop what `start DIR` started
#
# DIR/env: one VAR=value a line (shell syntax, no quoting needed):
#   PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
#   MYSQL_HOST MYSQL_PORT MYSQL_USER MYSQL_PASSWORD MYSQL_DATABASE
#   REDIS_HOST REDIS_PORT
#   SSH_HOST SSH_PORT SSH_USER SSH_KEY_FILE (the client's private key, an
#   ed25519 key made for this start) SSH_DIR (a folder the user may write)
# A server that does not accept connections within $SE_PEERS_WAIT seconds
# (default 60) fails the start: the others are stopped, the log's tail is
# shown, the exit status is 1. Nothing is skipped.
#
# Run as root, the servers run as $SE_PEERS_USER (default nobody): DIR is
# handed to that user, and the folders above it must be searchable by it.
# sshd runs as $SE_PEERS_SSH_USER (default se-peers-ssh, made with useradd
# when missing: a system user with /bin/sh, no password, / as its home), the one
# user it lets in (sshd not run as root serves only its own user); not run
# as root, every server runs as the caller, and sshd lets the caller in.
# `stop` ends the servers (SIGINT/SIGTERM, then SIGKILL after
# $SE_PEERS_WAIT seconds) and removes their pid files, nothing else.
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
wait_s=${SE_PEERS_WAIT:-60}
db=setest   # the test user and database on PostgreSQL and MariaDB

die() { echo "peers: $*" >&2; exit 1; }
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

[ $# -eq 2 ] || { usage >&2; exit 2; }
cmd=$1
[ -n "$2" ] || die "DIR is empty"
mkdir -p -- "$2"
dir=$(cd -- "$2" && pwd -P)
[[ $wait_s =~ ^[1-9][0-9]*$ ]] || die "bad SE_PEERS_WAIT '$wait_s'"

# as CMD...: run CMD as the servers' user (exec'd, so $! is the server).
run_as=()
if [ "$cmd" = start ] && [ "$(id -u)" -eq 0 ]; then
  user=${SE_PEERS_USER:-nobody}
  uid=$(id -u -- "$user") || die "no user '$user' (set SE_PEERS_USER)"
  gid=$(id -g -- "$user")
  [ "$uid" -ne 0 ] || die "SE_PEERS_USER must not be root: PostgreSQL and MariaDB refuse it"
  run_as=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --)
fi
as() { ${run_as[@]+"${run_as[@]}"} "$@"; }

# alive PIDFILE BINARY [here]: the pid in PIDFILE runs BINARY (never a
# reused pid of somebody else's process); with `here`, also works in DIR
# (each server's cwd is its data folder once it is up; sshd works in /,
# and its command line names its configuration in DIR).
alive() {
  local pid exe cwd
  pid=$(head -n 1 "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "${exe% (deleted)}" = "$(readlink -f "$2")" ] || return 1
  if [ "${3:-}" = here ]; then
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 1
    [[ $cwd == "$dir"/* ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- " $dir/" ||
      return 1
  fi
  echo "$pid"
}

# gone PID: no such process, or a zombie (start's own children, not reaped).
gone() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
  [ "${st%% *}" = Z ]
}

# group_end SID: wait until the session setsid made (its id the leader's
# pid, as is its process group's) has ended, zombies nobody reaped yet
# aside; SIGKILL to the group after $SE_PEERS_WAIT seconds.
group_end() {
  local i
  for ((i = 0; i < wait_s * 10; i++)); do
    # shellcheck disable=SC2009 # pgrep counts the zombies too
    ps -o stat= --sid "$1" 2>/dev/null | grep -qv '^Z' || return 0
    sleep 0.1
  done
  kill -KILL -- "-$1" 2>/dev/null || true
  sleep 0.2
}

# stop_one NAME BINARY SIGNAL: end the server whose pid is in DIR/NAME.pid.
stop_one() {
  local name=$1 bin=$2 sig=$3 pid i
  pid=$(alive "$dir/$name.pid" "$bin" "$check") || { rm -f "$dir/$name.pid"; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    gone "$pid" && break
    sleep 0.1
  done
  if ! gone "$pid"; then
    echo "peers: $name (pid $pid) did not stop after ${wait_s}s: killed" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/$name.pid"
}

stop_all() {
  # PostgreSQL: SIGINT is the fast shutdown (SIGTERM waits for clients).
  stop_one postgres "$pg_bin/postgres" INT
  stop_one mariadb /usr/sbin/mariadbd TERM
  stop_one redis /usr/bin/redis-server TERM
  stop_one sshd /usr/sbin/sshd TERM
}

# `stop` ends only servers working in DIR; start's own clean-up after a
# failure (check=) ends its children, which may not have moved there yet.
check=here
if [ "$cmd" = stop ]; then
  stop_all
  exit 0
fi
[ "$cmd" = start ] || { usage >&2; exit 2; }

for b in "$pg_bin/initdb" "$pg_bin/postgres" "$pg_bin/pg_isready" /usr/bin/psql \
  /usr/bin/mariadb-install-db /usr/sbin/mariadbd /usr/bin/mariadb-admin \
  /usr/bin/redis-server /usr/bin/redis-cli /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen; do
  [ -x "$b" ] || die "missing $b (run make deps: it installs postgresql-15, mariadb-server, redis-server, openssh-server)"
done
command -v node >/dev/null || die "host node not found (it picks the free ports)"

for f in postgres:$pg_bin/postgres mariadb:/usr/sbin/mariadbd redis:/usr/bin/redis-server sshd:/usr/sbin/sshd; do
  if alive "$dir/${f%%:*}.pid" "${f#*:}" here >/dev/null; then
    die "$dir already has running servers (peers.sh stop $dir first)"
  fi
  rm -f "$dir/${f%%:*}.pid"
done

# From here on, a failure stops whatever was started: the set-up's process
# groups (initdb, mariadb-install-db and its bootstrap server), the servers.
started=0
check=
setup_pids=()
on_exit() {
  local rc=$? p
  if [ "$rc" -ne 0 ]; then
    for p in ${setup_pids[@]+"${setup_pids[@]}"}; do
      kill -TERM -- "-$p" 2>/dev/null || true
    done
    for p in ${setup_pids[@]+"${setup_pids[@]}"}; do
      group_end "$p"
    done
    [ "$started" -eq 0 ] || stop_all
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

rm -rf -- "$dir/pg" "$dir/mysql" "$dir/redis" "$dir/ssh" "$dir/run" "$dir/env"
mkdir -p -- "$dir/pg" "$dir/mysql" "$dir/redis" "$dir/ssh/files" "$dir/run"
# The MariaDB socket (its admin needs none, but mariadbd always makes one)
# must fit sun_path: a short folder of its own when DIR is deep.
sock_dir="$dir/run"
if [ ${#sock_dir} -gt 80 ]; then sock_dir=$(mktemp -d /tmp/se-peers.XXXXXX); fi
if [ ${#run_as[@]} -gt 0 ]; then
  chown -R "$uid:$gid" "$dir/pg" "$dir/mysql" "$dir/redis" "$dir/run" "$sock_dir"
  as test -w "$dir/pg" -a -x "$dir/pg" ||
    die "user $user cannot use $dir (its parent folders must be searchable by others)"
fi

password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

# free_port: a port nothing listens on now (the kernel's choice). A server
# that finds it taken after all is started again on another one.
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# wait_ready NAME PIDFILE BINARY LOG CHECK...: until CHECK succeeds; fail
# when the server is gone or after $wait_s seconds.
wait_ready() {
  local name=$1 pidfile=$2 bin=$3 log=$4 i
  shift 4
  for ((i = 0; i < wait_s * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    # gone: it did not start; there but not yet the server: setsid and
    # setpriv have not exec'd it yet (a loaded machine): wait on
    if ! alive "$pidfile" "$bin" >/dev/null; then
      kill -0 "$(head -n 1 "$pidfile" 2>/dev/null)" 2>/dev/null || return 2
    fi
    sleep 0.1
  done
  return 1
}

show_log() {
  echo "peers: --- last lines of $1 ---" >&2
  tail -n 15 "$1" >&2 2>/dev/null || true
}

# spawn LOG PIDFILE CMD...: start a server in its own session, as the
# user, its stdout and stderr appended to LOG. (The script has no job
# control, so setsid and setpriv exec: $! is the server itself.)
spawn() {
  local log=$1 pidfile=$2
  shift 2
  setsid ${run_as[@]+"${run_as[@]}"} "$@" </dev/null >>"$log" 2>&1 &
  echo "$!" >"$pidfile"
}

# ---- set-up (initdb and mariadb-install-db side by side, each in a process
# group of its own: an interrupted start ends them whole) -------------------
t0=$(date +%s%N)
pwfile="$dir/pg/pwfile"
printf '%s\n' "$password" >"$pwfile"
[ ${#run_as[@]} -eq 0 ] || chown "$uid:$gid" "$pwfile"
setsid ${run_as[@]+"${run_as[@]}"} "$pg_bin/initdb" -D "$dir/pg/data" -U "$db" --pwfile="$pwfile" \
  --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
  --no-sync >"$dir/pg/initdb.log" 2>&1 &
initdb_pid=$!
setup_pids+=("$initdb_pid")
setsid ${run_as[@]+"${run_as[@]}"} /usr/bin/mariadb-install-db --no-defaults --datadir="$dir/mysql/data" \
  --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
  --innodb-use-native-aio=0 --innodb-log-file-size=8M >"$dir/mysql/install.log" 2>&1 &
install_pid=$!
setup_pids+=("$install_pid")
rc=0
wait "$initdb_pid" || rc=$?
rm -f "$pwfile"
[ "$rc" -eq 0 ] || { show_log "$dir/pg/initdb.log"; die "PostgreSQL initdb failed (status $rc)"; }
rc=0
wait "$install_pid" || rc=$?
[ "$rc" -eq 0 ] || { show_log "$dir/mysql/install.log"; die "mariadb-install-db failed (status $rc)"; }
setup_pids=()

# The test user and database, made on each start of mariadbd.
cat >"$dir/mysql/init.sql" <<EOF
CREATE DATABASE IF NOT EXISTS $db;
CREATE USER IF NOT EXISTS '$db'@'%' IDENTIFIED BY '$password';
ALTER USER '$db'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON $db.* TO '$db'@'%';
EOF
[ ${#run_as[@]} -eq 0 ] || chown "$uid:$gid" "$dir/mysql/init.sql"
chmod 600 "$dir/mysql/init.sql"

# ---- start, each with up to three ports -----------------------------------
started=1
pg_port="" my_port="" redis_port="" ssh_port=""

# on_ports NAME LOG LAUNCH: LAUNCH PORT starts the server on PORT and waits
# for it (wait_ready's status); a port that turned out to be taken after
# all (LOG says so) is retried with another, three times. got_port: the
# port it took.
got_port=""
on_ports() {
  local name=$1 log=$2 launch=$3 port r
  for _ in 1 2 3; do
    port=$(free_port)
    : >"$log"
    [ ${#run_as[@]} -eq 0 ] || chown "$uid:$gid" "$log"
    r=0
    "$launch" "$port" || r=$?
    if [ "$r" -eq 0 ]; then got_port=$port; return 0; fi
    if [ "$r" -eq 1 ]; then show_log "$log"; die "$name did not accept connections on 127.0.0.1:$port within ${wait_s}s"; fi
    grep -q 'already in use' "$log" 2>/dev/null || break
  done
  show_log "$log"
  die "$name did not start (log: $log)"
}

launch_postgres() {
  spawn "$dir/pg/postgres.log" "$dir/postgres.pid" "$pg_bin/postgres" -D "$dir/pg/data" -h 127.0.0.1 -p "$1" \
    -k '' -c logging_collector=off -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=50 -c shared_buffers=16MB
  wait_ready postgres "$dir/postgres.pid" "$pg_bin/postgres" "$dir/pg/postgres.log" \
    "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$1" -d postgres -U "$db"
}

launch_mariadb() {
  spawn "$dir/mysql/mariadbd.log" "$dir/mariadb.pid" /usr/sbin/mariadbd --no-defaults --datadir="$dir/mysql/data" \
    --bind-address=127.0.0.1 --port="$1" --socket="$sock_dir/mysqld.sock" \
    --pid-file="$dir/mysql/mariadbd.pid" --log-error="$dir/mysql/mariadbd.log" \
    --init-file="$dir/mysql/init.sql" --skip-name-resolve --skip-log-bin \
    --innodb-use-native-aio=0 --innodb-buffer-pool-size=32M --innodb-log-file-size=8M \
    --innodb-flush-log-at-trx-commit=0 --max-connections=50
  wait_ready mariadb "$dir/mariadb.pid" /usr/sbin/mariadbd "$dir/mysql/mariadbd.log" \
    /usr/bin/mariadb-admin --no-defaults --protocol=tcp -h 127.0.0.1 -P "$1" \
    -u "$db" "-p$password" --connect-timeout=2 status
}

launch_redis() {
  spawn "$dir/redis/redis.log" "$dir/redis.pid" /usr/bin/redis-server --bind 127.0.0.1 --port "$1" \
    --dir "$dir/redis" --logfile "$dir/redis/redis.log" --daemonize no \
    --save '' --appendonly no --protected-mode yes
  # shellcheck disable=SC2016 # the inner sh expands it
  wait_ready redis "$dir/redis.pid" /usr/bin/redis-server "$dir/redis/redis.log" \
    sh -c '[ "$(redis-cli -h 127.0.0.1 -p "$1" ping)" = PONG ]' sh "$1"
}

# sshd: a host key and a client key of this start's own, one user. Not
# run as root, sshd serves only the user it runs as.
ssh_user=$(id -un)
ssh_as=()
if [ ${#run_as[@]} -gt 0 ]; then
  ssh_user=${SE_PEERS_SSH_USER:-se-peers-ssh}
  if ! id -u -- "$ssh_user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir / --shell /bin/sh --password '*' "$ssh_user" ||
      die "cannot make the user $ssh_user for sshd (set SE_PEERS_SSH_USER)"
  fi
  ssh_uid=$(id -u -- "$ssh_user")
  [ "$ssh_uid" -ne 0 ] || die "SE_PEERS_SSH_USER must not be root"
  ssh_as=(setpriv --reuid="$ssh_uid" --regid="$(id -g -- "$ssh_user")" --clear-groups --)
fi

# the keys, once; then sshd on PORT (its configuration names the port)
ssh_keys() {
  local f k=$dir/ssh
  for f in host_key client_key; do
    ssh-keygen -q -t ed25519 -N '' -C "peers-$f" -f "$k/$f" || die "ssh-keygen failed"
  done
  cp "$k/client_key.pub" "$k/authorized_keys"
  # the fixtures' copy: readable by the sandbox and host node (ssh itself
  # refuses a key others may read, hence two)
  install -m 644 "$k/client_key" "$k/client_key.fixture"
  if [ ${#ssh_as[@]} -gt 0 ]; then
    chown "$ssh_user" "$k/host_key" "$k/authorized_keys" "$k/files"
  fi
}

launch_sshd() {
  local k=$dir/ssh
  cat >"$k/sshd_config" <<EOF
ListenAddress 127.0.0.1:$1
HostKey $k/host_key
PidFile none
AuthorizedKeysFile $k/authorized_keys
AllowUsers $ssh_user
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
  (cd "$k" && exec setsid ${ssh_as[@]+"${ssh_as[@]}"} /usr/sbin/sshd -D -e -f "$k/sshd_config" \
    </dev/null >>"$k/sshd.log" 2>&1) &
  echo "$!" >"$dir/sshd.pid"
  wait_ready sshd "$dir/sshd.pid" /usr/sbin/sshd "$k/sshd.log" \
    ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=2 -o LogLevel=ERROR -i "$k/client_key" -p "$1" "$ssh_user@127.0.0.1" true
}

on_ports PostgreSQL "$dir/pg/postgres.log" launch_postgres
pg_port=$got_port
on_ports MariaDB "$dir/mysql/mariadbd.log" launch_mariadb
my_port=$got_port
on_ports Redis "$dir/redis/redis.log" launch_redis
redis_port=$got_port
ssh_keys
on_ports sshd "$dir/ssh/sshd.log" launch_sshd
ssh_port=$got_port

# PostgreSQL's test database (initdb made the user, the superuser).
PGPASSWORD=$password /usr/bin/psql -X -q -h 127.0.0.1 -p "$pg_port" -U "$db" -d postgres \
  -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >"$dir/pg/createdb.log" 2>&1 ||
  { show_log "$dir/pg/createdb.log"; die "PostgreSQL: CREATE DATABASE $db failed"; }

cat >"$dir/env.tmp" <<EOF
PGHOST=127.0.0.1
PGPORT=$pg_port
PGUSER=$db
PGPASSWORD=$password
PGDATABASE=$db
MYSQL_HOST=127.0.0.1
MYSQL_PORT=$my_port
MYSQL_USER=$db
MYSQL_PASSWORD=$password
MYSQL_DATABASE=$db
REDIS_HOST=127.0.0.1
REDIS_PORT=$redis_port
SSH_HOST=127.0.0.1
SSH_PORT=$ssh_port
SSH_USER=$ssh_user
SSH_KEY_FILE=$dir/ssh/client_key.fixture
SSH_DIR=$dir/ssh/files
EOF
mv -f "$dir/env.tmp" "$dir/env"
t1=$(date +%s%N)
echo "peers: PostgreSQL :$pg_port, MariaDB :$my_port, Redis :$redis_port, sshd :$ssh_port up in $(((t1 - t0) / 1000000)) ms ($dir)" >&2
