#!/bin/sh
# mmdebstrap customize hook: $1 is the root of the new filesystem.
# Adds the unprivileged sandbox user and its empty workspace, and drops apt caches.
set -eu
root="$1"
: "${CREW_UID:?}" "${CREW_GID:?}" "${CREW_HOME:?}"
chroot "$root" groupadd --gid "$CREW_GID" crew
chroot "$root" useradd --uid "$CREW_UID" --gid "$CREW_GID" --home-dir "$CREW_HOME" --create-home --shell /bin/bash crew
mkdir -p "$root/workspace"
chown "$CREW_UID:$CREW_GID" "$root/workspace"
chmod 0755 "$root/workspace"
# Git refuses repositories owned by another uid; the workspace is always the crew's.
chroot "$root" git config --system --add safe.directory '*'
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
