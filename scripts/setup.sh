#!/usr/bin/env bash
# Prepares this machine to run codecrew: the packages it needs (docker.io,
# nats-server, mmdebstrap, git, bubblewrap), a running Docker daemon, the sandbox image,
# and a PostgreSQL server on 127.0.0.1 for the PostgreSQL task store's tests.
# Idempotent: each step checks first and does nothing when already done.
# Runs without a terminal (CI=true, no stdin). On Debian as root it does the
# work; otherwise it prints what to install or start and exits non-zero.
#
#   scripts/setup.sh              everything
#   scripts/setup.sh --no-image   packages and daemon only
set -euo pipefail

with_image=1
case "${1:-}" in
  --no-image) with_image=0 ;;
  '') ;;
  *) printf 'setup: unknown argument %s (use --no-image or nothing)\n' "$1" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_SCRIPT="$ROOT/sandbox/image/build.sh"
DOCKERD_WAIT_SECONDS="${CODECREW_DOCKERD_WAIT:-60}"
POSTGRES_CLUSTER=codecrew
POSTGRES_PORT="${CODECREW_POSTGRES_PORT:-55432}"
ENV_FILE="$ROOT/.codecrew/env"

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
docker_answers() { timeout 20 docker info >/dev/null 2>&1; }

# What is missing, as Debian package names. Commands are checked rather than
# packages so that a Docker installed another way (docker-ce) counts.
missing_packages() {
  local missing=()
  have docker || missing+=(docker.io)
  if ! have dockerd && ! docker_answers; then
    [[ " ${missing[*]-} " == *" docker.io "* ]] || missing+=(docker.io)
  fi
  have nats-server || missing+=(nats-server)
  have mmdebstrap || missing+=(mmdebstrap)
  have git || missing+=(git)
  have bwrap || missing+=(bubblewrap)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  printf '%s\n' "${missing[@]-}" | sed '/^$/d'
}

explain_and_exit() {
  # $1: what is missing or not running.
  say "cannot finish: $1"
  if ! is_debian; then
    say "this script installs packages on Debian only. On this system install and start yourself:"
  else
    say "this needs root. Run it as root (sudo npm run setup), or do it yourself:"
  fi
  say "  - Docker (Debian package docker.io, or Docker Engine), with its daemon running: dockerd (e.g. systemctl start docker)"
  say "  - nats-server (Debian package nats-server)"
  say "  - git"
  say "  - bubblewrap (the second sandbox driver, used where Docker is not)"
  say "  - mmdebstrap, to build the sandbox image as root: bash sandbox/image/build.sh"
  say "  - chromium at /usr/bin/chromium (Debian package chromium), for the viewer's browser tests"
  exit 1
}

install_packages() {
  local missing
  missing="$(missing_packages | tr '\n' ' ' | sed 's/ *$//')"
  if [ -z "$missing" ]; then
    say "packages: docker, nats-server, mmdebstrap, git, bubblewrap and chromium are present"
    return
  fi
  if ! is_root || ! is_debian; then explain_and_exit "missing: $missing"; fi
  say "packages: installing $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q </dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing </dev/null
}

pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

clear_stale_docker_state() {
  local pidfile=/var/run/docker.pid pid
  if [ -f "$pidfile" ]; then
    pid="$(tr -dc '0-9' <"$pidfile" || true)"
    if pid_alive "$pid"; then
      if [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ]; then
        say "docker: dockerd (pid $pid) is running but not answering yet"
        return 1
      fi
    fi
    say "docker: removing stale pid file $pidfile (pid ${pid:-?} is not a running dockerd)"
    rm -f "$pidfile"
  fi
  local cpid=/var/run/docker/containerd/containerd.pid
  if [ -f "$cpid" ] && ! pid_alive "$(tr -dc '0-9' <"$cpid" || true)"; then
    say "docker: removing stale containerd pid file $cpid"
    rm -f "$cpid"
  fi
  return 0
}

wait_for_docker() {
  local waited=0
  while ! docker_answers; do
    if [ "$waited" -ge "$DOCKERD_WAIT_SECONDS" ]; then return 1; fi
    sleep 2
    waited=$((waited + 2))
  done
}

