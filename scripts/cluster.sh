#!/usr/bin/env bash
# A local cdrd cluster on loopback (docs/scale-out.md, "Local cluster"): two ClickHouse shards
# (two clickhouse-server processes, scripts/clickhouse-test.sh, one cluster `cdrd_cluster` in
# both configs), one throw-away PostgreSQL 15 (scripts/postgres-test.sh) for the control plane,
# and two `cdrd serve` nodes sharing both, every file under one directory.
#
#   cluster.sh start [DIR]          starts it all (DIR defaults to var/cluster), creates a demo
#                                   account and prints the nodes' URLs and the credentials;
#                                   DIR/env holds them as shell assignments. Exit 77 when
#                                   ClickHouse or PostgreSQL cannot be installed or started.
#                                   Run again on a started DIR, it prints the same (and starts a
#                                   node that died again).
#   cluster.sh status [DIR]         what runs, and each node's /readyz
#   cluster.sh stop [DIR]           stops it all and removes DIR
#   cluster.sh start-shards DIR     starts only the two ClickHouse shards, prints
#                                   "127.0.0.1:HTTP1,127.0.0.1:HTTP2" (stop removes them too)
#   cluster.sh start-node DIR N     (re)starts node N (1 or 2), e.g. after it was killed
#   cluster.sh stop-node DIR N      stops node N (SIGTERM)
#
# CDRD names the binary (default: build/cdrd, else build-test/cdrd).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "cluster: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ready() {  # ready PORT: true when cdrd answers /readyz with 200
  python3 - "$1" <<'PY' 2>/dev/null
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=2)
c.request("GET", "/readyz")
sys.exit(0 if c.getresponse().status == 200 else 1)
PY
}

