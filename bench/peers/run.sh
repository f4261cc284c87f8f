#!/usr/bin/env bash
# The peer engines of `make bench` (docs/benchmarks.md): installs what is missing (PostgreSQL 15,
# ClickHouse, nginx, python3-psycopg2: scripts/install-deps.sh bench), starts PostgreSQL and
# ClickHouse as this run's own services on free loopback ports under a temporary directory, loads
# cdrd's calls into each (and into a plain SQLite copy with one covering index) and times the same
# queries on each with bench/peers/driver.py. Every service is stopped when this script exits,
# whatever the outcome. (nginx, against cdrd's retrieve, is bench/nginx.sh's, run by bench/run.sh.)
#
# Called by bench/run.sh with BENCH_PEERS=1 (the default), after cdrd's scenarios:
#   bash bench/peers/run.sh BUILD_DIR PARAMS_FILE OUT_DIR
# PARAMS_FILE holds KEY=VALUE lines (bench/run.sh writes it): db, auth_id, now_us, trunk_id,
# usernames, deep_offset, pbx_page, uuids_file.
# Writes OUT_DIR/peers.tsv (the driver's figures) and OUT_DIR/plans.txt (PostgreSQL's and SQLite's
# query plans).
# Settings: BENCH_PEER_ROUNDS=200 measured rounds per query and engine (BENCH_PEER_WARMUP=10
# before them; a query that took BENCH_PEER_BUDGET_S=10 seconds on an engine stops at 20
# rounds); BENCH_PEER_SKIP=postgresql,clickhouse,sqlite leaves engines out (and nginx there
# leaves out bench/run.sh's retrieve against nginx).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[[ -d $1 ]] || { echo "peers: $1 is not a build directory" >&2; exit 2; }  # BUILD_DIR: the run's build
params=$2
out_dir=$3
mkdir -p "$out_dir"
skip=${BENCH_PEER_SKIP:-}
log() { echo "peers: $*" >&2; }

declare -A P
while IFS='=' read -r k v; do [[ -n $k ]] && P[$k]=$v; done <"$params"

bash "$repo/scripts/install-deps.sh" bench

# Debian's python3, which python3-psycopg2 belongs to (not whatever python3 is first on PATH).
python=/usr/bin/python3
pg_bin=/usr/lib/postgresql/15/bin

work=$(mktemp -d "${TMPDIR:-/tmp}/cdrd-peers.XXXXXX")
chmod 755 "$work"
pg_user=postgres  # initdb refuses to run as root; the postgresql package made this user
pg_started=0 ch_started=0
stop_services() {
  local rc=$?
  if [[ $ch_started == 1 ]]; then bash "$repo/scripts/clickhouse-test.sh" stop "$work/clickhouse" || true; fi
  if [[ $pg_started == 1 ]]; then
    runuser -u "$pg_user" -- "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wanted() { [[ ,$skip, != *,$1,* ]]; }

# ---- PostgreSQL 15 ---------------------------------------------------------------------------
pg_port=
if wanted postgresql; then
  pg_port=$(free_port)
  mkdir "$work/pg"
  chown "$pg_user" "$work/pg"
  # Locale C: text compares bytewise, as SQLite does, so the number prefix ranges mean the same.
  runuser -u "$pg_user" -- "$pg_bin/initdb" -D "$work/pg" -U bench -A trust --locale=C -E UTF8 \
    >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
  # A read-mostly benchmark copy: durability off for the load, memory as for a dedicated host.
  cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$work/pg'
shared_buffers = 2GB
effective_cache_size = 8GB
work_mem = 64MB
maintenance_work_mem = 1GB
random_page_cost = 1.1
jit = off
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 8GB
autovacuum = off
EOF
  runuser -u "$pg_user" -- "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w start >/dev/null
  pg_started=1
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
fi

# ---- ClickHouse ------------------------------------------------------------------------------
# scripts/clickhouse-test.sh: its own config on free loopback ports under $work/clickhouse;
# use_uncompressed_cache there, as these are many short queries over a hot data set.
ch_port=
if wanted clickhouse; then
  ch_port=$(CLICKHOUSE_NO_INSTALL=1 CLICKHOUSE_MEMORY_BYTES=8000000000 \
    CLICKHOUSE_CACHE_BYTES=2147483648 bash "$repo/scripts/clickhouse-test.sh" start "$work/clickhouse") ||
    { log "clickhouse-server did not start"; exit 1; }
  ch_started=1
  log "ClickHouse $(clickhouse-client --version 2>/dev/null | grep -o '[0-9][0-9.]*[0-9]' | head -1) on 127.0.0.1:$ch_port"
fi

# ---- the queries -----------------------------------------------------------------------------
engines_skip=$(tr ',' '\n' <<<"$skip" | grep -v '^nginx$' | paste -sd, || true)
"$python" "$repo/bench/peers/driver.py" run --db "${P[db]}" --auth-id "${P[auth_id]}" \
  --now-us "${P[now_us]}" --trunk-id "${P[trunk_id]}" --usernames "${P[usernames]}" \
  --deep-offset "${P[deep_offset]}" --pbx-page "${P[pbx_page]}" --uuids-file "${P[uuids_file]}" \
  ${pg_port:+--pg-port "$pg_port"} ${ch_port:+--ch-port "$ch_port"} --skip "$engines_skip" \
  --work "$work" --rounds "${BENCH_PEER_ROUNDS:-200}" --warmup "${BENCH_PEER_WARMUP:-10}" \
  --budget-s "${BENCH_PEER_BUDGET_S:-10}" --out "$out_dir/peers.tsv" --plans "$out_dir/plans.txt"

# The engines are not needed any more: stop them before anything else is measured.
if [[ $ch_started == 1 ]]; then
  bash "$repo/scripts/clickhouse-test.sh" stop "$work/clickhouse"
  ch_started=0
fi
if [[ $pg_started == 1 ]]; then
  runuser -u "$pg_user" -- "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null
  pg_started=0
fi