start_docker() {
  if docker_answers; then
    say "docker: the daemon answers"
    return
  fi
  if ! is_root || ! is_debian; then explain_and_exit "no Docker daemon answers (docker info)"; fi
  local log_dir="$ROOT/.codecrew" log
  mkdir -p "$log_dir" 2>/dev/null || log_dir=/var/log
  log="$log_dir/dockerd.log"
  [ "$log_dir" = /var/log ] && log=/var/log/codecrew-dockerd.log

  if clear_stale_docker_state; then
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      say "docker: starting the docker service (systemctl start docker)"
      systemctl start docker </dev/null || say "docker: systemctl could not start it; starting dockerd directly"
    fi
    if ! docker_answers; then
      say "docker: starting dockerd in the background (log: $log)"
      # No bridge and no iptables: sandboxes use NetworkMode none, and this also
      # works in containers and VMs without netfilter.
      setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false </dev/null >>"$log" 2>&1 &
    fi
  fi
  say "docker: waiting up to ${DOCKERD_WAIT_SECONDS}s for the daemon to answer"
  if ! wait_for_docker; then
    say "docker: the daemon did not answer; the end of $log:"
    tail -n 20 "$log" 2>/dev/null | sed 's/^/setup:   /' || true
    fail "start dockerd yourself (dockerd --bridge=none --iptables=false --ip-masq=false) and run npm run setup again"
  fi
  say "docker: the daemon answers"
}

build_image() {
  local image
  image="$(bash "$BUILD_SCRIPT" --print-image)"
  if docker image inspect "$image" >/dev/null 2>&1; then
    say "sandbox image: $image is built"
    return
  fi
  if ! is_root; then explain_and_exit "the sandbox image $image is not built"; fi
  say "sandbox image: building $image (a few minutes, Debian packages only)"
  if ! bash "$BUILD_SCRIPT" </dev/null 2>&1 | sed 's/^/setup:   /'; then
    fail "building the sandbox image failed; see the output above"
  fi
  docker image inspect "$image" >/dev/null 2>&1 || fail "the sandbox image $image was not built; see the output above"
  say "sandbox image: $image is built"
}

# --- PostgreSQL: a cluster of its own ("codecrew"), on 127.0.0.1 only, with a role and a
# database "codecrew" (password "codecrew": a test database, reachable from this machine only).
# Its URL goes to .codecrew/env as CODECREW_TEST_DATABASE_URL, where the tests read it.

postgres_url() { printf 'postgres://codecrew:codecrew@127.0.0.1:%s/codecrew' "$1"; }
postgres_answers() { have psql && PGCONNECT_TIMEOUT=5 timeout 10 psql "$1" -Atqc 'SELECT 1' </dev/null >/dev/null 2>&1; }
# "version port status" of the codecrew cluster, nothing when there is none.
postgres_cluster() { pg_lsclusters --no-header 2>/dev/null | awk -v name="$POSTGRES_CLUSTER" '$2 == name { print $1, $3, $4; exit }' || true; }
newest_postgres_version() { find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1 || true; }
# SQL as the database superuser, over the Unix socket (peer authentication).
postgres_admin_sql() { runuser -u postgres -- psql -p "$1" -d postgres -Atq -v ON_ERROR_STOP=1 -c "$2" </dev/null; }

