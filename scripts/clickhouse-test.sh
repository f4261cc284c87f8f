#!/usr/bin/env bash
# A ClickHouse server of our own for the tests and the benchmarks: Debian's clickhouse-server
# (scripts/install-deps.sh test installs it when it is missing), listening on 127.0.0.1 only, on
# free ports, with its config, data and logs in one directory that `stop` removes.
#
#   clickhouse-test.sh start DIR   starts the server with its files in DIR (made if missing),
#                                  waits until it answers /ping, prints its HTTP port; DIR/pid
#                                  and DIR/http_port name it. Exit 77 when ClickHouse cannot be
#                                  installed or started (the callers skip then), with the reason
#                                  on stderr.
#   clickhouse-test.sh stop DIR    stops that server (SIGTERM, then SIGKILL after 20 s) and
#                                  removes DIR. Safe to call when start failed.
#
# Settings: CLICKHOUSE_NO_INSTALL=1 never tries to install the package; CLICKHOUSE_HTTP_PORT and
# CLICKHOUSE_TCP_PORT fix the ports (scripts/cluster.sh names every shard's TCP port in each
# shard's config.d/ before it starts them); DIR/tcp_port names the TCP port; CLICKHOUSE_MEMORY_BYTES
# (default 2 GB) caps a query's memory, CLICKHOUSE_CACHE_BYTES (default 256 MiB) sizes the mark
# and uncompressed caches (the benchmark's peer run sets larger ones).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "clickhouse-test: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ping() {  # ping PORT: true when the server answers "Ok."
  python3 - "$1" <<'PY' 2>/dev/null
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1)
c.request("GET", "/ping")
sys.exit(0 if c.getresponse().status == 200 else 1)
PY
}

start() {
  local dir=$1
  if ! command -v clickhouse-server >/dev/null 2>&1; then
    if [[ ${CLICKHOUSE_NO_INSTALL:-0} != 1 ]]; then
      bash "$repo/scripts/install-deps.sh" test >&2 || true
    fi
    if ! command -v clickhouse-server >/dev/null 2>&1; then
      log "clickhouse-server is not installed and could not be installed"
      exit 77
    fi
  fi
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
  rm -f "$dir/http_port"
  dir=$(cd "$dir" && pwd)
  local http_port tcp_port
  http_port=${CLICKHOUSE_HTTP_PORT:-$(free_port)}
  tcp_port=${CLICKHOUSE_TCP_PORT:-$(free_port)}
  echo "$tcp_port" >"$dir/tcp_port"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/server.err.log</errorlog><size>100M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http_port</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>${CLICKHOUSE_CACHE_BYTES:-268435456}</mark_cache_size>
  <uncompressed_cache_size>${CLICKHOUSE_CACHE_BYTES:-268435456}</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <keep_alive_timeout>60</keep_alive_timeout>
  <timezone>UTC</timezone>
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>${CLICKHOUSE_MEMORY_BYTES:-2000000000}</max_memory_usage><use_uncompressed_cache>1</use_uncompressed_cache></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  # setsid: the server is not in the caller's process group, so a test runner's Ctrl-C does
  # not kill it before `stop` runs; `stop` ends it by its pid.
  setsid clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/pid"
  for _ in $(seq 1 150); do
    if ping "$http_port"; then
      echo "$http_port" >"$dir/http_port"
      echo "$http_port"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "clickhouse-server exited:"
      tail -20 "$dir/server.err.log" "$dir/stdout.log" >&2 2>/dev/null || true
      rm -f "$dir/pid"
      exit 77
    fi
    sleep 0.2
  done
  log "clickhouse-server did not answer on 127.0.0.1:$http_port within 30 s"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  exit 77
}

stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  if [[ -f $dir/pid ]]; then
    local pid
    pid=$(cat "$dir/pid")
    if kill -TERM "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [[ $# == 2 ]] || { log "usage: $0 start DIR"; exit 2; }; start "$2" ;;
  stop) [[ $# == 2 ]] || { log "usage: $0 stop DIR"; exit 2; }; stop "$2" ;;
  *) log "usage: $0 start|stop DIR"; exit 2 ;;
esac
