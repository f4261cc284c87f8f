#!/usr/bin/env bash
# A throw-away PostgreSQL 15 for the tests (docs/scale-out.md, "Tests"):
#   postgres-test.sh start STATE_DIR   initdb in a new temporary directory, start the server on
#                                      127.0.0.1 on a free port; writes STATE_DIR/url
#                                      (postgresql://cdrd@127.0.0.1:PORT/postgres, superuser,
#                                      trust on loopback only). When PostgreSQL is not installed
#                                      or does not start, writes the reason to STATE_DIR/skip
#                                      instead and exits 0: the tests that need it skip.
#   postgres-test.sh stop STATE_DIR    stops that server and removes its directory.
#   postgres-test.sh pause STATE_DIR   stops the server but keeps its data (a database outage);
#   postgres-test.sh resume STATE_DIR  starts it again on the same port and data.
# Durability is off (fsync): the data is thrown away after the tests. initdb refuses to run as
# root, so as root the server runs as the postgres user the Debian package made (runuser).
set -euo pipefail

cmd=${1:-}
state=${2:-}
if [[ -z $cmd || -z $state ]]; then
  echo "usage: $0 start|stop|pause|resume STATE_DIR" >&2
  exit 2
fi
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [[ -f $state/pgdata ]]; then
    local data
    data=$(cat "$state/pgdata")
    if [[ -f $data/postmaster.pid ]]; then
      as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$data"
  fi
  rm -f "$state/url" "$state/pgdata" "$state/skip"
}

skip() {
  echo "$*" >"$state/skip"
  echo "postgres-test: $* (the PostgreSQL tests will be skipped)" >&2
  exit 0
}

case $cmd in
  stop)
    stop
    ;;
  start)
    mkdir -p "$state"
    stop  # a server a previous run left behind
    [[ -x $pg_bin/initdb ]] ||
      skip "PostgreSQL 15 is not installed ($pg_bin/initdb; scripts/install-deps.sh installs postgresql-15)"
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      skip "running as root but there is no postgres user to run the server as"
    fi
    data=$(mktemp -d "${TMPDIR:-/tmp}/cdrd-pgtest.XXXXXX")
    echo "$data" >"$state/pgdata"
    chmod 700 "$data"
    [[ $(id -u) -ne 0 ]] || chown postgres "$data"
    as_pg "$pg_bin/initdb" -D "$data" -U cdrd -A trust --locale=C -E UTF8 >"$state/initdb.log" 2>&1 ||
      skip "initdb failed: $(tail -1 "$state/initdb.log")"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 300
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    as_pg "$pg_bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null 2>&1 ||
      skip "the server did not start: $(tail -1 "$data/server.log" 2>/dev/null)"
    echo "postgresql://cdrd@127.0.0.1:$port/postgres" >"$state/url"
    echo "postgres-test: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
    ;;
  pause)
    as_pg "$pg_bin/pg_ctl" -D "$(cat "$state/pgdata")" -m fast -w stop >/dev/null
    ;;
  resume)
    data=$(cat "$state/pgdata")
    as_pg "$pg_bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop|pause|resume STATE_DIR" >&2
    exit 2
    ;;
esac
