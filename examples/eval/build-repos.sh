#!/usr/bin/env bash
# Builds each small repository of the eval instance set as a git bundle:
# repos/<name>/ (readable sources) -> repos/<name>.bundle, one commit on
# branch main. Author, committer, dates and file modes are fixed, so the
# commit id (each instance's base_commit) is the same on every machine.
#
#   bash examples/eval/build-repos.sh          build every bundle, print name and commit
#   bash examples/eval/build-repos.sh textops  build one
set -euo pipefail

EVAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPOS_DIR="$EVAL_DIR/repos"

export GIT_AUTHOR_NAME="codecrew eval"
export GIT_AUTHOR_EMAIL="eval@codecrew.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"
# Ignore the user's and the system's git configuration (hooks, signing, templates).
export GIT_CONFIG_GLOBAL=/dev/null
export GIT_CONFIG_NOSYSTEM=1

build() {
  local name=$1 source="$REPOS_DIR/$1" work
  [ -d "$source" ] || { echo "build-repos: no sources at $source" >&2; exit 1; }
  work=$(mktemp -d)
  cp -R "$source/." "$work/"
  (
    cd "$work"
    find . -name __pycache__ -type d -prune -exec rm -rf {} +
    # Only the executable bit is recorded by git; set it from the sources'
    # bin/ and scripts/ conventions rather than from the checkout's umask.
    find . -type f -exec chmod 644 {} +
    find . -type f \( -path './bin/*' -o -name '*.sh' \) -exec chmod 755 {} +
    git init -q -b main --template=
    git add -A
    git commit -q -m "$name: initial import"
    git bundle create -q "$REPOS_DIR/$name.bundle" HEAD main
    printf '%s %s\n' "$name" "$(git rev-parse HEAD)"
  )
  rm -rf "$work"
}

if [ $# -gt 0 ]; then
  for name in "$@"; do build "$name"; done
else
  for dir in "$REPOS_DIR"/*/; do build "$(basename "$dir")"; done
fi
