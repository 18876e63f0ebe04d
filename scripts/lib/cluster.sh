# shellcheck shell=bash disable=SC2154  # $root, $run, $bin and $certs are the sourcing script's
# Sourced by scripts/cluster and scripts/chaos (from the repository's root): the local hub's
# processes, on loopback — a PostgreSQL 15 primary with a synchronous standby, three pse-broker
# processes on that store, État civil's pse-connector(s) connected to every broker, HAProxy
# passing TLS through to the brokers on one port. Run state (configurations, logs, pids, the
# password) is in $run, deleted by cluster_stop; the PostgreSQL data directories are
# scripts/pg-cluster's.
#
# After cluster_start: $front (HAProxy's port), ports[], admins[], broker_pids[] (index i-1 for
# broker-i), $conninfo, $primary_port, $standby_port.

fail() { echo "$(basename "$0"): $*" >&2; exit 1; }
elapsed_ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }   # since a `date +%s%N`

# A process of ours is alive (a zombie child, e.g. a killed broker, is not).
alive() { [ -e "/proc/$1" ] && ! grep -qs '^State:.*Z' "/proc/$1/status"; }

# Stops what $run names: SIGTERM to every process (the brokers drain), SIGKILL to any still
# there after 15 s (above the brokers' drain_timeout_ms), then the PostgreSQL pair.
cluster_stop() {
  [ -d "$run" ] || return 0
  local pids=() pid
  if [ -f "$run/pids" ]; then
    while read -r pid; do
      # Only a process started on this run directory: a pid may have been reused since.
      if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$run/"; then pids+=("$pid"); fi
    done <"$run/pids"
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 150); do
    local left=0
    for pid in "${pids[@]}"; do alive "$pid" && left=1; done
    [ $left -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do alive "$pid" && { echo "$pid did not stop, killed"; kill -KILL "$pid"; }; done
  wait 2>/dev/null || true
  scripts/pg-cluster stop "$run/pg-standby"
  scripts/pg-cluster stop "$run/pg-primary"
  rm -rf "$run"
}

