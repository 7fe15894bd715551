test_retry_succeeds_at_once() {
  assert_eq "$("$ROOT/bin/retry" 3 echo hi)" hi
}

test_retry_until_success() {
  local counter
  counter=$(mktemp)
  echo 0 >"$counter"
  # Fails twice, then succeeds.
  "$ROOT/bin/retry" 5 bash -c 'n=$(($(cat "$1") + 1)); echo $n >"$1"; [ $n -ge 3 ]' _ "$counter" 2>/dev/null &&
    assert_eq "$(cat "$counter")" 3
}

test_retry_usage() {
  ! "$ROOT/bin/retry" 0 true 2>/dev/null
}
