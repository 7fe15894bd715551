test_envget_plain_value() {
  local file
  file=$(mktemp)
  printf '# settings\nexport NAME=demo\nPORT=8080\n' >"$file"
  assert_eq "$("$ROOT/bin/envget" PORT "$file")" 8080 && assert_eq "$("$ROOT/bin/envget" NAME "$file")" demo
}

test_envget_missing_key_fails() {
  local file
  file=$(mktemp)
  printf 'A=1\n' >"$file"
  ! "$ROOT/bin/envget" B "$file" 2>/dev/null
}

test_envget_value_with_equals() {
  local file
  file=$(mktemp)
  printf 'URL=http://x.test/?a=b\n' >"$file"
  assert_eq "$("$ROOT/bin/envget" URL "$file")" 'http://x.test/?a=b'
}
