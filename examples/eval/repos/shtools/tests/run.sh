#!/usr/bin/env bash
# Runs the test functions in tests/*_test.sh: all of them, or the ones named.
# Exit code 0 when every test that ran passed.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export ROOT
for file in tests/*_test.sh; do
  # shellcheck source=/dev/null
  source "$file"
done

# Test helpers: each fails the current test with a message.
fail() {
  echo "    $*" >&2
  return 1
}
assert_eq() {
  [ "$1" = "$2" ] || fail "expected '$2', got '$1'"
}

if [ $# -gt 0 ]; then
  names=("$@")
else
  mapfile -t names < <(declare -F | awk '$3 ~ /^test_/ { print $3 }')
fi

passed=0
failed=0
for name in "${names[@]}"; do
  if [ "$(type -t "$name")" != function ]; then
    echo "no such test: $name" >&2
    failed=$((failed + 1))
    continue
  fi
  # A subshell outside any condition, so that set -e stops the test at its
  # first failing command.
  (
    set -e
    "$name"
  )
  status=$?
  if [ "$status" = 0 ]; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