# On failure, what the processes said, before the run directory goes.
cluster_on_exit() {
  local status=$?
  set +e   # clean up whatever else fails
  if [ $status -ne 0 ] && [ -d "$run" ]; then
    for log in "$run"/*.log; do
      [ -f "$log" ] || continue
      echo "--- $log (last lines)" >&2
      tail -n 15 "$log" >&2
    done
  fi
  cluster_stop
  exit $status
}

# Free loopback ports, chosen now below the kernel's ephemeral range: a broker restarted on its
# port must find it free, and a port in that range may meanwhile be the local end of one of the
# load's own connections. Only another program picking the same number can take one.
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
    first_ephemeral = int(f.read().split()[0])
chosen = []
while len(chosen) < int(sys.argv[1]):
    port = random.randint(10000, first_ephemeral - 1)
    if port in chosen:
        continue
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    chosen.append(port)
print(" ".join(str(p) for p in chosen))
PY
}

# fill TEMPLATE NAME=VALUE...: the template with each placeholder @NAME@ replaced by VALUE.
fill() {
  local template=$1 text pair
  text=$(cat "$template")
  shift
  for pair in "$@"; do text=${text//@${pair%%=*}@/${pair#*=}}; done
  [[ $text != *@[A-Z_0-9]*@* ]] || fail "$template: a placeholder is left unfilled"
  printf '%s\n' "$text"
}

psql_on() { PGPASSWORD=$(cat "$run/pg-password") psql -X -q -At -h 127.0.0.1 -p "$1" -U pse -d pse -c "$2"; }
metrics() { curl -s "http://127.0.0.1:${admins[$1-1]}/metrics"; }
# Each server's status in HAProxy's eyes (UP, DOWN, "UP 1/2" while a check is changing it).
servers() { curl -s "http://127.0.0.1:$stats/stats;csv" | awk -F, '$1 == "brokers" && $2 ~ /^broker-/ { print $2 ": " $18 }'; }
audit_verify() {
  "$bin/clients/pse-audit/pse-audit" verify --db "$conninfo" --password-file "$run/pg-password" --key-dir "$certs/keys"
}

# broker_start I: broker-I from its configuration, in the background (its pid in broker_pids).
broker_start() {
  "$bin/broker/pse-broker" --config "$run/broker-$1.yaml" >>"$run/broker-$1.log" 2>&1 &
  broker_pids[$1-1]=$!
  echo "$!" >>"$run/pids"
}

# broker_wait_ready I: until broker-I's /readyz answers 200 (30 s at most).
broker_wait_ready() {
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:${admins[$1-1]}/readyz" >/dev/null 2>&1 && return 0
    alive "${broker_pids[$1-1]}" || fail "broker-$1 failed to start"
    sleep 0.1
  done
  fail "broker-$1 is not ready after 30 s"
}

# haproxy_wait I STATE: until HAProxy sees broker-I in STATE (UP or DOWN; 20 s at most).
haproxy_wait() {
  for _ in $(seq 200); do
    servers | grep -q "^broker-$1: $2\$" && return 0
    sleep 0.1
  done
  fail "HAProxy does not see broker-$1 $2"
}

# connector_config FILE DROP: a copy of config/connectors/etat-civil.yaml that lists the three
# brokers, makes its paths absolute and drops batch files under DROP.
connector_config() {
  python3 - config/connectors/etat-civil.yaml "$1" "$2" \
    "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" <<'PY'
import os, re, sys
source, target, drop, brokers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
here = os.path.dirname(os.path.abspath(source))
# The keys that hold paths, by their place in the file (a `key:` under `source:` is a field).
paths = {"tls.ca", "tls.cert", "tls.key", "tls.signing_key", "classification", "serve.source.copybook", "serve.source.data",
         "batch.source.copybook"}
out, stack, skipping = [], [], False
for line in open(source).read().splitlines():
    m = re.match(r"^(\s*)(- )?([a-z_]+):\s*([^#\s]*)", line)
    if m:
        indent = len(m.group(1)) + (2 if m.group(2) else 0)
        stack = [(i, k) for i, k in stack if i < indent] + [(indent, m.group(3))]
        where, value = ".".join(k for _, k in stack), m.group(4)
        if indent == 0:
            skipping = where == "broker"
            if skipping:
                out.append("broker:\n  brokers: [%s]" % ", ".join('"%s"' % b for b in brokers))
        if where in paths and value:
            line = line.replace(value, os.path.normpath(os.path.join(here, value)), 1)
        elif where == "batch.folder":
            line = line.replace(value, os.path.join(drop, os.path.basename(value)), 1)
    if not skipping:
        out.append(line)
open(target, "w").write("\n".join(out) + "\n")
PY
}

# cluster_start [CONNECTORS]: the whole hub, as the header says, with CONNECTORS (default 1)
# pse-connector processes for État civil, each connected to every broker.
cluster_start() {
  local connectors=${1:-1} i
  cluster_stop   # what an earlier --keep or an interrupted run left
  mkdir -p "$run"

  step "PostgreSQL 15: a primary and a synchronous standby (scripts/pg-cluster, $(basename "$run")/pg-*)"
  scripts/pg-cluster start "$run/pg-primary"
  scripts/pg-cluster standby "$run/pg-primary" "$run/pg-standby"
  pg_port() { sed -E 's/.*port=([0-9]+).*/\1/' "$1/conninfo"; }
  primary_port=$(pg_port "$run/pg-primary")
  standby_port=$(pg_port "$run/pg-standby")
  # The password of user pse (the same on both servers), kept beside them: the primary's
  # directory goes with it in a failover.
  cp "$run/pg-primary/password" "$run/pg-password"
  # Both servers, whichever is which: libpq takes the first that accepts writes, so after a
  # promotion the brokers reconnect to the former standby with the same string.
  conninfo="host=127.0.0.1,127.0.0.1 port=$primary_port,$standby_port dbname=pse user=pse"
  conninfo+=" target_session_attrs=read-write connect_timeout=5"
  echo "primary's synchronous_standby_names: $(psql_on "$primary_port" 'SHOW synchronous_standby_names')"

  local port_1 port_2 port_3 admin_1 admin_2 admin_3
  read -r port_1 port_2 port_3 admin_1 admin_2 admin_3 front stats <<<"$(free_ports 8)"
  ports=("$port_1" "$port_2" "$port_3")
  admins=("$admin_1" "$admin_2" "$admin_3")

  step "Three pse-broker processes on that store (config/cluster/broker.yaml)"
  broker_pids=()
  for i in 1 2 3; do
    fill config/cluster/broker.yaml ROOT="$root" PORT="${ports[i-1]}" ADMIN_PORT="${admins[i-1]}" \
      CONNINFO="$conninfo" PASSWORD_FILE="$run/pg-password" >"$run/broker-$i.yaml"
    broker_start "$i"
  done
  for i in 1 2 3; do
    broker_wait_ready "$i"
    echo "broker-$i: mTLS 127.0.0.1:${ports[i-1]}, admin 127.0.0.1:${admins[i-1]}, /readyz $(curl -s "http://127.0.0.1:${admins[i-1]}/readyz")"
  done

  step "État civil's pse-connector ×$connectors, each connected to every broker (copies of config/connectors/etat-civil.yaml)"
  for i in $(seq "$connectors"); do
    connector_config "$run/etat-civil-$i.yaml" "$run/connectors-$i"
    "$bin/adapters/connector/pse-connector" --config "$run/etat-civil-$i.yaml" --check >/dev/null
    "$bin/adapters/connector/pse-connector" --config "$run/etat-civil-$i.yaml" >"$run/connector-$i.log" 2>&1 &
    echo "$!" >>"$run/pids"
  done
  grep -A1 '^broker:' "$run/etat-civil-1.yaml"
  for i in 1 2 3; do
    for _ in $(seq 100); do
      metrics "$i" | grep -q "^pse_connectors_open $connectors" && break
      sleep 0.1
    done
    echo "broker-$i: $(metrics "$i" | grep '^pse_connectors_open')"
  done

  step "HAProxy: TCP passthrough on 127.0.0.1:$front, /readyz checks on each admin port (config/cluster/haproxy.cfg)"
  fill config/cluster/haproxy.cfg FRONT_PORT="$front" STATS_PORT="$stats" \
    PORT_1="$port_1" PORT_2="$port_2" PORT_3="$port_3" \
    ADMIN_PORT_1="$admin_1" ADMIN_PORT_2="$admin_2" ADMIN_PORT_3="$admin_3" >"$run/haproxy.cfg"
  haproxy -q -c -f "$run/haproxy.cfg"
  haproxy -db -f "$run/haproxy.cfg" >"$run/haproxy.log" 2>&1 &
  echo "$!" >>"$run/pids"
  for i in 1 2 3; do haproxy_wait "$i" UP; done
  servers
}
