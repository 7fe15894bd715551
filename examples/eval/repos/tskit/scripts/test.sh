#!/bin/sh
# Compiles the named test files (all of test/*.test.ts when none is named) and
# the modules they import with tsc, then runs them with node's test runner.
# A type error fails the run, as a failing assertion does. Only the ES2022
# library is loaded (no DOM) and lib files are not checked again, which keeps
# a compile to a few seconds.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- test/*.test.ts
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tsc --strict --skipLibCheck --lib es2022 --target es2022 --module es2022 --moduleResolution node \
  --rootDir . --outDir "$out" types/node-test.d.ts "$@"
echo '{ "type": "module" }' >"$out/package.json"
compiled=""
for file in "$@"; do
  compiled="$compiled $out/${file%.ts}.js"
done
# shellcheck disable=SC2086
node --test $compiled
