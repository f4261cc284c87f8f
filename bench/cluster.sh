#!/usr/bin/env bash
# `make bench-cluster` (and `make bench` with BENCH_CLUSTER=1): the baseline scenarios of
# bench/run.sh against `cdrd serve --calls clickhouse://...`, once on one ClickHouse server and
# once on two shards of a cluster (the sharded layout of docs/clickhouse.md), printed side by side
# with the two-shard figure over the one-shard figure.
#
# Each round starts its own ClickHouse server(s) (scripts/clickhouse-test.sh; two shards through
# scripts/cluster.sh start-shards) on loopback under bench/out/, and one `cdrd serve` with a fresh
# data directory (accounts, trunks and decks in its SQLite database, the calls in ClickHouse).
# It loads the seeded data set through POST /v1/ingest/calls (loadgen ingest), checks that the
# Call API counts every call, then measures the list and retrieve requests over HTTP/1.1
# keep-alive (closed loop). Everything is stopped and removed on exit. Writes
# bench/out/cluster.md and prints it. Exit 77 when ClickHouse cannot be installed or started.
#
# Usage: bash bench/cluster.sh [BUILD_DIR]      (BUILD_DIR defaults to build)
# Settings (environment), as bench/run.sh's but smaller by default:
#   BENCH_CALLS=200000  BENCH_SEED=42  BENCH_ACCOUNTS=10  BENCH_FIRST_ACCOUNT_PERCENT=20
#   BENCH_DAYS=30  BENCH_END_UNTIL=<now>  BENCH_BATCH=5000  BENCH_INGEST_CONNECTIONS=2
#   BENCH_CONNECTIONS=1  BENCH_DURATION_S=10  BENCH_WARMUP_S=2  BENCH_SERVER_THREADS=4
#   BENCH_DEEP_OFFSET=10000  BENCH_PBX_DEEP_PAGE=500
#   BENCH_SHARDS="1 2"        the rounds (number of shards each)
#   BENCH_KEEP_DATA=0         1 keeps bench/out/cluster.* (the ClickHouse servers are stopped)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_start bench-cluster "${1:-build}" cluster 200000 10 500
shard_rounds=${BENCH_SHARDS:-1 2}

results=$out/cluster.md
log_prefix=bench-cluster
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"

# The ClickHouse servers of the current round, stopped with the server on exit.
ch_dirs=()
stop_clickhouse() {
  local d
  for d in "${ch_dirs[@]}"; do bash "$repo/scripts/clickhouse-test.sh" stop "$d" >/dev/null 2>&1 || true; done
  ch_dirs=()
}
cluster_cleanup() {
  local rc=$?
  stop_server || true
  stop_clickhouse
  if [[ $keep_data == 1 ]]; then log "kept $run_dir"; else rm -rf "$run_dir"; fi
  exit "$rc"
}
trap cluster_cleanup EXIT

operator_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CDRD_OPERATOR_KEY=$operator_key

value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Figures by "ROUND:KEY" (ROUND the number of shards).
declare -A fig
scenario_keys=(uuid first filtered deep home trunk combo90 pbx_deep)
declare -A scenario_label=(
  [uuid]="retrieve by uuid" [first]="first page" [filtered]="filtered page" [deep]="deep offset"
  [home]="filtered page, home prefix" [trunk]="trunk filter" [combo90]="3 filters, 90 days"
  [pbx_deep]="PBX deep page")
failures=0

# start_store N: N ClickHouse servers (N = 1, or 2 shards of cdrd_cluster); prints the --calls URL.
# Run in a subshell: round names the servers in ch_dirs before it calls it.
start_store() {
  local n=$1
  local dir=$run_dir/shards$n rc=0
  if [[ $n == 1 ]]; then
    bash "$repo/scripts/clickhouse-test.sh" start "$dir/ch1" >/dev/null || rc=$?
    [[ $rc == 0 ]] || return "$rc"
    echo "clickhouse://127.0.0.1:$(cat "$dir/ch1/http_port")/cdrd"
  elif [[ $n == 2 ]]; then
    local servers
    servers=$(bash "$repo/scripts/cluster.sh" start-shards "$dir") || return $?
    echo "clickhouse://$servers/cdrd?cluster=cdrd_cluster"
  else
    log "BENCH_SHARDS: 1 or 2 shards, not $n"
    return 2
  fi
}

