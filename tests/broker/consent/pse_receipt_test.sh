#!/usr/bin/env bash
# pse-receipt accepts a receipt the registry signed, and refuses an altered one or another key.
set -u
writer=$1
checker=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0
check() {  # name, expected exit code, command...
  local name=$1 expected=$2
  shift 2
  "$@" >"$dir/out" 2>"$dir/err"
  local code=$?
  if [ "$code" -eq "$expected" ]; then passed=$((passed + 1)); echo "ok   $name"
  else failed=$((failed + 1)); echo "FAIL $name: exit $code, expected $expected"; cat "$dir/err"; fi
}

"$writer" "$dir" || { echo "receipt writer failed"; exit 1; }
check "valid receipt from a file" 0 "$checker" verify --key "$dir/keys/audit-signing.pub" "$dir/receipt.jws"
grep -q '"piiPrincipalId":"QC-1957-0042"' "$dir/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL payload not printed"; }
check "valid receipt from stdin" 0 sh -c "\"$checker\" verify --key \"$dir/keys/audit-signing.pub\" < \"$dir/receipt.jws\""
# Flip one character of the payload (the middle part of the JWS).
sed 's/\.\(..\)./.\1Z/' "$dir/receipt.jws" > "$dir/altered.jws"
cmp -s "$dir/receipt.jws" "$dir/altered.jws" && { echo "FAIL could not alter"; failed=$((failed + 1)); }
check "altered receipt" 1 "$checker" verify --key "$dir/keys/audit-signing.pub" "$dir/altered.jws"
mkdir "$dir/other" && "$writer" "$dir/other" >/dev/null
check "another platform's key" 1 "$checker" verify --key "$dir/other/keys/audit-signing.pub" "$dir/receipt.jws"
check "missing key file" 2 "$checker" verify --key "$dir/nope.pub" "$dir/receipt.jws"
check "no command" 2 "$checker"
check "help" 0 "$checker" --help
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
