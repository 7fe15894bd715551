#!/usr/bin/env bash
# Prepares this machine to run codecrew: the packages it needs (docker.io,
# nats-server, mmdebstrap, git, bubblewrap), a running Docker daemon, and the sandbox image.
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
  exit 1
}

install_packages() {
  local missing
  missing="$(missing_packages | tr '\n' ' ' | sed 's/ *$//')"
  if [ -z "$missing" ]; then
    say "packages: docker, nats-server, mmdebstrap, git and bubblewrap are present"
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

say "checking this machine for codecrew (repo: $ROOT)"
install_packages
start_docker
if [ "$with_image" = 1 ]; then build_image; else say "sandbox image: skipped (--no-image)"; fi
say "ready"