alive() {  # alive PID: running, not a zombie (a killed node waits for its reaper meanwhile)
  kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

cdrd_binary() {
  if [[ -n ${CDRD:-} ]]; then echo "$CDRD"; return; fi
  for b in "$repo/build/cdrd" "$repo/build-test/cdrd"; do
    if [[ -x $b ]]; then echo "$b"; return; fi
  done
  log "no cdrd binary: build it (make build) or set CDRD"
  exit 2
}

# The --calls URL of node N: both shards, its own shard first (it takes that node's statements).
calls_url() {
  local dir=$1 n=$2 h1 h2
  h1=$(cat "$dir/ch1/http_port")
  h2=$(cat "$dir/ch2/http_port")
  if [[ $n == 1 ]]; then
    echo "clickhouse://127.0.0.1:$h1,127.0.0.1:$h2/cdrd?cluster=cdrd_cluster&node=1"
  else
    echo "clickhouse://127.0.0.1:$h2,127.0.0.1:$h1/cdrd?cluster=cdrd_cluster&node=2"
  fi
}

start_node() {
  local dir=$1 n=$2 cdrd
  cdrd=$(cdrd_binary)
  local node=$dir/node$n
  mkdir -p "$node"
  if [[ -f $node/pid ]] && alive "$(cat "$node/pid")"; then
    log "node $n runs already (pid $(cat "$node/pid"))"
    return 0
  fi
  # The same port again after a restart, so its URL stays the one printed.
  local port
  port=$(cat "$node/port" 2>/dev/null || free_port)
  echo "$port" >"$node/port"
  setsid "$cdrd" --data-dir "$node/data" --control "$(cat "$dir/control_url")" \
    --control-key-file "$dir/control.key" serve --port "$port" \
    --operator-key-file "$dir/operator.key" --calls "$(calls_url "$dir" "$n")" --no-access-log \
    >>"$node/log" 2>&1 </dev/null &
  echo $! >"$node/pid"
  for _ in $(seq 1 150); do
    if ready "$port"; then return 0; fi
    if ! alive "$(cat "$node/pid")"; then
      log "node $n exited:"
      tail -20 "$node/log" >&2
      return 1
    fi
    sleep 0.1
  done
  log "node $n did not become ready on 127.0.0.1:$port within 15 s"
  return 1
}

stop_node() {
  local dir=$1 n=$2
  local pidfile=$dir/node$n/pid
  [[ -f $pidfile ]] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      alive "$pid" || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# ClickHouse: two shards, each knowing both as the cluster cdrd_cluster (by their TCP ports).
# Prints the servers part of a --calls URL, "127.0.0.1:HTTP1,127.0.0.1:HTTP2".
start_shards() {
  local dir=$1
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local tcp1 tcp2
  tcp1=$(free_port)
  tcp2=$(free_port)
  for i in 1 2; do
    mkdir -p "$dir/ch$i/config.d"
    cat >"$dir/ch$i/config.d/cluster.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <remote_servers>
    <cdrd_cluster>
      <shard><replica><host>127.0.0.1</host><port>$tcp1</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$tcp2</port></replica></shard>
    </cdrd_cluster>
  </remote_servers>
</yandex>
XML
  done
  local rc=0
  CLICKHOUSE_TCP_PORT=$tcp1 bash "$repo/scripts/clickhouse-test.sh" start "$dir/ch1" >/dev/null ||
    rc=$?
  if [[ $rc == 0 ]]; then
    CLICKHOUSE_TCP_PORT=$tcp2 bash "$repo/scripts/clickhouse-test.sh" start "$dir/ch2" \
      >/dev/null || rc=$?
  fi
  if [[ $rc != 0 ]]; then
    log "ClickHouse could not be started"
    exit "$rc"
  fi

  echo "127.0.0.1:$(cat "$dir/ch1/http_port"),127.0.0.1:$(cat "$dir/ch2/http_port")"
}

start() {
  local dir=$1 given=$1
  if [[ -s $dir/env ]]; then
    # Started before: say what runs; a node that died is started again.
    status "$dir" >&2
    start_node "$dir" 1 >&2
    start_node "$dir" 2 >&2
    cat "$dir/env"
    log "the cluster of $given runs already (stop it with: $0 stop $given)"
    return 0
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  cdrd_binary >/dev/null

  # PostgreSQL: the control plane of both nodes.
  bash "$repo/scripts/postgres-test.sh" start "$dir/pg" >&2
  if [[ ! -s $dir/pg/url ]]; then
    log "PostgreSQL could not be started: $(cat "$dir/pg/skip" 2>/dev/null)"
    exit 77
  fi
  cp "$dir/pg/url" "$dir/control_url"

  start_shards "$dir" >/dev/null

  # The nodes: one operator key and one control-plane key file for both; node 1 first (it
  # makes the key file and the schemas), then node 2.
  [[ -s $dir/operator.key ]] ||
    python3 -c 'import secrets; print(secrets.token_hex(24))' >"$dir/operator.key"
  chmod 600 "$dir/operator.key"
  start_node "$dir" 1
  start_node "$dir" 2

  local cdrd account
  cdrd=$(cdrd_binary)
  account=$("$cdrd" --data-dir "$dir/node1/data" --control "$(cat "$dir/control_url")" \
    --control-key-file "$dir/control.key" account create --name demo)
  local auth_id auth_token
  auth_id=$(sed -n 's/^auth_id: //p' <<<"$account")
  auth_token=$(sed -n 's/^auth_token: //p' <<<"$account")
  cat >"$dir/env" <<ENV
NODE1_URL=http://127.0.0.1:$(cat "$dir/node1/port")
NODE2_URL=http://127.0.0.1:$(cat "$dir/node2/port")
AUTH_ID=$auth_id
AUTH_TOKEN=$auth_token
OPERATOR_KEY=$(cat "$dir/operator.key")
CONTROL_URL=$(cat "$dir/control_url")
ENV
  cat "$dir/env"
  log "two nodes up; the lines above are in $given/env (set -a; . $given/env); stop with: $0 stop $given"
}

status() {
  local dir=$1 what pid
  [[ -d $dir ]] || { echo "no cluster in $dir"; return 1; }
  for what in pg ch1 ch2 node1 node2; do
    pid=""
    case $what in
      pg) [[ -f $dir/pg/pgdata ]] && pid=$(head -1 "$(cat "$dir/pg/pgdata")/postmaster.pid" 2>/dev/null || true) ;;
      *) pid=$(cat "$dir/$what/pid" 2>/dev/null || true) ;;
    esac
    if [[ -n $pid ]] && alive "$pid"; then
      case $what in
        node*)
          if ready "$(cat "$dir/$what/port")"; then
            echo "$what: pid $pid, http://127.0.0.1:$(cat "$dir/$what/port") ready"
          else
            echo "$what: pid $pid, http://127.0.0.1:$(cat "$dir/$what/port") NOT ready"
          fi
          ;;
        ch*) echo "$what: pid $pid, ClickHouse HTTP port $(cat "$dir/$what/http_port")" ;;
        pg) echo "$what: pid $pid, $(cat "$dir/control_url")" ;;
      esac
    else
      echo "$what: not running"
    fi
  done
}

stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  stop_node "$dir" 1
  stop_node "$dir" 2
  bash "$repo/scripts/clickhouse-test.sh" stop "$dir/ch1"
  bash "$repo/scripts/clickhouse-test.sh" stop "$dir/ch2"
  bash "$repo/scripts/postgres-test.sh" stop "$dir/pg"
  rm -rf "$dir"
}

cmd=${1:-}
dir=${2:-var/cluster}
case $cmd in
  start) start "$dir" ;;
  status) status "$dir" ;;
  stop) stop "$dir" ;;
  start-shards) start_shards "$dir" ;;
  start-node) start_node "$dir" "${3:?node 1 or 2}" ;;
  stop-node) stop_node "$dir" "${3:?node 1 or 2}" ;;
  *) log "usage: $0 start|status|stop [DIR] | start-node|stop-node DIR N"; exit 2 ;;
esac
