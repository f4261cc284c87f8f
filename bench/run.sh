#!/usr/bin/env bash
# `make bench`: the baseline benchmark of cdrd.
#
# Starts `cdrd serve` from BUILD_DIR on a free port with a fresh database under bench/out/,
# creates the accounts, loads a seeded data set through POST /v1/ingest/calls, checks that the
# Call API counts every call, then measures the Call API's list and retrieve requests (and the
# cloud-PBX API's) over HTTP/1.1 keep-alive (closed loop), then loads the same calls into the
# peer engines (PostgreSQL, ClickHouse, SQLite with a covering index) and times the same queries
# there (bench/peers/run.sh), compares the retrieve by uuid with nginx serving the same answer as
# a static file in alternating rounds (bench/nginx.sh), writes the figures to
# bench/out/results.md and prints them, with where the server's time went per ingested record and
# per list (bench/breakdown.sh). Exits non-zero if anything failed; a scenario with any non-200
# answer is marked INVALID.
#
# Usage: bash bench/run.sh [BUILD_DIR]      (BUILD_DIR defaults to build)
# Settings (environment):
#   BENCH_CALLS=10000000       calls in the data set        BENCH_SEED=42       its seed
#   BENCH_ACCOUNTS=10          accounts they are spread over
#   BENCH_FIRST_ACCOUNT_PERCENT=20  the share of the first account, which the scenarios use (the
#                              rest spread evenly; 0: all even): 2,000,000 calls by default
#   BENCH_END_UNTIL=<now>      Unix seconds: calls end in the BENCH_DAYS=30 days before it
#   BENCH_BATCH=5000           records per ingest request   BENCH_INGEST_CONNECTIONS=2
#   BENCH_INGEST_PREBUILD=1    loadgen makes every request body in memory before the ingest's
#                              clock starts (10,000,000 calls: about 7 GB), so it only sends
#                              while timed; the time to make them is printed apart (prebuild_s)
#                              and is not in the ingest figures. 0: made while sending, on the
#                              cores the server uses (the figures before 2026-12-01's round)
#   BENCH_CONNECTIONS=1        concurrent connections of the Call API scenarios (1: latency)
#   BENCH_DURATION_S=15        measured seconds per scenario, after BENCH_WARMUP_S=2
#   BENCH_SERVER_THREADS=4     cdrd serve --threads
#   BENCH_DEEP_OFFSET=10000    offset of the deep-page scenario
#   BENCH_PBX_DEEP_PAGE=5000   page of the PBX deep-page scenario (per_page 20); lowered to the
#                              middle of the account's calls when it has fewer
#   BENCH_PEERS=1              the peer engines (bench/peers/run.sh, docs/benchmarks.md;
#                              BENCH_PEER_* settings there) and the retrieve against nginx
#                              (bench/nginx.sh: BENCH_NGINX_ROUNDS=5 alternating rounds of
#                              BENCH_NGINX_ROUND_S=<BENCH_DURATION_S / 3> s); 0 skips them
#   BENCH_KEEP_DATA=0          1 keeps the database (bench/out/run.*) afterwards
#   BENCH_HARDENING=1          then runs the hardening scenarios (bench/hardening.sh, its own
#                              settings and data set; results in bench/out/hardening.md); 0 skips
#   BENCH_IMPORT=1             the same records through `cdrd import` (bench/import.sh); 0 skips
#   BENCH_EXPORT=1             then the export's speed and memory (bench/export.sh; results in
#                              bench/out/export.md); 0 skips
#   BENCH_CALLS_STORE=         the calls' store: empty for the default (the sqlite calls table),
#                              `segments` for `serve --calls segments` (docs/architecture.md,
#                              "The segment store"); the import and the restarts follow it (the
#                              restart step reads the sqlite and segment stores' log lines only)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_start bench "${1:-build}" run 10000000 15 5000
peers=${BENCH_PEERS:-1}
# Retrieve against nginx (bench/nginx.sh): with the peers, unless BENCH_PEER_SKIP names nginx.
nginx_wanted=0
[[ $peers != 1 || ,${BENCH_PEER_SKIP:-}, == *,nginx,* ]] || nginx_wanted=1
# The peer engines: with the peers, unless BENCH_PEER_SKIP names all three.
engines_wanted=0
for engine in postgresql clickhouse sqlite; do
  [[ $peers != 1 || ,${BENCH_PEER_SKIP:-}, == *,$engine,* ]] || engines_wanted=1
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=$out/results.md
log_prefix=bench
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"
# shellcheck source=bench/nginx.sh
source "$repo/bench/nginx.sh"
# shellcheck source=bench/breakdown.sh
source "$repo/bench/breakdown.sh"

