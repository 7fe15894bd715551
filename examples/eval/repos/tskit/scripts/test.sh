#!/bin/sh
# Compiles the named test files (all of test/*.test.ts when none is named) and
# the modules they import with tsc, then runs them with node's test runner.
# A type error fails the run, as a failing assertion does.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- test/*.test.ts
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tsc --strict --target es2022 --module es2022 --moduleResolution node \
  --rootDir . --outDir "$out" types/node-test.d.ts "$@"
echo '{ "type": "module" }' >"$out/package.json"
compiled=""
for file in "$@"; do
  compiled="$compiled $out/${file%.ts}.js"
done
# shellcheck disable=SC2086
node --test $compiled