write_test_database_url() {
  mkdir -p "$(dirname "$ENV_FILE")"
  { grep -v '^CODECREW_TEST_DATABASE_URL=' "$ENV_FILE" 2>/dev/null || true; printf 'CODECREW_TEST_DATABASE_URL=%s\n' "$1"; } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

postgres_not_started() {
  # $1: why.
  say "postgres: $1"
  say "postgres: the PostgreSQL task store's tests need a PostgreSQL server (13 or newer). As root on Debian this script"
  say "  starts one; elsewhere start one yourself, run as its superuser:"
  say "    CREATE ROLE codecrew LOGIN PASSWORD 'codecrew'; CREATE DATABASE codecrew OWNER codecrew;"
  say "  and export CODECREW_TEST_DATABASE_URL=postgres://codecrew:codecrew@127.0.0.1:5432/codecrew"
  if [ "${CI:-}" = true ]; then fail "CI runs the PostgreSQL task store's tests and needs PostgreSQL"; fi
  say "postgres: skipped; outside CI the PostgreSQL task store's tests skip themselves"
}

start_postgres() {
  if [ -n "${CODECREW_TEST_DATABASE_URL:-}" ]; then
    say "postgres: the tests use CODECREW_TEST_DATABASE_URL from the environment"
    return
  fi
  local cluster version='' port="$POSTGRES_PORT" status='' url waited=0
  cluster="$(postgres_cluster)"
  if [ -n "$cluster" ]; then read -r version port status <<<"$cluster"; fi
  url="$(postgres_url "$port")"
  if postgres_answers "$url"; then
    say "postgres: $url answers"
    write_test_database_url "$url"
    return
  fi
  if ! is_root || ! is_debian; then postgres_not_started "nothing answers at $url"; return; fi
  if ! have pg_createcluster || ! have psql || [ -z "$(newest_postgres_version)" ]; then
    say "packages: installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null
    apt-get install -y -q --no-install-recommends postgresql postgresql-client </dev/null
  fi
  if [ -z "$cluster" ]; then
    version="$(newest_postgres_version)"
    say "postgres: creating the cluster $version/$POSTGRES_CLUSTER on 127.0.0.1:$port"
    pg_createcluster --quiet --port "$port" --start-conf manual \
      "$version" "$POSTGRES_CLUSTER" -- --auth-local=peer --auth-host=scram-sha-256 </dev/null
    status=down
  fi
  local listen="/etc/postgresql/$version/$POSTGRES_CLUSTER/conf.d/codecrew-listen.conf"
  if [ ! -f "$listen" ]; then
    mkdir -p "$(dirname "$listen")"
    printf "# Written by codecrew's setup: loopback only.\nlisten_addresses = '127.0.0.1'\n" >"$listen"
    if [ "$status" = online ]; then pg_ctlcluster "$version" "$POSTGRES_CLUSTER" restart </dev/null; fi
  fi
  if [ "$status" != online ]; then
    say "postgres: starting the cluster $version/$POSTGRES_CLUSTER (pg_ctlcluster)"
    pg_ctlcluster "$version" "$POSTGRES_CLUSTER" start </dev/null ||
      fail "PostgreSQL did not start; see /var/log/postgresql/postgresql-$version-$POSTGRES_CLUSTER.log"
  fi
  postgres_admin_sql "$port" "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'codecrew') THEN CREATE ROLE codecrew; END IF;
    END \$\$; SET password_encryption = 'scram-sha-256'; ALTER ROLE codecrew WITH LOGIN PASSWORD 'codecrew';" >/dev/null
  if [ "$(postgres_admin_sql "$port" "SELECT 1 FROM pg_database WHERE datname = 'codecrew'")" != 1 ]; then
    postgres_admin_sql "$port" 'CREATE DATABASE codecrew OWNER codecrew' >/dev/null
  fi
  while ! postgres_answers "$url"; do
    if [ "$waited" -ge 30 ]; then fail "PostgreSQL runs but $url does not answer"; fi
    sleep 1
    waited=$((waited + 1))
  done
  write_test_database_url "$url"
  say "postgres: $url answers (cluster $version/$POSTGRES_CLUSTER; start it again with pg_ctlcluster $version $POSTGRES_CLUSTER start or npm run setup)"
}

# The trace viewer's static files (packages/viewer/dist/app), served by codecrew serve and codecrew view.
build_viewer() {
  if [ ! -e "$ROOT/node_modules/vite" ]; then
    say "viewer: not built, its build tools are missing: run npm install (or npm ci), then npm run setup again"
    return
  fi
  say "viewer: building packages/viewer/dist/app"
  (cd "$ROOT" && npm run build --silent -w @codecrew/viewer >/dev/null) || fail "the viewer's build failed: run npm run build -w @codecrew/viewer to see why"
}

say "checking this machine for codecrew (repo: $ROOT)"
install_packages
build_viewer
start_docker
start_postgres
if [ "$with_image" = 1 ]; then build_image; else say "sandbox image: skipped (--no-image)"; fi
say "ready"