# ---- server and accounts ------------------------------------------------------------------

operator_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CDRD_OPERATOR_KEY=$operator_key

create_accounts "$data_dir" bench "$n_accounts"
# An OAuth app of the first account, for the cloud-PBX API scenarios.
create_pbx_app "$data_dir"

start_server "$data_dir"
log "cdrd serve on 127.0.0.1:$port (threads $server_threads), accounts: ${auth_ids[*]}"

# "key=value" of a RESULT line.
value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# ---- trunks: a call must name a trunk of its account ---------------------------------------

create_trunks
log "trunks (outbound:inbound per account): ${trunk_pairs[*]}"

# ---- ingest -------------------------------------------------------------------------------

log "ingest: $calls calls, seed $seed, $batch per request, $ingest_connections connections"
breakdown_scrape "$run_dir/metrics.ingest.before"
before=$(cpu_ticks)
ingest=$("$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" \
  --first-account-percent "$first_percent" \
  --end-until "$end_until" --days "$days" --batch "$batch" --connections "$ingest_connections" \
  "${ingest_prebuild_flag[@]}")
log "$ingest"
read -r ingest_server_ticks ingest_others < <(cpu_usage "$before" "$(cpu_ticks)")
# With a prebuilt load, other processes over the timed phase alone (as bench/ingest.sh): the
# machine's busy time loadgen saw while its clock ran, less the server's and loadgen's own.
if [[ -n $(value machine_cpu_s "$ingest") ]]; then
  ingest_others=$(awk -v m="$(value machine_cpu_s "$ingest")" -v t="$ingest_server_ticks" -v hz="$clk_tck" \
    -v g="$(value cpu_s "$ingest")" -v w="$(value seconds "$ingest")" -v c="$ncpu" \
    'BEGIN {o = (m - t / hz - g) / (c * w) * 100; printf "%d", o < 0 ? 0 : o}')
