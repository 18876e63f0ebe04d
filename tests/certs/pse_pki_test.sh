#!/usr/bin/env bash
# End-to-end test of certs/pse-pki: runs the real script and checks its results with the
# openssl command line (x509 -text, verify, crl).
#
# usage: tests/certs/pse_pki_test.sh [PATH-TO-pse-pki]
# Prints one line per case and ends with "N passed, M failed"; exits 1 on any failure.
#
# No `set -e` here on purpose: each case runs in a subshell and reports failure by exiting
# non-zero from an assertion, and set -e is silently disabled in that kind of context.
set -uo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
PKI=${1:-$HERE/../../certs/pse-pki}
[[ -x $PKI ]] || { echo "pse-pki not found or not executable: $PKI" >&2; exit 2; }
PKI=$(cd -- "$(dirname -- "$PKI")" && pwd)/$(basename -- "$PKI")

W=$(mktemp -d)
trap 'rm -rf -- "$W"' EXIT

# ---------------------------------------------------------------------------------------
# Helpers. Inside a case, a failed assertion prints why and exits the case's subshell.

fail() {
    printf '    %s\n' "$@" >&2
    exit 1
}

# pki ARGS...: run pse-pki; sets RC, OUT, ERR.
pki() {
    "$PKI" "$@" >"$W/.out" 2>"$W/.err"
    RC=$?
    OUT=$(<"$W/.out")
    ERR=$(<"$W/.err")
}

expect_rc() {
    [[ $RC == "$1" ]] || fail "expected exit $1, got $RC" "stdout: $OUT" "stderr: $ERR"
}

# expect_error: exit 2 and exactly one stderr line, starting with the standard prefix.
expect_error() {
    expect_rc 2
    [[ $ERR == "pse-pki: error: "* ]] || fail "stderr does not start with 'pse-pki: error: ': $ERR"
    [[ $ERR != *$'\n'* ]] || fail "stderr is not a single line: $ERR"
}

contains() { # HAYSTACK NEEDLE
    [[ $1 == *"$2"* ]] || fail "expected to find: $2" "in: $1"
}

lacks() { # HAYSTACK NEEDLE
    [[ $1 != *"$2"* ]] || fail "did not expect: $2" "in: $1"
}

mode_is() { # FILE MODE
    local m
    m=$(stat -c %a -- "$1") || fail "missing file $1"
    [[ $m == "$2" ]] || fail "$1 has mode $m, expected $2"
}

# new_ca NAME [INIT-ARGS...]: a fresh CA in $W/NAME; echoes nothing, sets CA.
new_ca() {
    CA=$W/$1
    shift
    pki init --dir "$CA" "$@"
    [[ $RC == 0 ]] || fail "init failed: $ERR"
}

issue_org() { # ORG [ARGS...]
    local org=$1
    shift
    pki issue-org --dir "$CA" --org "$org" "$@"
    [[ $RC == 0 ]] || fail "issue-org $org failed: $ERR"
}

# verify CERT [EXTRA-VERIFY-ARGS...]: sets VRC and VOUT.
verify() {
    local cert=$1
    shift
    VOUT=$(openssl verify -CAfile "$CA/ca.crt" "$@" "$cert" 2>&1)
    VRC=$?
}

# ---------------------------------------------------------------------------------------
# Cases

