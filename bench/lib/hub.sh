# bench/lib/hub.sh — a throw-away hub for the scripts of bench/ (compare, flood, soak): a fresh
# PKI, pse-broker with the bench policy and pse-bench-provider, in a temp dir on free loopback
# ports, all stopped on exit. Sourced, not run. The caller sets `build` (where the programs were
# built) and may set `out` (a directory to keep the logs in) before calling hub_begin.

die() { echo "${0##*/}: $*" >&2; exit 2; }

# hub_begin NAME: checks the programs, makes the temp dir and installs the cleanup trap.
hub_begin() {
  broker=$build/broker/pse-broker
  audit=$build/clients/pse-audit/pse-audit
  load=$build/bench/load/pse-load
  provider=$build/bench/load/pse-bench-provider
  local program
  for program in "$broker" "$audit" "$load" "$provider"; do
    [ -x "$program" ] || die "$program is missing: build it first (see bench/README.md)"
  done
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/pse-$1.XXXXXX")
  pids=()
  taken=" "
  trap hub_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Stops every process the script started (TERM, then KILL after 5 s), keeps the logs when
# asked, and removes the temp dir.
hub_cleanup() {
  local status=$?
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ $status -ne 0 ]; then
    for log in "$tmp"/*.log "$tmp"/nginx/error.log; do
      [ -s "$log" ] && { echo "--- $log (last lines)" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  if [ -n "${out:-}" ]; then mkdir -p "$out" && cp -r "$tmp"/. "$out"/ 2>/dev/null || true; fi
  rm -rf "$tmp"
  exit $status
}

# A free loopback port: one nothing answers on, not already taken by this run.
free_port() {
  local port
  for _ in $(seq 200); do
    # Below Linux's ephemeral range (32768+): a port there may be the local end of one of the
    # load's own connections, which nothing "answers on" but which a listener cannot take.
    port=$((20000 + RANDOM % 12000))
    case $taken in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      taken+="$port "
      echo "$port"
      return
    fi
  done
  die "no free loopback port found"
}

# wait_for SECONDS DESCRIPTION COMMAND…: polls COMMAND every 0.1 s.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local tries=$((seconds * 10))
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$what not ready after ${seconds} s"
}

# hub_start [LIMITS_YAML]: the PKI, the broker (its `limits:` section given, or the bench's)
# and the provider, then one real exchange, kept in $tmp/record.json. Sets pki, broker_port,
# admin_port, broker_pid, provider_pid, client (pse-load's TLS arguments), tls_client (curl's)
# and exchange_body.
hub_start() {
  local limits=${1:-"limits:
  max_connections: 4096
  max_connections_per_org: 4096     # the load is one organisation from one address
  max_handshakes: 4096
  max_handshakes_per_address: 4096
  max_in_flight_per_org: 100000
  exchange_rate_per_org: 1000000    # one consumer org is the whole load here
  exchange_burst_per_org: 1000000"}
  root=${root:?}
  pki=$tmp/pki
  "$root/certs/pse-pki" init --dir "$pki" >/dev/null
  "$root/certs/pse-pki" issue-server --dir "$pki" --name broker --dns localhost --ip 127.0.0.1 >/dev/null
  local org
  for org in ramq etat-civil services-quebec; do
    "$root/certs/pse-pki" issue-org --dir "$pki" --org "$org" >/dev/null
  done
  "$audit" keygen --dir "$pki/keys" >/dev/null
  (umask 077 && openssl rand -base64 32 > "$pki/keys/queue-q1.key")  # the delivery queue's key
  # État civil's Ed25519 signing key: identity.birth is rated integrity élevé, so the shipped
  # classification makes its provider sign every record (pse-bench-provider reads the seed
  # from PSE_BENCH_SIGNING_KEY). HUB_UNSIGNED=1 runs the same hub without signatures, for A/B.
  local pem
  mkdir -p "$pki/keys/signing"
  pem=$(openssl genpkey -algorithm ED25519)
  (umask 077 && openssl pkey -outform DER <<<"$pem" | tail -c 32 | base64 >"$pki/etat-civil.sign.key")
  openssl pkey -pubout -outform DER <<<"$pem" | tail -c 32 | base64 >"$pki/keys/signing/etat-civil.pub"
  export PSE_BENCH_SIGNING_KEY=$pki/etat-civil.sign.key
  classification=$root/config/classification.yaml
  if [ "${HUB_UNSIGNED:-0}" = 1 ]; then
    classification=$tmp/classification-unsigned.yaml
    grep -v '^signed_integrity_from:' "$root/config/classification.yaml" >"$classification"
  fi

  broker_port=$(free_port)
  admin_port=$(free_port)

  # ramq may receive every field of identity.birth on a legal basis, with no rate limit; a
  # consent-based rule with a purpose nobody consented to gives consent_missing; any other
  # purpose gives purpose_not_allowed.
  cat >"$tmp/policies.yaml" <<'YAML'
rules:
  - id: bench-birth-law
    description: bench — allowed on a legal basis, no rate limit
    consumer: ramq
    provider: etat-civil
    category: identity.birth
    purposes: [health_insurance_registration]
    basis: law
    legal_reference: "bench"
    fields: [surname, given_names, sex, birth_date, birth_place, parents_names]

  - id: bench-birth-consent
    description: bench — needs a consent that no subject gave
    consumer: ramq
    provider: etat-civil
    category: identity.birth
    purposes: [bench_consent_check]
    basis: consent
    fields: [surname, given_names, birth_date]
YAML
  workers=2
  cat >"$tmp/broker.yaml" <<YAML
trust_domain: pse.gouv.qc.ca
listen: {address: 127.0.0.1, port: $broker_port}
admin: {address: 127.0.0.1, port: $admin_port}
tls:
  ca: $pki/ca.crt
  crl: $pki/crl.pem
  cert: $pki/servers/broker.crt
  key: $pki/servers/broker.key
  min_version: "1.3"
orgs: $root/config/orgs.yaml
classification: $classification
policies: $tmp/policies.yaml
store: {backend: sqlite, data_dir: $tmp/var}
keys_dir: $pki/keys
$limits
threads: $workers
log_level: warn
YAML
  "$broker" --config "$tmp/broker.yaml" >"$tmp/broker.log" 2>&1 &
  broker_pid=$!
  pids+=("$broker_pid")
  wait_for 15 "pse-broker" curl -sf "http://127.0.0.1:$admin_port/readyz"
  hub_start_provider

  # One real exchange: it checks the chain end to end.
  tls_client=(--cacert "$pki/ca.crt" --cert "$pki/orgs/ramq.crt" --key "$pki/orgs/ramq.key")
  exchange_body='{"subject":"QC-BENCH-000000","provider":"etat-civil","category":"identity.birth","purpose":"health_insurance_registration"}'
  curl -sSf "${tls_client[@]}" --resolve "localhost:$broker_port:127.0.0.1" \
    -H 'Content-Type: application/json' -d "$exchange_body" \
    "https://localhost:$broker_port/v1/exchange" >"$tmp/record.json" ||
    die "the first exchange through PSE failed"
  client=(--ca "$pki/ca.crt" --cert "$pki/orgs/ramq.crt" --key "$pki/orgs/ramq.key" --server-name localhost)
}

# hub_start_provider: (another) pse-bench-provider connector for etat-civil; sets provider_pid.
hub_start_provider() {
  local log=$tmp/provider-${#pids[@]}.log
  "$provider" "$pki/ca.crt" "$pki/orgs/etat-civil.crt" "$pki/orgs/etat-civil.key" 127.0.0.1 "$broker_port" \
    >"$log" 2>&1 &
  provider_pid=$!
  pids+=("$provider_pid")
  wait_for 15 "pse-bench-provider" grep -q '^ready' "$log"
}

# run NAME pse-load-arguments…: runs pse-load, keeps its JSON and prints its RESULT line.
run() {
  local name=$1
  shift
  if ! "$load" "$@" --json "$tmp/$name.json" >"$tmp/$name.txt" 2>&1; then
    cat "$tmp/$name.txt" >&2
    die "pse-load failed for $name"
  fi
  grep '^RESULT' "$tmp/$name.txt" | sed "s/^RESULT/$name/"
}

# value NAME KEY: one figure of a run's RESULT line.
value() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$tmp/$1.txt"; }
# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# rss_kib PID: resident memory of a process, in KiB.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
