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

test_envget_strips_double_quotes() {
  local file
  file=$(mktemp)
  printf 'GREETING="hello world"\nEMPTY=""\n' >"$file"
  assert_eq "$("$ROOT/bin/envget" GREETING "$file")" 'hello world'
  assert_eq "$("$ROOT/bin/envget" EMPTY "$file")" ''
}

test_envget_strips_single_quotes() {
  local file
  file=$(mktemp)
  printf "PATTERN='a \"b\" c'\n" >"$file"
  assert_eq "$("$ROOT/bin/envget" PATTERN "$file")" 'a "b" c'
}

test_envget_keeps_unmatched_quotes() {
  local file
  file=$(mktemp)
  printf 'A="open\nB=it'"'"'s\nC="x'"'"'\n' >"$file"
  assert_eq "$("$ROOT/bin/envget" A "$file")" '"open'
  assert_eq "$("$ROOT/bin/envget" B "$file")" "it's"
  assert_eq "$("$ROOT/bin/envget" C "$file")" "\"x'"
}