t_init_files_and_ca_properties() {
    new_ca ca
    local f
    for f in ca.key ca.crt index.txt index.txt.attr serial crlnumber openssl.cnf trust-domain crl.pem; do
        [[ -f $CA/$f ]] || fail "init did not create $f"
        contains "$OUT" "wrote $CA/$f"
    done
    mode_is "$CA/ca.key" 600
    mode_is "$CA/ca.crt" 644
    mode_is "$CA/crl.pem" 644
    contains "$(cat "$CA/index.txt.attr")" "unique_subject = no"
    [[ $(<"$CA/trust-domain") == pse.gouv.qc.ca ]] || fail "trust-domain is not the default"
    lacks "$OUT" "PRIVATE KEY"

    local text
    text=$(openssl x509 -in "$CA/ca.crt" -noout -text -nameopt RFC2253) || fail "ca.crt is not PEM"
    contains "$text" "Subject: CN=PSE Platform CA (pse.gouv.qc.ca)"
    contains "$text" "X509v3 Basic Constraints: critical"
    contains "$text" "CA:TRUE, pathlen:0"
    contains "$text" "X509v3 Key Usage: critical"
    contains "$text" "Certificate Sign, CRL Sign"
    contains "$text" "NIST CURVE: P-256"
    contains "$text" "Signature Algorithm: ecdsa-with-SHA256"
    # self-signed, and valid for 3650 days (not 3651)
    openssl verify -CAfile "$CA/ca.crt" "$CA/ca.crt" >/dev/null 2>&1 || fail "ca.crt is not self-signed"
    openssl x509 -in "$CA/ca.crt" -noout -checkend $((3649 * 86400)) >/dev/null || fail "CA valid < 3649 days"
    ! openssl x509 -in "$CA/ca.crt" -noout -checkend $((3651 * 86400)) >/dev/null || fail "CA valid > 3650 days"
    # the key is the certificate's key
    [[ $(openssl pkey -in "$CA/ca.key" -pubout) == $(openssl x509 -in "$CA/ca.crt" -noout -pubkey) ]] ||
        fail "ca.key does not match ca.crt"
    # and the initial CRL is signed by the CA
    openssl crl -in "$CA/crl.pem" -CAfile "$CA/ca.crt" -noout >/dev/null 2>&1 || fail "initial CRL does not verify"
}

t_init_refuses_existing_ca_and_bad_input() {
    new_ca ca
    local before
    before=$(sha256sum "$CA/ca.key" "$CA/ca.crt")
    pki init --dir "$CA"
    expect_error
    contains "$ERR" "already exists"
    [[ $(sha256sum "$CA/ca.key" "$CA/ca.crt") == "$before" ]] || fail "init overwrote the CA"

    mkdir -p "$W/full" && touch "$W/full/something"
    pki init --dir "$W/full"
    expect_error
    contains "$ERR" "not empty"

    local td
    for td in Pse.gouv.qc.ca 'a/b' 'a_b.ca' '' '-pse.ca' 'pse..ca'; do
        pki init --dir "$W/td" --trust-domain "$td"
        expect_error
        [[ ! -e $W/td/ca.key ]] || fail "init accepted trust domain '$td'"
    done
    pki init --dir "$W/days" --days abc
    expect_error

    # an existing empty directory is fine
    mkdir -p "$W/empty"
    pki init --dir "$W/empty" --days 30
    expect_rc 0
}

t_issue_org_uri_san_and_verifies() {
    new_ca ca
    issue_org ramq
    local crt=$CA/orgs/ramq.crt key=$CA/orgs/ramq.key
    mode_is "$key" 600
    mode_is "$crt" 644
    contains "$OUT" "wrote $crt"
    lacks "$OUT" "PRIVATE KEY"

    local san text
    san=$(openssl x509 -in "$crt" -noout -ext subjectAltName | tail -n +2 | sed 's/^ *//')
    [[ $san == "URI:spiffe://pse.gouv.qc.ca/org/ramq" ]] || fail "SAN is '$san'"
    text=$(openssl x509 -in "$crt" -noout -text -nameopt RFC2253)
    contains "$text" "Subject: CN=ramq,O=pse.gouv.qc.ca"
    contains "$text" "CA:FALSE"
    contains "$text" "X509v3 Key Usage: critical"
    contains "$text" "Digital Signature"
    contains "$text" "TLS Web Client Authentication"
    lacks "$text" "TLS Web Server Authentication"
    contains "$text" "NIST CURVE: P-256"
    contains "$text" "Signature Algorithm: ecdsa-with-SHA256"
    openssl x509 -in "$crt" -noout -checkend $((396 * 86400)) >/dev/null || fail "org cert valid < 396 days"
    ! openssl x509 -in "$crt" -noout -checkend $((398 * 86400)) >/dev/null || fail "org cert valid > 397 days"
    [[ $(openssl pkey -in "$key" -pubout) == $(openssl x509 -in "$crt" -noout -pubkey) ]] ||
        fail "key does not match certificate"

    verify "$crt" -purpose sslclient
    [[ $VRC == 0 ]] || fail "openssl verify failed: $VOUT"
    verify "$crt" -crl_check -CRLfile "$CA/crl.pem"
    [[ $VRC == 0 ]] || fail "openssl verify with CRL failed: $VOUT"
}

