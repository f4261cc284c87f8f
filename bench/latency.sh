#!/usr/bin/env bash
# shellcheck disable=SC2034  # settings read by the sourced bench/settings.sh and bench/server.sh
# Single-request latency at one keep-alive connection, side by side: the retrieve by uuid and the
# cloud-PBX username filter of bench/run.sh on one data set, served in turn by each BUILD_DIR
# given (interleaved, round after round), and the retrieve's body served by nginx as a static
# file as bench/run.sh does (bench/nginx.sh; when nginx is installed).
#
# Loads the seeded data set once with the first build's server and loadgen exactly as bench/run.sh
# does (one account by default), then per round and server: starts `cdrd serve` on the kept
# database, times each scenario with `loadgen http --connections 1`, stops it. Prints one line per
# measurement:
#   LATENCY round=R server=NAME scenario=uuid|pbx_user|nginx p50_ms=.. p99_ms=..
#           requests_per_s=.. server_cpu_us=C other_processes_pct=P load=L1
# (C: the server's user + system CPU per request; P: the share of the machine's CPU used by
# neither the server nor loadgen; L1: the load average before the measurement). NAME is the
# build directory's name, or the one given as NAME=DIR.
#
# Usage: bash bench/latency.sh [NAME=]BUILD_DIR [[NAME=]BUILD_DIR ...]
# Settings: those of bench/settings.sh (BENCH_CALLS, default 200,000 here; BENCH_ACCOUNTS,
# default 1; BENCH_DURATION_S, default 10; BENCH_WARMUP_S; BENCH_SERVER_THREADS), and
# BENCH_LATENCY_ROUNDS=2, BENCH_LATENCY_NGINX=1 (0 leaves nginx out), BENCH_SERVE_ARGS (more
# `cdrd serve` options for every server).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_side_by_side latency 200000 10 5000 "$@"
rounds=${BENCH_LATENCY_ROUNDS:-2}
with_nginx=${BENCH_LATENCY_NGINX:-1}
command -v nginx >/dev/null || with_nginx=0
read -r -a serve_args <<<"${BENCH_SERVE_ARGS:-}"

log_prefix=latency
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"

# shellcheck source=bench/nginx.sh
source "$repo/bench/nginx.sh"
on_exit() {
  local rc=$?
  nginx_stop
  # cleanup (bench/server.sh) exits with the status it finds.
  if ((rc != 0)); then (exit "$rc") || cleanup; fi
  cleanup
}
trap on_exit EXIT

value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# ---- the data set, loaded once -----------------------------------------------------------

operator_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CDRD_OPERATOR_KEY=$operator_key
create_accounts "$data_dir" bench "$n_accounts"
# An OAuth app of the first account, for the cloud-PBX API scenarios.
create_pbx_app "$data_dir"
start_server "$data_dir" "${serve_args[@]}"
create_trunks
"$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" \
  --first-account-percent "$first_percent" --end-until "$end_until" --days "$days" --batch "$batch" \
  --connections "$ingest_connections" >&2
user=${auth_ids[0]}
export LOADGEN_PASSWORD=${auth_tokens[0]}
base=/v1/Account/$user/Zentrunk/Call/
LOADGEN_BEARER=$(LOADGEN_CLIENT_SECRET=$app_client_secret "$loadgen" token --port "$port" --client-id "$app_client_id")
export LOADGEN_BEARER
"$loadgen" uuids --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" --end-until "$end_until" \
  --first-account-percent "$first_percent" \
  --days "$days" --account "$user" --sample 20000 | sed "s|.*|$base&/|" >"$run_dir/uuid.paths"
# The PBX username filter of bench/run.sh.
pick_pbx_usernames "$data_dir" "$user"
echo "/api/ver1.0/client/@me/calls/?$pbx_user_query" >"$run_dir/pbx-user.paths"
"$loadgen" get --port "$port" --user "$user" --path "$(head -1 "$run_dir/uuid.paths")" >"$run_dir/retrieve.json"
stop_server
# For runs by hand on a kept data set (BENCH_KEEP_DATA=1): the credentials of the scenarios.
(umask 077 && printf 'user=%s\nLOADGEN_PASSWORD=%s\nLOADGEN_BEARER=%s\n' "$user" "$LOADGEN_PASSWORD" "$LOADGEN_BEARER" >"$run_dir/credentials")
log "$calls calls loaded; retrieve body $(wc -c <"$run_dir/retrieve.json") bytes; PBX filter: $pbx_usernames"

# ---- the measurements ---------------------------------------------------------------------

# The machine's busy ticks, the ticks of the process measured_pid and its children (nginx's
# workers), this script's finished children's (loadgen) and the time in ns (as cpu_ticks).
measured_ticks() {
  local _cpu user nice system _idle _iowait irq softirq steal _rest server=0 children pid
  read -r _cpu user nice system _idle _iowait irq softirq steal _rest </proc/stat
  for pid in $measured_pid $(pgrep -P "$measured_pid" || true); do
    server=$((server + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  children=$(awk '{print $16 + $17}' "/proc/$$/stat")
  echo "$((user + nice + system + irq + softirq + steal)) $server $children $(date +%s%N)"
}

# measure NAME SCENARIO PORT PATHS [AUTH...]: one loadgen run against the process measured_pid,
# printed as a LATENCY line.
measure() {
  local name=$1 scenario=$2 port=$3 paths=$4 before result server_ticks others load_1 cpu_us
  shift 4
  load_1=$(cut -d' ' -f1 /proc/loadavg)
  before=$(measured_ticks)
  result=$("$loadgen" http --port "$port" "$@" --connections 1 --duration-s "$duration" \
    --warmup-s "$warmup" --paths-file "$paths")
  read -r server_ticks others < <(cpu_usage "$before" "$(measured_ticks)")
  [[ $(value errors "$result") == 0 ]] || { log "$name $scenario: $result"; exit 1; }
  cpu_us=$(awk -v t="$server_ticks" -v hz="$clk_tck" -v n="$(value requests "$result")" \
    -v w="$warmup" -v d="$duration" 'BEGIN {printf "%.0f", t / hz * 1e6 / (n * (w + d) / d)}')
  echo "LATENCY round=$round server=$name scenario=$scenario p50_ms=$(value p50_ms "$result")" \
    "p99_ms=$(value p99_ms "$result") requests_per_s=$(value requests_per_s "$result")" \
    "server_cpu_us=$cpu_us other_processes_pct=$others load=$load_1"
}

for round in $(seq 1 "$rounds"); do
  for i in "${!dirs[@]}"; do
    cdrd=${dirs[$i]}/cdrd
    start_server "$data_dir" "${serve_args[@]}"
    "$loadgen" get --port "$port" --user "$user" --path "$(head -1 "$run_dir/uuid.paths")" >/dev/null
    measured_pid=$server_pid
    measure "${names[$i]}" uuid "$port" "$run_dir/uuid.paths" --user "$user"
    measure "${names[$i]}" pbx_user "$port" "$run_dir/pbx-user.paths" --bearer
    stop_server
  done
  if [[ $with_nginx == 1 ]]; then
    nginx_start "$run_dir/retrieve.json"
    echo /call.json >"$run_dir/nginx.paths"
    measured_pid=$nginx_pid
    measure nginx nginx "$nginx_port" "$run_dir/nginx.paths"
    nginx_stop
  fi
done
