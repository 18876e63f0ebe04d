# shellcheck shell=bash disable=SC2154  # $bin and $certs are the sourcing script's
# Sourced by scripts/demo and scripts/cluster (from the repository's root): the build, and the
# exchange steps of the demo — Retraite Québec asks for a birth record, Services Québec records
# and revokes the citizen's consent — against any broker address (one broker, or HAProxy in front
# of several). Expects $bin (build/dev) and $certs (the development PKI, certs/dev).

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# build_dev TARGET...: the missing Debian packages, then these targets of the dev preset.
build_dev() {
  scripts/setup
  cmake --preset dev >/dev/null
  cmake --build --preset dev --target "$@"
}

# org ID: an organisation's certificate and key, as two words.
org() { echo "$certs/orgs/$1.crt $certs/orgs/$1.key"; }

# consumer HOST PORT: Retraite Québec asks for citizen QC-1957-0042's birth record
# (sdk/examples/consumer.cpp). Prints the record or the refusal; exit 0 answered, 1 refused.
consumer() {
  "$bin/sdk/examples/pse_example_consumer" "$certs/ca.crt" "$certs/orgs/retraite-quebec.crt" \
    "$certs/orgs/retraite-quebec.key" QC-1957-0042 "$1" "$2" "$certs/keys/signing"
}

consent_authority() {
  curl -sS --cacert "$certs/ca.crt" --cert "$certs/orgs/services-quebec.crt" --key "$certs/orgs/services-quebec.key" "$@"
}

# record_consent URL [CONSUMER PURPOSE FR EN]: Services Québec records the citizen's consent
# for Retraite Québec (or CONSUMER, for PURPOSE described by FR and EN) to receive their birth
# record; sets $consent (the broker's answer, with its signed receipt) and $consent_id.
record_consent() {
  local expires consumer=${2:-retraite-quebec} purpose=${3:-pension_eligibility}
  local fr=${4:-"Vérifier l'admissibilité à la rente de retraite"} en=${5:-"Check eligibility for the retirement pension"}
  expires=$(date -u -d '+90 days' +%F)
  consent=$(consent_authority -X POST "$1/v1/consents" -d @- <<JSON
{"subject": "QC-1957-0042", "provider": "etat-civil", "consumer": "$consumer",
 "categories": ["identity.birth"],
 "purpose": {"code": "$purpose", "fr": "$fr", "en": "$en"},
 "notice": {"reference": "AVIS-RQ-2026-03", "version": "1.2", "language": "fr"},
 "collection_method": "web-form", "expires_at": "$expires"}
JSON
  )
  consent_id=$(echo "$consent" | sed -E 's/.*"id":"(cns_[0-9a-f]+)".*/\1/')
  [[ $consent_id == cns_* ]] || { echo "the consent was not recorded: $consent" >&2; return 1; }
}

# revoke_consent URL ID: the citizen revokes the consent; prints its new state.
revoke_consent() {
  consent_authority -X POST "$1/v1/consents/$2/revoke" -d '{"subject": "QC-1957-0042", "method": "web-form"}' |
    sed -E 's/.*"state":"([a-z]+)".*/consent state: \1/'
}