t_trust_domain_in_san() {
    new_ca ca --trust-domain test.example
    issue_org saaq
    local san
    san=$(openssl x509 -in "$CA/orgs/saaq.crt" -noout -ext subjectAltName | tail -n +2 | sed 's/^ *//')
    [[ $san == "URI:spiffe://test.example/org/saaq" ]] || fail "SAN is '$san'"
    contains "$(openssl x509 -in "$CA/ca.crt" -noout -subject)" "PSE Platform CA (test.example)"
}

t_bad_org_ids_refused() {
    new_ca ca
    local id long
    long=$(printf 'a%.0s' {1..64})
    for id in Bad a_b -x "" "$long" ../x 'a b' 'a/b' 'é'; do
        pki issue-org --dir "$CA" --org "$id"
        expect_error
        contains "$ERR" "a-z, 0-9 and '-'"
    done
    [[ ! -e $CA/orgs ]] || [[ -z $(ls -A "$CA/orgs") ]] || fail "a bad id left files behind"
    [[ ! -s $CA/index.txt ]] || fail "a bad id reached the CA database"
    # the longest valid id (63 characters) is accepted
    issue_org "${long:1}"
}

t_existing_org_refused() {
    new_ca ca
    issue_org ramq
    local before
    before=$(sha256sum "$CA/orgs/ramq.key" "$CA/orgs/ramq.crt")
    pki issue-org --dir "$CA" --org ramq
    expect_error
    contains "$ERR" "already exists"
    [[ $(sha256sum "$CA/orgs/ramq.key" "$CA/orgs/ramq.crt") == "$before" ]] || fail "org files were overwritten"
    # a lone key is enough to refuse
    touch "$CA/orgs/lone.key"
    pki issue-org --dir "$CA" --org lone
    expect_error
}

t_missing_ca_refused() {
    mkdir -p "$W/noca"
    local cmd
    for cmd in "issue-org --org ramq" "issue-server --name broker" "crl" "revoke --cert /etc/hostname"; do
        # shellcheck disable=SC2086 # split on purpose
        pki $cmd --dir "$W/noca"
        expect_error
        contains "$ERR" "no CA in $W/noca: run pse-pki init"
    done
}

t_issue_server_sans() {
    new_ca ca
    pki issue-server --dir "$CA" --name broker
    expect_rc 0
    local crt=$CA/servers/broker.crt san text
    mode_is "$CA/servers/broker.key" 600
    san=$(openssl x509 -in "$crt" -noout -ext subjectAltName | tail -n +2 | sed 's/^ *//')
    [[ $san == "DNS:localhost, IP Address:127.0.0.1, URI:spiffe://pse.gouv.qc.ca/broker/broker" ]] ||
        fail "default SANs are '$san'"
    text=$(openssl x509 -in "$crt" -noout -text -nameopt RFC2253)
    contains "$text" "Subject: CN=broker,O=pse.gouv.qc.ca"
    contains "$text" "TLS Web Server Authentication"
    lacks "$text" "TLS Web Client Authentication"
    contains "$text" "Digital Signature"
    verify "$crt" -purpose sslserver -verify_hostname localhost
    [[ $VRC == 0 ]] || fail "server cert does not verify for localhost: $VOUT"

    pki issue-server --dir "$CA" --name edge --dns pse.example.qc.ca --dns '*.pse.example.qc.ca' \
        --ip 192.0.2.10 --ip 2001:db8::1
    expect_rc 0
    san=$(openssl x509 -in "$CA/servers/edge.crt" -noout -ext subjectAltName | tail -n +2 | sed 's/^ *//')
    [[ $san == "DNS:pse.example.qc.ca, DNS:*.pse.example.qc.ca, IP Address:192.0.2.10, IP Address:2001:DB8:0:0:0:0:0:1, URI:spiffe://pse.gouv.qc.ca/broker/edge" ]] ||
        fail "SANs are '$san'"
    verify "$CA/servers/edge.crt" -verify_ip 192.0.2.10
    [[ $VRC == 0 ]] || fail "edge cert does not verify for its IP: $VOUT"

    local bad
    for bad in "--dns a,DNS:evil.example" "--dns a..b" "--ip 300.1.1.1" "--ip 1.2.3" "--ip localhost" "--name Bad"; do
        # shellcheck disable=SC2086 # split on purpose
        pki issue-server --dir "$CA" --name other $bad
        expect_error
    done
    [[ ! -e $CA/servers/other.crt ]] || fail "a bad SAN produced a certificate"
}