fi
breakdown_scrape "$run_dir/metrics.ingest.after"
ingest_breakdown=$(breakdown_ingest "$run_dir/metrics.ingest.before" "$run_dir/metrics.ingest.after")
ingest_others_cell=$ingest_others%
((ingest_others < 10)) || { log "WARNING: other processes used ${ingest_others}% of the CPU: the ingest figure is disturbed"; ingest_others_cell="**$ingest_others%**"; }
ingest_us_per_record=$(awk -v t="$ingest_server_ticks" -v hz="$clk_tck" -v n="$(value records "$ingest")" \
  'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
stored=$(value stored "$ingest")
[[ $stored == "$calls" ]] || { log "ingest stored $stored of $calls calls"; exit 1; }

# Every loaded call is served: the lists from the first end time of the data set count them all.
from_time=$(date -u -d "@$((end_until - days * 86400))" '+%Y-%m-%d%%20%H:%M:%S')
counted=0
declare -A account_calls
for i in "${!auth_ids[@]}"; do
  body=$(LOADGEN_PASSWORD=${auth_tokens[$i]} "$loadgen" get --port "$port" --user "${auth_ids[$i]}" \
    --path "/v1/Account/${auth_ids[$i]}/Zentrunk/Call/?limit=1&end_time__gte=$from_time")
  n=$(grep -o '"total_count": *[0-9]*' <<<"$body" | grep -o '[0-9]*$')
  account_calls[$i]=$n
  counted=$((counted + n))
done
[[ $counted == "$calls" ]] || { log "the Call API counts $counted calls, loaded $calls"; exit 1; }
log "the Call API counts all $counted calls"

# ---- Call API scenarios -------------------------------------------------------------------

# The scenarios use the first account.
user=${auth_ids[0]}
export LOADGEN_PASSWORD=${auth_tokens[0]}
base=/v1/Account/$user/Zentrunk/Call/
LOADGEN_BEARER=$(LOADGEN_CLIENT_SECRET=$app_client_secret "$loadgen" token --port "$port" --client-id "$app_client_id")
export LOADGEN_BEARER
pbx_base=/api/ver1.0/client/@me/calls/
"$loadgen" uuids --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" --end-until "$end_until" \
  --first-account-percent "$first_percent" \
  --days "$days" --account "$user" --sample 20000 | sed "s|.*|$base&/|" >"$run_dir/uuid.paths"
n_uuids=$(wc -l <"$run_dir/uuid.paths")

# The filtered page, twice: to a foreign prefix, and to the prefix of the account's own numbers
# (its home country, +44 in the default data set), whose to_number index range also holds
# every inbound call of the account.
filter="call_direction=outbound&to_number=%2B49&bill_duration__gte=60&bill_duration__lte=600"
home_filter="call_direction=outbound&to_number=%2B44&bill_duration__gte=60&bill_duration__lte=600"
echo "$base" >"$run_dir/first.paths"
echo "$base?$filter" >"$run_dir/filtered.paths"
echo "$base?$home_filter" >"$run_dir/home-filtered.paths"
echo "$base?offset=$deep_offset" >"$run_dir/deep.paths"
# The trunk filter: the account's inbound trunk (35% of its calls); the 3-filter combination over
# an explicit 90-day range (the retention period).
trunk_in=${trunk_pairs[0]#*:}
trunk_filter="trunk_id=$trunk_in"
echo "$base?$trunk_filter" >"$run_dir/trunk.paths"
# The PBX username filter: three selective from_usernames of the account (bench/server.sh).
pick_pbx_usernames "$data_dir" "$user"
echo "$pbx_base?$pbx_user_query" >"$run_dir/pbx-user.paths"
# The PBX deep page: page BENCH_PBX_DEEP_PAGE, or the middle of the account's calls if that is
# past its last one.
first_account_calls=${account_calls[0]}
if ((pbx_deep_page * 20 > first_account_calls / 2)); then pbx_deep_page=$((first_account_calls / 40 > 0 ? first_account_calls / 40 : 1)); fi
echo "$pbx_base?page=$pbx_deep_page" >"$run_dir/pbx-deep.paths"

# "now" of the windows, for the peers: the totals below count from it. Taken here, after the
# slower preparations above (the usernames' query over the whole table takes minutes at
# 10,000,000 calls), so that cdrd's windows, which end at each request's own time, end within
# seconds of it.
now_us=$(($(date -u +%s%N) / 1000))
combo_from=$(date -u -d "@$((now_us / 1000000 - 90 * 86400 + 1))" '+%Y-%m-%d%%20%H:%M:%S')
combo_filter="call_direction=outbound&hangup_cause_code=3000&bill_duration__gte=60&end_time__gte=$combo_from"
echo "$base?$combo_filter" >"$run_dir/combo.paths"

# total_count of a list path.
total_of() {
  "$loadgen" get --port "$port" --user "$user" --path "$1" | grep -o '"total_count": *[0-9]*' | grep -o '[0-9]*$'
}
window_calls=$(total_of "$base")
filtered_calls=$(total_of "$base?$filter")
prefix_calls=$(total_of "$base?to_number=%2B49")
home_filtered_calls=$(total_of "$base?$home_filter")
home_prefix_calls=$(total_of "$base?to_number=%2B44")
home_inbound_calls=$(total_of "$base?to_number=%2B44&call_direction=inbound")
trunk_calls=$(total_of "$base?$trunk_filter")
combo_calls=$(total_of "$base?$combo_filter")
# The exact body of one retrieve answer: nginx serves it as a static file (bench/nginx.sh).
retrieve_body=$("$loadgen" get --port "$port" --user "$user" --path "$(head -1 "$run_dir/uuid.paths")")
printf '%s' "$retrieve_body" >"$run_dir/retrieve.json"
deep_objects=$("$loadgen" get --port "$port" --user "$user" --path "$base?offset=$deep_offset" | { grep -o '"call_uuid"' || true; } | wc -l)
[[ $deep_objects -gt 0 ]] || { log "offset $deep_offset is past the last call ($window_calls in the window)"; exit 1; }

rows=()
breakdown_rows=()
failures=0
# The figures of each scenario for the comparison with the peers: key, label, p50, p99, req/s,
# total.
printf 'key\tlabel\tp50_ms\tp99_ms\trequests_per_s\ttotal\n' >"$run_dir/cdrd.tsv"
scenario() {  # name, description, paths file, key (as bench/peers/driver.py's), total, auth
  local name=$1 what=$2 paths=$3 key=$4 total=${5:-} result rc=0 before server_ticks others cpu_ms errors
  local -a auth=(--user "$user")
  [[ ${6:-} != bearer ]] || auth=(--bearer)
  log "scenario: $name ($connections connections, ${duration} s after ${warmup} s warm-up)"
  breakdown_scrape "$run_dir/metrics.before"
  before=$(cpu_ticks)
  result=$("$loadgen" http --port "$port" "${auth[@]}" --connections "$connections" \
    --duration-s "$duration" --warmup-s "$warmup" --paths-file "$paths") || rc=$?
  read -r server_ticks others < <(cpu_usage "$before" "$(cpu_ticks)")
  breakdown_scrape "$run_dir/metrics.after"
  breakdown_rows+=("$(breakdown_list "$name" "$run_dir/metrics.before" "$run_dir/metrics.after")")
  log "$result (server CPU ${server_ticks} ticks, other processes ${others}% of the machine)"
  cpu_ms=$(awk -v t="$server_ticks" -v hz="$clk_tck" -v n="$(value answered "$result")" \
    'BEGIN {if (n > 0) printf "%.2f", t / hz * 1000 / n; else print "?"}')
  errors=$(value errors "$result")
  local others_cell=$others%
  ((others < 10)) || { log "WARNING: other processes used ${others}% of the CPU: $name is disturbed"; others_cell="**$others%**"; }
  if [[ $rc != 0 || -z $result || $errors != 0 ]]; then
    failures=$((failures + 1))
    rows+=("| $name | $what | INVALID: ${errors:-?} errors (exit $rc) | | | | | | |")
    printf '%s\t%s\tINVALID\t\t\t%s\n' "$key" "$name" "$total" >>"$run_dir/cdrd.tsv"
  else
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$name" "$(value p50_ms "$result")" "$(value p99_ms "$result")" \
      "$(value requests_per_s "$result")" "$total" >>"$run_dir/cdrd.tsv"
    rows+=("| $name | $what | $(value requests "$result") | $(value requests_per_s "$result") | $(value p50_ms "$result") | $(value p99_ms "$result") | $(value max_ms "$result") | $cpu_ms | $others_cell |")
  fi
}

scenario "retrieve by uuid" "\`GET .../Zentrunk/Call/{call_uuid}/\`, $n_uuids uuids of the account in turn" "$run_dir/uuid.paths" uuid
scenario "first page" "\`GET .../Zentrunk/Call/\` (20 calls of $window_calls in the 30-day window)" "$run_dir/first.paths" first "$window_calls"
scenario "filtered page" "\`GET .../Zentrunk/Call/?$filter\` ($filtered_calls match; $prefix_calls calls have a to_number +49...)" "$run_dir/filtered.paths" filtered "$filtered_calls"
scenario "deep offset" "\`GET .../Zentrunk/Call/?offset=$deep_offset\`" "$run_dir/deep.paths" deep "$window_calls"
scenario "filtered page, home prefix" "\`GET .../Zentrunk/Call/?$home_filter\` ($home_filtered_calls match; $home_prefix_calls calls have a to_number +44..., $home_inbound_calls of them inbound)" "$run_dir/home-filtered.paths" home "$home_filtered_calls"
scenario "PBX username filter" "\`GET /api/ver1.0/client/@me/calls/?$pbx_user_query\` (no total)" "$run_dir/pbx-user.paths" pbx_user "" bearer
scenario "PBX deep page" "\`GET /api/ver1.0/client/@me/calls/?page=$pbx_deep_page\` (no total)" "$run_dir/pbx-deep.paths" pbx_deep "" bearer
scenario "trunk filter" "\`GET .../Zentrunk/Call/?$trunk_filter\` ($trunk_calls match)" "$run_dir/trunk.paths" trunk "$trunk_calls"
scenario "3 filters, 90 days" "\`GET .../Zentrunk/Call/?$combo_filter\` ($combo_calls match)" "$run_dir/combo.paths" combo90 "$combo_calls"

# ---- memory and restart -------------------------------------------------------------------

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }
rss_loaded_kib=$(rss_kib)
stop_rc=0
stop_server || stop_rc=$?
# The clean stop wrote the index snapshot (docs/architecture.md, "The index snapshot"; with
# BENCH_CALLS_STORE=segments the segment store's, "The segment store": its log lines differ).
if [[ $calls_store == segments ]]; then
  snapshot_write_line=$(grep -o 'calls: \(no \)\?snapshot .*written.*' "$run_dir/serve.log" | tail -1)
else
  snapshot_write_line=$(grep -o 'list index: \(no \)\?snapshot written.*' "$run_dir/serve.log" | tail -1)
fi
# restart_once: starts the server on the stored calls and times its start to the first answered
# filtered list; sets restart_s, index_line (the server's log line: which path the start took,
# and what the index holds), restart_path (snapshot or table) and rss_restarted_kib.
restart_once() {
  local t0 lines_before
  lines_before=$(wc -l <"$run_dir/serve.log")
  t0=$(date +%s%N)
  start_server "$data_dir"
  "$loadgen" get --port "$port" --user "$user" --path "$base?$filter" >/dev/null
  restart_s=$(awk -v t0="$t0" -v t1="$(date +%s%N)" 'BEGIN {printf "%.1f", (t1 - t0) / 1e9}')
  if [[ $calls_store == segments ]]; then
    index_line=$(tail -n +"$((lines_before + 1))" "$run_dir/serve.log" | grep -o 'calls: in segments.*' | tail -1)
  else
    index_line=$(tail -n +"$((lines_before + 1))" "$run_dir/serve.log" | grep -o 'list index: [0-9].*' | tail -1)
  fi
  # "table": the calls read again (the sqlite store's calls table, or every segment).
  case $index_line in
    *"loaded from the index snapshot"* | *"loaded from the snapshot"*) restart_path=snapshot ;;
    *"built from the calls table"* | *"built from the calls ("*) restart_path=table ;;
    *) restart_path="?" ;;
  esac
  rss_restarted_kib=$(rss_kib)
  log "restart ($restart_path): first filtered list answered after $restart_s s ($index_line; RSS $((rss_restarted_kib / 1024)) MiB)"
}
# Both paths of a start, one after the other: from the snapshot the clean stop wrote, then (its
# file removed after another clean stop) from the calls table, as after a crash.
log "restart: cdrd serve on the $calls stored calls, from the index snapshot"
restart_once
snapshot_restart_s=$restart_s snapshot_index_line=$index_line snapshot_path_taken=$restart_path
index_bytes_per_call=$(sed -n 's/.*(\([0-9.]*\) bytes per call).*/\1/p' <<<"$index_line")
rss_snapshot_kib=$rss_restarted_kib
stop_server || stop_rc=$?
if [[ $calls_store == segments ]]; then
  rm -f "$data_dir/calls/index" "$data_dir/calls/uuids"
