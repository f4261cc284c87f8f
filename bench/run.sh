#!/usr/bin/env bash
# `make bench`: the baseline benchmark of cdrd.
#
# Starts `cdrd serve` from BUILD_DIR on a free port with a fresh database under bench/out/,
# creates the accounts, loads a seeded data set through POST /v1/ingest/calls, checks that the
# Call API counts every call, then measures five Call API requests over HTTP/1.1 keep-alive with
# concurrent connections (closed loop), writes the figures to bench/out/results.md and prints
# them. Exits non-zero if anything failed; a scenario with any non-200 answer is marked INVALID.
#
# Usage: bash bench/run.sh [BUILD_DIR]      (BUILD_DIR defaults to build)
# Settings (environment):
#   BENCH_CALLS=1000000        calls in the data set        BENCH_SEED=42       its seed
#   BENCH_ACCOUNTS=5           accounts they are spread over
#   BENCH_END_UNTIL=<now>      Unix seconds: calls end in the BENCH_DAYS=30 days before it
#   BENCH_BATCH=5000           records per ingest request   BENCH_INGEST_CONNECTIONS=2
#   BENCH_CONNECTIONS=4        concurrent connections of the Call API scenarios
#   BENCH_DURATION_S=15        measured seconds per scenario, after BENCH_WARMUP_S=2
#   BENCH_SERVER_THREADS=4     cdrd serve --threads
#   BENCH_DEEP_OFFSET=10000    offset of the deep-page scenario
#   BENCH_KEEP_DATA=0          1 keeps the database (bench/out/run.*) afterwards
#   BENCH_HARDENING=1          then runs the hardening scenarios (bench/hardening.sh, its own
#                              settings and data set; results in bench/out/hardening.md); 0 skips
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "${1:-build}" && pwd)
cdrd=$build_dir/cdrd
loadgen=$build_dir/loadgen
for tool in "$cdrd" "$loadgen"; do
  [[ -x $tool ]] || { echo "bench: $tool not found: build first (make bench)" >&2; exit 2; }
done

calls=${BENCH_CALLS:-1000000}
seed=${BENCH_SEED:-42}
n_accounts=${BENCH_ACCOUNTS:-5}
days=${BENCH_DAYS:-30}
end_until=${BENCH_END_UNTIL:-$(date -u +%s)}
batch=${BENCH_BATCH:-5000}
ingest_connections=${BENCH_INGEST_CONNECTIONS:-2}
connections=${BENCH_CONNECTIONS:-4}
duration=${BENCH_DURATION_S:-15}
warmup=${BENCH_WARMUP_S:-2}
server_threads=${BENCH_SERVER_THREADS:-4}
deep_offset=${BENCH_DEEP_OFFSET:-10000}
keep_data=${BENCH_KEEP_DATA:-0}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
out=$repo/bench/out
mkdir -p "$out"
run_dir=$(mktemp -d "$out/run.XXXXXX")
data_dir=$run_dir/data
results=$out/results.md
log_prefix=bench
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"

# ---- server and accounts ------------------------------------------------------------------

operator_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CDRD_OPERATOR_KEY=$operator_key

create_accounts "$data_dir" bench "$n_accounts"

start_server "$data_dir"
log "cdrd serve on 127.0.0.1:$port (threads $server_threads), accounts: ${auth_ids[*]}"

# "key=value" of a RESULT line.
value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# ---- trunks: a call must name a trunk of its account ---------------------------------------

create_trunks
log "trunks (outbound:inbound per account): ${trunk_pairs[*]}"

# ---- ingest -------------------------------------------------------------------------------

log "ingest: $calls calls, seed $seed, $batch per request, $ingest_connections connections"
before=$(cpu_ticks)
ingest=$("$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" \
  --end-until "$end_until" --days "$days" --batch "$batch" --connections "$ingest_connections")
log "$ingest"
read -r ingest_server_ticks ingest_others < <(cpu_usage "$before" "$(cpu_ticks)")
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

"$loadgen" uuids --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" --end-until "$end_until" \
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
deep_objects=$("$loadgen" get --port "$port" --user "$user" --path "$base?offset=$deep_offset" | { grep -o '"call_uuid"' || true; } | wc -l)
[[ $deep_objects -gt 0 ]] || { log "offset $deep_offset is past the last call ($window_calls in the window)"; exit 1; }