t_expired_certificate() {
    new_ca ca
    issue_org old --not-before 20200101000000Z --not-after 20210101000000Z
    verify "$CA/orgs/old.crt"
    [[ $VRC != 0 ]] || fail "expired certificate verified"
    contains "$VOUT" "certificate has expired"
    contains "$(openssl x509 -in "$CA/orgs/old.crt" -noout -enddate)" "Jan  1 00:00:00 2021 GMT"
}

t_not_yet_valid_certificate() {
    new_ca ca
    issue_org future --not-before 20980101000000Z --not-after 20990101000000Z
    verify "$CA/orgs/future.crt"
    [[ $VRC != 0 ]] || fail "not-yet-valid certificate verified"
    contains "$VOUT" "certificate is not yet valid"
}

t_validity_options_checked() {
    new_ca ca
    local args
    for args in "--not-before 20200101000000Z" \
        "--not-after 20200101000000Z" \
        "--not-before 2020-01-01 --not-after 20210101000000Z" \
        "--not-before 20200231000000Z --not-after 20210101000000Z" \
        "--not-before 20210101000000Z --not-after 20200101000000Z" \
        "--not-before 20200101000000Z --not-after 20210101000000Z --days 5" \
        "--days 0" "--days -3" "--days 12x" "--days 99999"; do
        # shellcheck disable=SC2086 # split on purpose
        pki issue-org --dir "$CA" --org x $args
        expect_error
    done
    [[ ! -e $CA/orgs/x.crt ]] || fail "a bad validity produced a certificate"
}

