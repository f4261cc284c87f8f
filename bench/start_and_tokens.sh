#!/usr/bin/env bash
# Two figures of issue 9's store fixes, side by side: each BUILD_DIR given serves its own copy of
# one data set (copies, since a newer build may migrate its database past what an older one
# opens), interleaved, round after round.
#
#   start  a start from the calls table (the server before it was killed with -9), the seconds
#          until it listens (ready_s); then the first retrieve by uuid of the account
#          (first_retrieve_ms), and, sent while it runs, BENCH_START_PROBES requests to
#          /healthz, each on a new connection (spread over the I/O threads), their slowest
#          (probe_max_ms) and median (probe_p50_ms).
#   pbx    the cloud-PBX username filter of bench/run.sh at one keep-alive connection while
#          `loadgen ingest` posts new calls over BENCH_INGEST_CONNECTIONS connections
#          (loadgen http: p50_ms, p99_ms).
#
# Prints one line per measurement:
#   START round=R server=NAME ready_s=.. first_retrieve_ms=.. probe_p50_ms=.. probe_max_ms=.. load=L1
#   PBX_UNDER_INGEST round=R server=NAME p50_ms=.. p99_ms=.. requests_per_s=.. load=L1
#
# Usage: bash bench/start_and_tokens.sh [NAME=]BUILD_DIR [[NAME=]BUILD_DIR ...]
# Settings: those of bench/settings.sh (BENCH_CALLS, default 1,000,000 here, in one account;
# BENCH_DURATION_S, default 8), BENCH_ROUNDS=2, BENCH_START_PROBES=6, BENCH_INGEST_CALLS=400000
# (the calls each pbx measurement's ingest posts, with a seed of its round).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_side_by_side start_and_tokens 1000000 8 5000 "$@"
rounds=${BENCH_ROUNDS:-2}
probes=${BENCH_START_PROBES:-6}
ingest_calls=${BENCH_INGEST_CALLS:-400000}
log_prefix=start_and_tokens
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"
ingest_pid=
on_exit() {
  local rc=$?
  [[ -z $ingest_pid ]] || kill "$ingest_pid" 2>/dev/null || true
  [[ -z $server_pid ]] || kill -KILL "$server_pid" 2>/dev/null || true
  server_pid=
  (exit "$rc") || cleanup
  cleanup
}
trap on_exit EXIT
value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
ms_of() { awk -v s="$1" 'BEGIN {printf "%.1f", s * 1000}'; }

# ---- the data set, loaded once by the first build, then copied for each ----------------------
data_dir=$run_dir/data
operator_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CDRD_OPERATOR_KEY=$operator_key
create_accounts "$data_dir" bench "$n_accounts"
create_pbx_app "$data_dir"
start_server "$data_dir"
create_trunks
"$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" \
  --first-account-percent "$first_percent" --end-until "$end_until" --days "$days" --batch "$batch" \
  --connections "$ingest_connections" "${ingest_prebuild_flag[@]}" >&2
user=${auth_ids[0]}
export LOADGEN_PASSWORD=${auth_tokens[0]}
LOADGEN_BEARER=$(LOADGEN_CLIENT_SECRET=$app_client_secret "$loadgen" token --port "$port" --client-id "$app_client_id")
export LOADGEN_BEARER
retrieve=/v1/Account/$user/Zentrunk/Call/$("$loadgen" uuids --auth-ids "$ids_csv" --trunks "$trunks_csv" \
  --calls "$calls" --seed "$seed" --end-until "$end_until" --first-account-percent "$first_percent" \
  --days "$days" --account "$user" --sample 1 | head -1)/
pick_pbx_usernames "$data_dir" "$user"
echo "/api/ver1.0/client/@me/calls/?$pbx_user_query" >"$run_dir/pbx-user.paths"
stop_server
for i in "${!dirs[@]}"; do cp -a "$data_dir" "$run_dir/data-$i"; done
log "$calls calls loaded; retrieve $retrieve; PBX filter: $pbx_usernames"

# kill_server: the crash that makes the next start read the calls table.
kill_server() {
  kill -KILL "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

for round in $(seq 1 "$rounds"); do
  for i in "${!dirs[@]}"; do
    cdrd=${dirs[$i]}/cdrd
    loadgen=${dirs[$i]}/loadgen
    # The start from the table: the last run of this copy ended in a kill -9 (the first one in a
    # clean stop, so the first round's server is started and killed once before).
    if ((round == 1)); then start_server "$run_dir/data-$i"; kill_server; fi
    load_1=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(date +%s.%N)
    start_server "$run_dir/data-$i"
    ready_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -u "$user:$LOADGEN_PASSWORD" \
      "http://127.0.0.1:$port$retrieve" >"$run_dir/retrieve.out" &
    retrieve_pid=$!
    sleep 0.05
    : >"$run_dir/probes.out"
    probe_pids=()
    for _ in $(seq 1 "$probes"); do
      curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/healthz" >>"$run_dir/probes.out" &
      probe_pids+=($!)
      sleep 0.01
    done
    wait "$retrieve_pid" "${probe_pids[@]}"
    read -r code retrieve_s <"$run_dir/retrieve.out"
    [[ $code == 200 ]] || { log "retrieve answered $code"; exit 1; }
    probe_p50=$(sort -g "$run_dir/probes.out" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    probe_max=$(sort -g "$run_dir/probes.out" | tail -1)
    echo "START round=$round server=${names[$i]} ready_s=$ready_s first_retrieve_ms=$(ms_of "$retrieve_s")" \
      "probe_p50_ms=$(ms_of "$probe_p50") probe_max_ms=$(ms_of "$probe_max") load=$load_1"

    # The PBX filter while new calls are ingested (of this round's seed: the same calls for
    # every build).
    "$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$ingest_calls" \
      --seed "$((seed + 1000 + round))" --first-account-percent "$first_percent" --end-until "$end_until" \
      --days "$days" --batch 1000 --connections "$ingest_connections" >"$run_dir/ingest.out" 2>&1 &
    ingest_pid=$!
    sleep 1
    load_1=$(cut -d' ' -f1 /proc/loadavg)
    result=$("$loadgen" http --port "$port" --bearer --connections 1 --duration-s "$duration" \
      --warmup-s "$warmup" --paths-file "$run_dir/pbx-user.paths")
    kill -0 "$ingest_pid" 2>/dev/null || log "${names[$i]}: the ingest ended before the measurement did"
    kill "$ingest_pid" 2>/dev/null || true
    wait "$ingest_pid" 2>/dev/null || true
    ingest_pid=
    [[ $(value errors "$result") == 0 ]] || { log "${names[$i]} pbx: $result"; exit 1; }
    echo "PBX_UNDER_INGEST round=$round server=${names[$i]} p50_ms=$(value p50_ms "$result")" \
      "p99_ms=$(value p99_ms "$result") requests_per_s=$(value requests_per_s "$result") load=$load_1"
    kill_server
  done
done
