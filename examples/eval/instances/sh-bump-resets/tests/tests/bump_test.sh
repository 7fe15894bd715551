test_bump_patch() {
  assert_eq "$("$ROOT/bin/bump" patch 1.4.2)" 1.4.3
}

test_bump_accepts_a_v_prefix() {
  assert_eq "$("$ROOT/bin/bump" patch v0.9.9)" 0.9.10
}

test_bump_rejects_a_bad_version() {
  ! "$ROOT/bin/bump" patch 1.2 2>/dev/null
}

test_bump_minor_resets_patch() {
  assert_eq "$("$ROOT/bin/bump" minor 1.4.2)" 1.5.0
}

test_bump_major_resets_minor_and_patch() {
  assert_eq "$("$ROOT/bin/bump" major 1.4.2)" 2.0.0
  assert_eq "$("$ROOT/bin/bump" major v0.9.9)" 1.0.0
}