t_revoke_publishes_crl() {
    new_ca ca
    issue_org ramq
    issue_org saaq
    local serial
    serial=$(openssl x509 -in "$CA/orgs/ramq.crt" -noout -serial)
    serial=${serial#serial=}
    pki revoke --dir "$CA" --cert "$CA/orgs/ramq.crt" --reason keyCompromise
    expect_rc 0
    contains "$OUT" "revoked serial $serial"
    contains "$OUT" "$CA/crl.pem"

    verify "$CA/orgs/ramq.crt" -crl_check -CRLfile "$CA/crl.pem"
    [[ $VRC != 0 ]] || fail "revoked certificate verified"
    contains "$VOUT" "certificate revoked"
    verify "$CA/orgs/saaq.crt" -crl_check -CRLfile "$CA/crl.pem"
    [[ $VRC == 0 ]] || fail "other org no longer verifies: $VOUT"

    local crl
    crl=$(openssl crl -in "$CA/crl.pem" -noout -text)
    contains "$crl" "Serial Number: $serial"
    contains "$crl" "Key Compromise"

    # revocation with the default reason carries no reason code (RFC 5280 5.3.1)
    pki revoke --dir "$CA" --cert "$CA/orgs/saaq.crt"
    expect_rc 0
    crl=$(openssl crl -in "$CA/crl.pem" -noout -text)
    [[ $(grep -c "Serial Number:" <<<"$crl") == 2 ]] || fail "CRL should list 2 serials: $crl"
    [[ $(grep -c "CRL Reason Code" <<<"$crl") == 1 ]] || fail "only one entry should have a reason code"

    # an expired certificate can still be revoked
    issue_org old --not-before 20200101000000Z --not-after 20210101000000Z
    pki revoke --dir "$CA" --cert "$CA/orgs/old.crt" --reason cessationOfOperation
    expect_rc 0
}

t_revoke_twice_refused() {
    new_ca ca
    issue_org ramq
    pki revoke --dir "$CA" --cert "$CA/orgs/ramq.crt"
    expect_rc 0
    pki revoke --dir "$CA" --cert "$CA/orgs/ramq.crt"
    expect_error
    contains "$ERR" "already revoked"
}

t_revoke_foreign_or_bad_cert_refused() {
    new_ca other
    issue_org ramq
    local foreign=$CA/orgs/ramq.crt
    new_ca ca
    issue_org ramq
    local index_before
    index_before=$(cat "$CA/index.txt")

    pki revoke --dir "$CA" --cert "$foreign"
    expect_error
    contains "$ERR" "not issued by this CA"
    pki revoke --dir "$CA" --cert "$CA/ca.crt"
    expect_error
    pki revoke --dir "$CA" --cert "$W/does-not-exist.crt"
    expect_error
    pki revoke --dir "$CA" --cert "$CA/orgs/ramq.key"
    expect_error
    lacks "$ERR" "PRIVATE KEY"
    pki revoke --dir "$CA" --cert "$CA/orgs/ramq.crt" --reason certificateHold
    expect_error
    pki revoke --dir "$CA" --cert "$CA/orgs/ramq.crt" --reason bogus
    expect_error
    [[ $(cat "$CA/index.txt") == "$index_before" ]] || fail "a refused revocation changed the database"
}

t_crl_regenerates_with_next_number() {
    new_ca ca
    local n1 n2
    n1=$(openssl crl -in "$CA/crl.pem" -noout -crlnumber)
    pki crl --dir "$CA" --days 3
    expect_rc 0
    [[ $OUT == "wrote $CA/crl.pem" ]] || fail "unexpected output: $OUT"
    n2=$(openssl crl -in "$CA/crl.pem" -noout -crlnumber)
    n1=${n1#crlNumber=} n2=${n2#crlNumber=}   # printed as hexadecimal, 0x01
    ((16#${n2#0x} == 16#${n1#0x} + 1)) || fail "CRL number went from $n1 to $n2"
    mode_is "$CA/crl.pem" 644
    openssl crl -in "$CA/crl.pem" -CAfile "$CA/ca.crt" -noout >/dev/null 2>&1 || fail "CRL does not verify"

    local next secs
    next=$(openssl crl -in "$CA/crl.pem" -noout -nextupdate)
    secs=$(($(date -u -d "${next#nextUpdate=}" +%s) - $(date -u +%s)))
    ((secs > 3 * 86400 - 600 && secs <= 3 * 86400)) || fail "nextUpdate is not in 3 days: $next"

    pki crl --dir "$CA" --days 0
    expect_error
}

t_serials_random_and_distinct() {
    new_ca ca
    issue_org a
    issue_org b
    local s1 s2
    s1=$(openssl x509 -in "$CA/orgs/a.crt" -noout -serial)
    s2=$(openssl x509 -in "$CA/orgs/b.crt" -noout -serial)
    s1=${s1#serial=} s2=${s2#serial=}
    [[ $s1 != "$s2" ]] || fail "serials are equal"
    # at least 128 random bits (openssl draws 159); short only with negligible probability
    ((${#s1} >= 32 && ${#s2} >= 32)) || fail "serials are short: $s1 $s2"
}

t_usage_errors() {
    local args
    for args in "" "bogus" "init --bogus" "init" "init --dir" "issue-org --dir" \
        "issue-org --dir $W/x" "crl --dir $W/x --days" "revoke --dir $W/x" "help bogus"; do
        # shellcheck disable=SC2086 # split on purpose
        pki $args
        expect_error
    done
    pki bogus
    contains "$ERR" "--help"
}

t_help() {
    local cmd
    for cmd in "--help" "-h" "help" "help issue-org" "init --help" "issue-org --help" \
        "issue-server --help" "revoke --help" "crl --help"; do
        # shellcheck disable=SC2086 # split on purpose
        pki $cmd
        expect_rc 0
        contains "$OUT" "usage:"
        [[ -z $ERR ]] || fail "help wrote to stderr: $ERR"
    done
    pki --help
    local sub
    for sub in init issue-org issue-server revoke crl; do contains "$OUT" "pse-pki $sub"; done
}

# ---------------------------------------------------------------------------------------

CASES=(
    t_init_files_and_ca_properties
    t_init_refuses_existing_ca_and_bad_input
    t_issue_org_uri_san_and_verifies
    t_trust_domain_in_san
    t_bad_org_ids_refused
    t_existing_org_refused
    t_missing_ca_refused
    t_issue_server_sans
    t_expired_certificate
    t_not_yet_valid_certificate
    t_validity_options_checked
    t_revoke_publishes_crl
    t_revoke_twice_refused
    t_revoke_foreign_or_bad_cert_refused
    t_crl_regenerates_with_next_number
    t_serials_random_and_distinct
    t_usage_errors
    t_help
)

passed=0 failed=0
for t in "${CASES[@]}"; do
    # each case gets a clean scratch directory
    rm -rf -- "${W:?}"/* "${W:?}"/.out "${W:?}"/.err
    if ("$t"); then
        passed=$((passed + 1))
        echo "ok   ${t#t_}"
    else
        failed=$((failed + 1))
        echo "FAIL ${t#t_}"
    fi
done
echo "$passed passed, $failed failed"
((failed == 0))
