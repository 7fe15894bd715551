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

test_retry_fails_when_every_attempt_fails() {
  local status=0
  "$ROOT/bin/retry" 2 false 2>/dev/null || status=$?
  [ "$status" -ne 0 ] || fail "retry exited 0 although every attempt failed"
}

test_retry_exits_with_the_last_status() {
  local status=0
  "$ROOT/bin/retry" 3 bash -c 'exit 7' 2>/dev/null || status=$?
  assert_eq "$status" 7
}

test_retry_runs_exactly_n_times() {
  local counter status=0
  counter=$(mktemp)
  echo 0 >"$counter"
  "$ROOT/bin/retry" 4 bash -c 'echo $(($(cat "$1") + 1)) >"$1"; exit 3' _ "$counter" 2>/dev/null || status=$?
  assert_eq "$(cat "$counter")" 4
  assert_eq "$status" 3
}