round() {
  local n=$1
  local data_dir=$run_dir/shards$n/data calls_url rc=0
  mkdir -p "$run_dir/shards$n"
  ch_dirs=("$run_dir/shards$n/ch1")
  [[ $n != 2 ]] || ch_dirs+=("$run_dir/shards$n/ch2")
  calls_url=$(start_store "$n") || rc=$?
  if [[ $rc != 0 ]]; then
    log "ClickHouse could not be started (exit $rc)"
    exit "$rc"
  fi
  create_accounts "$data_dir" bench "$n_accounts"
  app=$("$cdrd" --data-dir "$data_dir" app create --account "${auth_ids[0]}")
  app_client_id=$(sed -n 's/^ *client_id: *//p' <<<"$app")
  app_client_secret=$(sed -n 's/^ *client_secret: *//p' <<<"$app")
  start_server "$data_dir" --calls "$calls_url"
  log "$n shard(s): cdrd serve on 127.0.0.1:$port --calls $calls_url"
  create_trunks

  fig[$n:load_ingest]=$(loadavg)
  log "$n shard(s): ingest $calls calls, $batch per request, $ingest_connections connections (load $(loadavg))"
  local ingest
  ingest=$("$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" \
    --seed "$seed" --first-account-percent "$first_percent" --end-until "$end_until" --days "$days" \
    --batch "$batch" --connections "$ingest_connections")
  log "$ingest"
  [[ $(value stored "$ingest") == "$calls" ]] || { log "ingest stored $(value stored "$ingest") of $calls"; exit 1; }
  fig[$n:ingest]=$(value records_per_s "$ingest")
  fig[$n:ingest_s]=$(value seconds "$ingest")

  local from_time counted=0 i body c
  from_time=$(date -u -d "@$((end_until - days * 86400))" '+%Y-%m-%d%%20%H:%M:%S')
  for i in "${!auth_ids[@]}"; do
    body=$(LOADGEN_PASSWORD=${auth_tokens[$i]} "$loadgen" get --port "$port" --user "${auth_ids[$i]}" \
      --path "/v1/Account/${auth_ids[$i]}/Zentrunk/Call/?limit=1&end_time__gte=$from_time")
    c=$(grep -o '"total_count": *[0-9]*' <<<"$body" | grep -o '[0-9]*$')
    counted=$((counted + c))
    [[ $i != 0 ]] || first_account_calls=$c
  done
  [[ $counted == "$calls" ]] || { log "the Call API counts $counted calls, loaded $calls"; exit 1; }
  log "the Call API counts all $counted calls"

  # The scenarios of bench/run.sh, on the first account (the PBX username filter is left out:
  # run.sh picks its usernames from the SQLite calls table).
  local user=${auth_ids[0]} base pbx_base d=$run_dir/shards$n now_s
  export LOADGEN_PASSWORD=${auth_tokens[0]}
  base=/v1/Account/$user/Zentrunk/Call/
  pbx_base=/api/ver1.0/client/@me/calls/
  LOADGEN_BEARER=$(LOADGEN_CLIENT_SECRET=$app_client_secret "$loadgen" token --port "$port" --client-id "$app_client_id")
  export LOADGEN_BEARER
  now_s=$(date -u +%s)
  "$loadgen" uuids --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" --end-until "$end_until" \
    --first-account-percent "$first_percent" --days "$days" --account "$user" --sample 20000 |
    sed "s|.*|$base&/|" >"$d/uuid.paths"
  echo "$base" >"$d/first.paths"
  echo "$base?call_direction=outbound&to_number=%2B49&bill_duration__gte=60&bill_duration__lte=600" >"$d/filtered.paths"
  echo "$base?call_direction=outbound&to_number=%2B44&bill_duration__gte=60&bill_duration__lte=600" >"$d/home.paths"
  echo "$base?offset=$deep_offset" >"$d/deep.paths"
  echo "$base?trunk_id=${trunk_pairs[0]#*:}" >"$d/trunk.paths"
  echo "$base?call_direction=outbound&hangup_cause_code=3000&bill_duration__gte=60&end_time__gte=$(date -u -d "@$((now_s - 90 * 86400 + 1))" '+%Y-%m-%d%%20%H:%M:%S')" >"$d/combo90.paths"
  local page=$pbx_deep_page
  if ((page * 20 > first_account_calls / 2)); then page=$((first_account_calls / 40 > 0 ? first_account_calls / 40 : 1)); fi
  echo "$pbx_base?page=$page" >"$d/pbx_deep.paths"
  fig[pbx_page]=$page

  fig[$n:load_lists]=$(loadavg)
  local key result errors src=0
  for key in "${scenario_keys[@]}"; do
    local -a auth=(--user "$user")
    [[ $key != pbx_deep ]] || auth=(--bearer)
    log "$n shard(s): ${scenario_label[$key]} ($connections connections, ${duration} s after ${warmup} s warm-up)"
    src=0
    result=$("$loadgen" http --port "$port" "${auth[@]}" --connections "$connections" \
      --duration-s "$duration" --warmup-s "$warmup" --paths-file "$d/$key.paths") || src=$?
    log "$result"
    errors=$(value errors "$result")
    if [[ $src != 0 || -z $result || $errors != 0 ]]; then
      failures=$((failures + 1))
      fig[$n:$key]="INVALID"
    else
      fig[$n:$key]="$(value p50_ms "$result") / $(value p99_ms "$result")"
      fig[$n:$key:p50]=$(value p50_ms "$result")
      fig[$n:$key:p99]=$(value p99_ms "$result")
      fig[$n:$key:rps]=$(value requests_per_s "$result")
    fi
  done
  fig[$n:load_end]=$(loadavg)
  local stop_rc=0
  stop_server || stop_rc=$?
  [[ $stop_rc == 0 ]] || { log "cdrd serve exited with $stop_rc on SIGTERM"; failures=$((failures + 1)); }
  stop_clickhouse
  rm -rf "$data_dir"
}