rows=()
failures=0
scenario() {  # name, description, paths file
  local name=$1 what=$2 paths=$3 result rc=0 before server_ticks others cpu_ms errors
  log "scenario: $name ($connections connections, ${duration} s after ${warmup} s warm-up)"
  before=$(cpu_ticks)
  result=$("$loadgen" http --port "$port" --user "$user" --connections "$connections" \
    --duration-s "$duration" --warmup-s "$warmup" --paths-file "$paths") || rc=$?
  read -r server_ticks others < <(cpu_usage "$before" "$(cpu_ticks)")
  log "$result (server CPU ${server_ticks} ticks, other processes ${others}% of the machine)"
  cpu_ms=$(awk -v t="$server_ticks" -v hz="$clk_tck" -v n="$(value answered "$result")" \
    'BEGIN {if (n > 0) printf "%.2f", t / hz * 1000 / n; else print "?"}')
  errors=$(value errors "$result")
  local others_cell=$others%
  ((others < 10)) || { log "WARNING: other processes used ${others}% of the CPU: $name is disturbed"; others_cell="**$others%**"; }
  if [[ $rc != 0 || -z $result || $errors != 0 ]]; then
    failures=$((failures + 1))
    rows+=("| $name | $what | INVALID: ${errors:-?} errors (exit $rc) | | | | | | |")
  else
    rows+=("| $name | $what | $(value requests "$result") | $(value requests_per_s "$result") | $(value p50_ms "$result") | $(value p99_ms "$result") | $(value max_ms "$result") | $cpu_ms | $others_cell |")
  fi
}

scenario "retrieve by uuid" "\`GET .../Zentrunk/Call/{call_uuid}/\`, $n_uuids uuids of the account in turn" "$run_dir/uuid.paths"
scenario "first page" "\`GET .../Zentrunk/Call/\` (20 calls of $window_calls in the 30-day window)" "$run_dir/first.paths"
scenario "filtered page" "\`GET .../Zentrunk/Call/?$filter\` ($filtered_calls match; $prefix_calls calls have a to_number +49...)" "$run_dir/filtered.paths"
scenario "deep offset" "\`GET .../Zentrunk/Call/?offset=$deep_offset\`" "$run_dir/deep.paths"
scenario "filtered page, home prefix" "\`GET .../Zentrunk/Call/?$home_filter\` ($home_filtered_calls match; $home_prefix_calls calls have a to_number +44..., $home_inbound_calls of them inbound)" "$run_dir/home-filtered.paths"

stop_rc=0
stop_server || stop_rc=$?

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
  echo "| cdrd | commit $commit, \`cdrd serve --threads $server_threads\` (access log on), SQLite WAL, synchronous=FULL |"
  echo "| data set | $calls calls, seed $seed, $n_accounts accounts (${per_account% }), end times in the $days days before $(date -u -d "@$end_until" '+%Y-%m-%d %H:%M:%S') UTC (\`BENCH_END_UNTIL=$end_until\`; the same settings make the same calls) |"
  echo "| load | loadgen on the same machine: HTTP/1.1 keep-alive, closed loop |"
  echo
  echo "## Ingest (\`POST /v1/ingest/calls\`)"
  echo
  echo "| records | per request | connections | seconds | records/s | first 10%: records/s | last 10%: records/s | server CPU µs/record | other processes |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "| $(value records "$ingest") | $batch | $ingest_connections | $(value seconds "$ingest") | $(value records_per_s "$ingest") | $(value first_tenth_per_s "$ingest") | $(value last_tenth_per_s "$ingest") | $ingest_us_per_record | $ingest_others_cell |"
  echo
  echo "The time includes making the records in the load generator on the same cores" \
    "($(value generate_s "$ingest") s of generator time over all connections)."
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
} >"$results"

cat "$results"
[[ $failures == 0 ]] || { log "$failures failures: see above"; exit 1; }

if [[ ${BENCH_HARDENING:-1} == 1 ]]; then
  [[ $keep_data == 1 ]] || rm -rf "$run_dir"  # the baseline's database is not needed any more
  echo
  bash "$repo/bench/hardening.sh" "$build_dir"
fi