else
  rm -f "$data_dir/cdrd.db.index"
fi
log "restart: cdrd serve on the $calls stored calls, its index snapshot removed"
restart_once
table_restart_s=$restart_s table_index_line=$index_line table_path_taken=$restart_path
if [[ $calls_store == segments ]]; then
  table_why=$(grep -o 'built from the calls ([^)]*)' "$run_dir/serve.log" | tail -1)
else
  table_why=$(grep -o 'list index: built from the calls table: .*' "$run_dir/serve.log" | tail -1)
fi
stop_server || stop_rc=$?
[[ $snapshot_path_taken == snapshot && $table_path_taken == table ]] || {
  log "restart: the starts took the paths '$snapshot_path_taken' and '$table_path_taken', not snapshot and table"
  failures=$((failures + 1))
}

# Rating throughput: in memory, with a seeded deck of 50,000+ prefixes (docs/rating.md).
log "rating throughput (rating_throughput)"
rating_line=$("$build_dir/rating_throughput" | tee "$run_dir/rating.txt" | head -1) || rating_line=""
rating_per_s=${rating_line#rating_records_per_s }
if [[ ! $rating_per_s =~ ^[0-9]+$ ]]; then
  log "rating_throughput failed"
  failures=$((failures + 1))
  rating_per_s="INVALID"
fi
rating_detail=$(sed -n 2p "$run_dir/rating.txt" 2>/dev/null)
[[ $stop_rc == 0 ]] || { log "cdrd serve exited with $stop_rc on SIGTERM"; failures=$((failures + 1)); }

# ---- peer engines -------------------------------------------------------------------------

peer_table=
if [[ $engines_wanted == 1 ]]; then
  log "peer engines: PostgreSQL, ClickHouse, SQLite with a covering index (bench/peers/run.sh)"
  {
    echo "db=$data_dir/cdrd.db"
    echo "auth_id=$user"
    echo "now_us=$now_us"
    echo "trunk_id=$trunk_in"
    echo "usernames=$pbx_usernames"
    echo "deep_offset=$deep_offset"
    echo "pbx_page=$pbx_deep_page"
    echo "uuids_file=$run_dir/uuid.paths"
  } >"$run_dir/peers.params"
  if bash "$repo/bench/peers/run.sh" "$build_dir" "$run_dir/peers.params" "$run_dir/peers"; then
    peer_table=$(/usr/bin/python3 "$repo/bench/peers/driver.py" table --cdrd "$run_dir/cdrd.tsv" --peers "$run_dir/peers/peers.tsv")
  else
    log "the peer engines failed"
    failures=$((failures + 1))
  fi
fi

# ---- retrieve by uuid against nginx ------------------------------------------------------
# cdrd again (from the snapshot of its last clean stop) and nginx serving one retrieve answer as
# a static file, measured in alternating rounds (bench/nginx.sh).
nginx_ratio=INVALID nginx_verdict="no figure"
if [[ $nginx_wanted == 1 ]]; then
  # nginx comes with the peers' packages; installed here too, for a run that skips every engine.
  bash "$repo/scripts/install-deps.sh" bench
  log "retrieve by uuid against nginx $(nginx -v 2>&1 | grep -o '[0-9][0-9.]*') serving the same body as a static file"
  serve_log_from=$(($(wc -l <"$run_dir/serve.log") + 1))
  start_server "$data_dir"
  wait_uuid_maps "$serve_log_from"
  if nginx_start "$run_dir/retrieve.json" &&
    nginx_versus_cdrd "$port" "$user" "$run_dir/uuid.paths" "$connections" "$run_dir" &&
    [[ $nginx_cmp_errors == 0 && $nginx_cmp_ratio != INVALID ]]; then
    nginx_ratio=$nginx_cmp_ratio
    nginx_verdict=$(awk -v r="$nginx_ratio" 'BEGIN {print (r >= 0.7 ? "met" : "NOT met")}')
  else
    log "the retrieve against nginx failed"
    failures=$((failures + 1))
  fi
  nginx_stop
  stop_server || { log "cdrd serve exited with an error on SIGTERM"; failures=$((failures + 1)); }
fi

# ---- cdrd import ----------------------------------------------------------------------------
# The same data set through `cdrd import` into a database of its own (bench/import.sh).
import_line=
if [[ ${BENCH_IMPORT:-1} == 1 ]]; then
  log "cdrd import of the same $calls records (bench/import.sh)"
  import_line=$(BENCH_CALLS=$calls BENCH_SEED=$seed BENCH_ACCOUNTS=$n_accounts BENCH_FIRST_ACCOUNT_PERCENT=$first_percent \
    BENCH_DAYS=$days BENCH_END_UNTIL=$end_until bash "$repo/bench/import.sh" "$build_dir") ||
    { log "the import failed"; failures=$((failures + 1)); import_line=; }
  log "$import_line"
fi

# ---- results ------------------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem_gib=$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
per_account=$(for i in "${!auth_ids[@]}"; do printf '%s ' "${account_calls[$i]}"; done)
{
  echo "# cdrd benchmark"
  echo
  if [[ $failures != 0 ]]; then
    echo "**THIS RUN FAILED ($failures failures): the figures marked INVALID are not results.**"
    echo
  fi
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| machine | ${cpu:-unknown CPU}, $(nproc) cores (nproc), ${mem_gib} GiB RAM, $(uname -sr); load average before the run $load_before |"
  if [[ -n $calls_store ]]; then
    echo "| cdrd | commit $commit, \`cdrd serve --threads $server_threads --calls $calls_store\` (access log on; the calls in the $calls_store store, the rest in SQLite) |"
  else
    echo "| cdrd | commit $commit, \`cdrd serve --threads $server_threads\` (access log on), SQLite WAL, synchronous=FULL |"
  fi
  echo "| data set | $calls calls, seed $seed, $n_accounts accounts (${per_account% }; the first takes ${first_percent}%), end times in the $days days before $(date -u -d "@$end_until" '+%Y-%m-%d %H:%M:%S') UTC (\`BENCH_END_UNTIL=$end_until\`; the same settings make the same calls) |"
  echo "| load | loadgen on the same machine: HTTP/1.1 keep-alive, closed loop |"
  echo
  echo "## Ingest (\`POST /v1/ingest/calls\`)"
  echo
  echo "| records | per request | connections | seconds | records/s | first 10%: records/s | last 10%: records/s | server CPU µs/record | other processes |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "| $(value records "$ingest") | $batch | $ingest_connections | $(value seconds "$ingest") | $(value records_per_s "$ingest") | $(value first_tenth_per_s "$ingest") | $(value last_tenth_per_s "$ingest") | $ingest_us_per_record | $ingest_others_cell |"
  echo
  if [[ $(value prebuilt "$ingest") == 1 ]]; then
    echo "The load generator made every request body before its clock started" \
      "($(value prebuild_s "$ingest") s, not counted), and used $(value cpu_s "$ingest") s of CPU while timed, on the same cores."
  else
    echo "The time includes making the records in the load generator on the same cores" \
      "($(value generate_s "$ingest") s of generator time over all connections)."
  fi
  echo
  if [[ ${BENCH_IMPORT:-1} == 1 ]]; then
    echo "## \`cdrd import\` of the same records (bench/import.sh)"
    echo
    echo "| records | seconds | records/s | import's CPU µs/record | records/s of ingest above | import / ingest | other processes |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    if [[ -n $import_line ]]; then
      echo "| $(value records "$import_line") | $(value seconds "$import_line") | $(value records_per_s "$import_line") | $(value cpu_us "$import_line") | $(value records_per_s "$ingest") | $(awk -v i="$(value records_per_s "$import_line")" -v g="$(value records_per_s "$ingest")" 'BEGIN {printf "%.2f", i / g}') | $(value other_processes_pct "$import_line")% |"
    else
      echo "| INVALID | | | | | | |"
    fi
    echo
    echo "One \`cdrd import --format ndjson\` process on a file of the records \`loadgen ingest\` posts" \
      "(written before, not timed), into a fresh database with the same accounts and trunks."
    echo
  fi
  echo "## Memory and restart"
  echo
  echo "| list index, bytes per call held | server RSS after the load | server RSS after a restart from the snapshot (before the page cache warms) | restart to the first filtered list: from the index snapshot | the same: from the calls ($([[ $calls_store == segments ]] && echo "every segment read" || echo "the calls table")) |"
  echo "|---:|---:|---:|---:|---:|"
  echo "| ${index_bytes_per_call:-?} | $((rss_loaded_kib / 1024)) MiB | $((rss_snapshot_kib / 1024)) MiB | $snapshot_restart_s s ($snapshot_path_taken) | $table_restart_s s ($table_path_taken) |"
  echo
  # The log lines name the snapshot by its path in this run's temporary directory: shown as
  # data/cdrd.db.index, so the report holds nothing of the machine it ran on.
  snapshot_write_line=${snapshot_write_line//$run_dir\//} table_why=${table_why//$run_dir\//}
  echo "The server's log lines: at the clean stop \`${snapshot_write_line:-none}\`; at the restarts" \
    "\`${snapshot_index_line:-none}\` and \`${table_index_line:-none}\` (\`${table_why:-}\`)."
  echo
  echo "## Rating (in memory, \`rating_throughput\`)"
  echo
  echo "| records/s | run |"
  echo "|---:|---|"
  echo "| $rating_per_s | ${rating_detail:-} |"
  echo
  echo "## Call API (one account, $connections connections, ${duration} s measured after ${warmup} s warm-up)"
  echo
  echo "| scenario | request | requests | requests/s | p50 ms | p99 ms | max ms | server CPU ms/request | other processes |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Latency is measured in the load generator from sending the request to reading the whole" \
    "response; percentiles are exact (nearest rank over every request in the measured interval)." \
    "The load generator shares the machine's cores with the server. *Server CPU* is the server" \
    "process's CPU time (user + system) divided by the requests (records) it answered, warm-up" \
    "included; *other processes* is the share of the machine's CPU that neither the server nor" \
    "the load generator used while it ran (kernel threads count there too, e.g. disk writeback" \
    "during ingest): a figure taken while it was 10% or more (in bold) is disturbed by other work."
  echo
  echo "## Where the time goes (the server's stage timers, docs/metrics.md)"
  echo
  echo "Per ingested record, over the ingest above:"
  echo
  echo "$ingest_breakdown"
  echo
  echo "Per list, over each list scenario above (warm-up included):"
  echo
  breakdown_list_header
  for row in "${breakdown_rows[@]}"; do [[ -z $row ]] || echo "$row"; done
  echo
  echo "The server sums the wall time of each stage on the thread that runs it" \
    "(\`cdrd_ingest_stage_seconds_total\`, \`cdrd_list_stage_seconds_total\`); *request time* is" \
    "the server's own time of the same requests, from their first byte to the last byte of the" \
    "answer (\`cdrd_http_request_duration_seconds_sum\`), summed over the connections;" \
    "*rest* is the request time minus the stages: HTTP, reading the body, waiting for a" \
    "worker or a lock. Ingest's store stage is the group-commit writer's transactions (the" \
    "fsync included) and the list index update; a list's match and count is the list index's" \
    "query (the SQL evaluation's whole statement when the index does not answer), fetch the" \
    "page's rows read by id, render the JSON body."
  if [[ $engines_wanted == 1 ]]; then
    echo
    echo "## cdrd and its peers (the same calls and queries; docs/benchmarks.md)"
    echo
    if [[ -n $peer_table ]]; then
      printf '%s\n' "$peer_table"
    else
      echo "**The peer engines failed: no figures.**"
    fi
    echo
    echo "cdrd: the scenarios above ($connections connection(s), latency in loadgen over HTTP, JSON included)." \
      "Peers: the same logical query (page of 20 by end_time DESC, id DESC, and the exact count where" \
      "the SIP-trunk API shows one) timed in one Python process through each engine's own client" \
      "(psycopg2, ClickHouse's HTTP interface, sqlite3), ${BENCH_PEER_ROUNDS:-200} interleaved rounds" \
      "after ${BENCH_PEER_WARMUP:-10} (fewer for a query slower than ${BENCH_PEER_BUDGET_S:-10} s in all)." \
      "*round trip* is SELECT 1: what the client and connection alone cost. The last column is the best" \
      "peer's p50 over cdrd's: how many times faster cdrd is (below 1x, slower; the goal is 5x)."
  fi
  if [[ $nginx_wanted == 1 ]]; then
    echo
    echo "## Retrieve by uuid against nginx serving the same body as a static file"
    echo
    echo "| server | requests/s (mean of the rounds) | p50 ms | p99 ms (medians of the rounds) |"
    echo "|---|---:|---:|---:|"
    echo "| cdrd | ${nginx_cmp_cdrd_rps:-INVALID} | ${nginx_cmp_cdrd_p50:-} | ${nginx_cmp_cdrd_p99:-} |"
    echo "| nginx $(nginx -v 2>&1 | grep -o '[0-9][0-9.]*') | ${nginx_cmp_nginx_rps:-INVALID} | ${nginx_cmp_nginx_p50:-} | ${nginx_cmp_nginx_p99:-} |"
    echo
    echo "cdrd / nginx: **$nginx_ratio** (target: at least 0.7; $nginx_verdict); each round's: ${nginx_cmp_round_ratios:-none}." \
      "Same loadgen, $connections connection(s), ${BENCH_NGINX_ROUNDS:-5} alternating rounds (cdrd, nginx, cdrd, ...)" \
      "of ${BENCH_NGINX_ROUND_S:-$(( duration / 3 > 2 ? duration / 3 : 2 ))} s each after 1 s of warm-up, cdrd restarted from its snapshot;" \
      "nginx $(nproc) workers, access log off (bench/nginx.sh)."
  fi
} >"$results"

cat "$results"
[[ $failures == 0 ]] || { log "$failures failures: see above"; exit 1; }

if [[ ${BENCH_HARDENING:-1} == 1 ]]; then
  [[ $keep_data == 1 ]] || rm -rf "$run_dir"  # the baseline's database is not needed any more
  echo
  bash "$repo/bench/hardening.sh" "$build_dir"
fi

# The export's speed and memory on a demo database of its own (bench/export.sh).
if [[ ${BENCH_EXPORT:-1} == 1 ]]; then
  echo
  bash "$repo/bench/export.sh" "$build_dir"
fi
