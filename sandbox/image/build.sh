#!/usr/bin/env bash
# Builds the codecrew sandbox image offline from Debian packages (mmdebstrap +
# docker import), so no container registry is needed.
#
#   build.sh               build codecrew/sandbox:<tag> unless it exists
#   build.sh --force       build even if it exists
#   build.sh --print-tag   print <tag>: the first 12 hex of a sha256 over the recipe files
#   build.sh --print-image print codecrew/sandbox:<tag>
#
# The tag is computed as `sha256sum <RECIPE_FILES> | sha256sum` (run in this
# directory), cut to 12 hex digits; sandbox/src/image/tag.ts computes the same.
set -euo pipefail

IMAGE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE_REPO="codecrew/sandbox"
RECIPE_FILES=(recipe.env packages.txt customize.sh build.sh)

say() { printf 'sandbox-image: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

recipe_tag() {
  (cd "$IMAGE_DIR" && sha256sum "${RECIPE_FILES[@]}" | sha256sum | cut -c1-12)
}

force=0
case "${1:-}" in
  --print-tag) recipe_tag; exit 0 ;;
  --print-image) printf '%s:%s\n' "$IMAGE_REPO" "$(recipe_tag)"; exit 0 ;;
  --force) force=1 ;;
  '') ;;
  *) die "unknown argument '$1' (use --force, --print-tag or --print-image)" ;;
esac

image="$IMAGE_REPO:$(recipe_tag)"

command -v docker >/dev/null 2>&1 || die "the docker CLI is missing: install docker.io (npm run setup)"
docker info >/dev/null 2>&1 || die "no Docker daemon answers: start it (npm run setup)"

image_exists() { docker image inspect "$image" >/dev/null 2>&1; }

if [ "$force" = 0 ] && image_exists; then
  say "$image is already built"
  exit 0
fi

command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap is missing: apt-get install mmdebstrap (npm run setup)"
[ "$(id -u)" = 0 ] || die "building the image needs root (mmdebstrap chroot mode and chown)"

# Two builds at once (parallel test files, setup while tests run) would do the
# same two minutes of work twice; the second waits and then finds the image.
lock="${TMPDIR:-/tmp}/codecrew-sandbox-image.lock"
exec 9>"$lock"
if ! flock -n 9; then
  say "another build is running; waiting for it"
  flock 9
fi
if [ "$force" = 0 ] && image_exists; then
  say "$image was built meanwhile"
  exit 0
fi

# shellcheck source=recipe.env
. "$IMAGE_DIR/recipe.env"
include="$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$IMAGE_DIR/packages.txt" | tr -d ' \t' | paste -sd, -)"

work="$(mktemp -d "${TMPDIR:-/tmp}/codecrew-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "building $image from Debian $SUITE ($VARIANT + $include); this takes a few minutes"
hook="env CREW_UID=$CREW_UID CREW_GID=$CREW_GID CREW_HOME=$CREW_HOME sh '$IMAGE_DIR/customize.sh' \"\$1\""
mmdebstrap \
  --variant="$VARIANT" \
  --include="$include" \
  --customize-hook="$hook" \
  "$SUITE" "$work/rootfs.tar" "$MIRROR"

say "importing $work/rootfs.tar as $image"
docker import \
  --change "USER $CREW_UID:$CREW_GID" \
  --change "WORKDIR /workspace" \
  --change "ENV HOME=$CREW_HOME" \
  --change "ENV PATH=$IMAGE_PATH" \
  --change "ENV LANG=C.UTF-8" \
  --change 'CMD ["sleep", "infinity"]' \
  "$work/rootfs.tar" "$image" >/dev/null

say "built $image"