load_before=$(loadavg)
for n in $shard_rounds; do round "$n"; done

ratio() {  # ratio A B: B / A to 2 decimals, or "-"
  awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b != "") printf "%.2f", b / a; else print "-"}'
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem_gib=$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
ch_version=$(dpkg-query -W -f '${Version}' clickhouse-server 2>/dev/null || echo unknown)
r1=${shard_rounds%% *}
r2=${shard_rounds##* }
{
  echo "# cdrd on ClickHouse: $r1 shard(s) and $r2 shard(s)"
  echo
  [[ $failures == 0 ]] || { echo "**THIS RUN FAILED ($failures failures): the figures marked INVALID are not results.**"; echo; }
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| machine | ${cpu:-unknown CPU}, $(nproc) cores (nproc), ${mem_gib} GiB RAM; load average before the run $load_before |"
  echo "| cdrd | commit $commit, \`cdrd serve --threads $server_threads --calls clickhouse://...\` (control plane in SQLite), ClickHouse $ch_version; every shard, cdrd and loadgen on the same cores |"
  echo "| data set | $calls calls, seed $seed, $n_accounts accounts (the first takes ${first_percent}%), $days days before $(date -u -d "@$end_until" '+%Y-%m-%d %H:%M:%S') UTC |"
  echo "| load | ingest: $batch records per request, $ingest_connections connections; lists: $connections connection(s), ${duration} s after ${warmup} s warm-up, HTTP/1.1 keep-alive, closed loop |"
  echo
  echo "| scenario | $r1 shard(s) | $r2 shard(s) | $r2 / $r1 |"
  echo "|---|---:|---:|---:|"
  echo "| ingest, calls/s | ${fig[$r1:ingest]:-} | ${fig[$r2:ingest]:-} | $(ratio "${fig[$r1:ingest]:-}" "${fig[$r2:ingest]:-}") |"
  for key in "${scenario_keys[@]}"; do
    label=${scenario_label[$key]}
    [[ $key != pbx_deep ]] || label="$label (page ${fig[pbx_page]:-?})"
    [[ $key != deep ]] || label="$label ($deep_offset)"
    echo "| $label, p50 / p99 ms | ${fig[$r1:$key]:-} | ${fig[$r2:$key]:-} | $(ratio "${fig[$r1:$key:p50]:-}" "${fig[$r2:$key:p50]:-}") / $(ratio "${fig[$r1:$key:p99]:-}" "${fig[$r2:$key:p99]:-}") |"
  done
  for key in uuid first; do
    echo "| ${scenario_label[$key]}, requests/s | ${fig[$r1:$key:rps]:-} | ${fig[$r2:$key:rps]:-} | $(ratio "${fig[$r1:$key:rps]:-}" "${fig[$r2:$key:rps]:-}") |"
  done
  echo
  echo "Load average (1, 5, 15 min) at the start of ingest, of the lists, and at the end:" \
    "$r1 shard(s) ${fig[$r1:load_ingest]:-?}; ${fig[$r1:load_lists]:-?}; ${fig[$r1:load_end]:-?}." \
    "$r2 shard(s) ${fig[$r2:load_ingest]:-?}; ${fig[$r2:load_lists]:-?}; ${fig[$r2:load_end]:-?}."
  echo "Ingest per shard per day at the measured rate (rate x 86,400 / shards):" \
    "$r1 shard(s) $(awk -v r="${fig[$r1:ingest]:-0}" -v s="$r1" 'BEGIN {printf "%.0f million", r * 86400 / s / 1e6}');" \
    "$r2 shard(s) $(awk -v r="${fig[$r2:ingest]:-0}" -v s="$r2" 'BEGIN {printf "%.0f million", r * 86400 / s / 1e6}')."
} >"$results"
cat "$results"
[[ $failures == 0 ]] || { log "$failures failures: see above"; exit 1; }
