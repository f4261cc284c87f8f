#!/usr/bin/env bash
# The hardening scenarios of `make bench` (also alone: `make bench-hardening`): how cdrd serve,
# with its default limits, holds up against three kinds of abuse. Each scenario compares two
# states side by side in one run and reports the ratio; all traffic is on the loopback address
# and every scenario ends by itself (each in under about two minutes with the defaults).
#
#   1. stalled uploads: the server's memory (VmRSS, VmHWM) before and while 1,000 connections
#      hold upload heads announcing 32 MiB and send nothing more: without credentials
#      (POST /oauth/token, POST /v1/ingest/calls with a wrong key; goal: under 64 MiB more in
#      total), and, separately, with the operator key after part of a body (the streamed body:
#      each holds at most one piece). Each on a fresh server with an empty database.
#   2. tenant fairness: account B's small list (GET .../Call/?limit=20) alone, then while
#      account A runs 4 loops of its slowest filtered list (goal: B's p99 within 2x); then the
#      same with --max-requests-per-account 1, to show what A's share of the cores costs B.
#   3. slow headers: the same small list alone, then while 2,000 connections send request heads
#      a byte a second and never finish them (reopened when the server closes them; goal: p99
#      within 2x).
#
# Scenarios 2 and 3 use one server loaded with a seeded data set through POST /v1/ingest/calls
# (bench/loadgen, as bench/run.sh; smaller by default). Writes bench/out/hardening.md and prints
# it. Exits non-zero if a scenario could not run (a missed goal is reported, not a failure).
#
# Usage: bash bench/hardening.sh [BUILD_DIR]      (BUILD_DIR defaults to build)
# Settings (environment):
#   HARDENING_CALLS=200000          calls in the data set      HARDENING_SEED=42  its seed
#   HARDENING_ACCOUNTS=2            accounts (A is the first, B the second)
#   HARDENING_SERVER_THREADS=0      cdrd serve --threads (0: its default, twice the cores, >= 4)
#   HARDENING_STALL_CONNECTIONS=1000  HARDENING_STALL_HOLD_S=8
#   HARDENING_AUTH_BODY_BYTES=524288  body bytes an authenticated upload sends before stalling
#   HARDENING_DURATION_S=15         scenario 2: measured seconds of each state (alone, loaded),
#   HARDENING_ROUNDS=3              in this many alternating windows, each after
#   HARDENING_WARMUP_S=2            this many seconds (also in scenario 3)
#   HARDENING_SLOW_DURATION_S=24    scenario 3: the same; a loaded window must outlast the
#   HARDENING_SLOW_ROUNDS=2         server's 10 s header timeout to see its connections reopened
#   HARDENING_HEAVY_CONNECTIONS=4   account A's loops
#   HARDENING_CAP_COMPARISON=1      1: scenario 2 once more with --max-requests-per-account 1
#   HARDENING_SLOW_CONNECTIONS=2000 HARDENING_BYTE_INTERVAL_MS=1000
#   HARDENING_KEEP_DATA=0           1 keeps the databases (bench/out/hardening.*) afterwards
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "${1:-build}" && pwd)
cdrd=$build_dir/cdrd
loadgen=$build_dir/loadgen
tool=$build_dir/hardening
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_need bench-hardening "$cdrd" "$loadgen" "$tool"

calls=${HARDENING_CALLS:-200000}
seed=${HARDENING_SEED:-42}
n_accounts=${HARDENING_ACCOUNTS:-2}
((n_accounts >= 2)) || { echo "hardening: HARDENING_ACCOUNTS must be 2 or more" >&2; exit 2; }
server_threads=${HARDENING_SERVER_THREADS:-0}
stall_connections=${HARDENING_STALL_CONNECTIONS:-1000}
stall_hold=${HARDENING_STALL_HOLD_S:-8}
auth_body=${HARDENING_AUTH_BODY_BYTES:-524288}
duration=${HARDENING_DURATION_S:-15}
rounds=${HARDENING_ROUNDS:-3}
slow_duration=${HARDENING_SLOW_DURATION_S:-24}
slow_rounds=${HARDENING_SLOW_ROUNDS:-2}
warmup=${HARDENING_WARMUP_S:-2}
heavy_connections=${HARDENING_HEAVY_CONNECTIONS:-4}
slow_connections=${HARDENING_SLOW_CONNECTIONS:-2000}
byte_interval=${HARDENING_BYTE_INTERVAL_MS:-1000}
keep_data=${HARDENING_KEEP_DATA:-0}
cap_comparison=${HARDENING_CAP_COMPARISON:-1}
days=30
end_until=$(date -u +%s)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_run_dir hardening
results=$out/hardening.md
log_prefix=hardening
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"

operator_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CDRD_OPERATOR_KEY=$operator_key

# "key=value" of a RESULT line.
value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
# The status counts of a RESULT line ("401: 20, 429: 480").
statuses() { grep -o "$2[a-z0-9]*=[0-9]*" <<<"$1" | sed "s/^$2//; s/=/: /" | paste -sd, | sed 's/,/, /g'; }
# ratio A B, two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "?"}'; }

# The share (%) of the machine's CPU used by other processes than this script's, over a
# scenario: mark=$(cpu_ticks) before, cpu_others "$mark" "$(cpu_ticks)" after.
cpu_others() {
  local usage
  usage=$(cpu_usage "$1" "$2")
  echo "${usage#* }%"
}

failures=0

# ---- 1. stalled uploads -----------------------------------------------------------------------

stall_result=
stall() {  # kind, body bytes: sets stall_result
  local kind=$1 body=$2 result rc=0 mark stall_others
  start_server "$run_dir/stall-$kind"
  log "scenario 1 ($kind): $stall_connections stalled uploads for ${stall_hold} s (cdrd serve pid $server_pid)"
  mark=$(cpu_ticks)
  result=$("$tool" stall --port "$port" --server-pid "$server_pid" --connections "$stall_connections" \
    --kind "$kind" --body-bytes "$body" --hold-s "$stall_hold") || rc=$?
  stall_others=$(cpu_others "$mark" "$(cpu_ticks)")
  log "$result (other processes $stall_others)"
  stop_server || { log "cdrd serve exited with an error on SIGTERM"; failures=$((failures + 1)); }
  [[ $rc == 0 && -n $result ]] || { log "scenario 1 ($kind) failed (exit $rc)"; failures=$((failures + 1)); }
  stall_result="$result others=$stall_others"
}
stall unauth 0
stall_unauth=$stall_result
stall auth "$auth_body"
stall_auth=$stall_result

# ---- data set ---------------------------------------------------------------------------------

data_dir=$run_dir/data
create_accounts "$data_dir" hardening "$n_accounts"
start_server "$data_dir"
log "cdrd serve on 127.0.0.1:$port (--threads $server_threads), accounts: ${auth_ids[*]}"
create_trunks
log "ingest: $calls calls over $n_accounts accounts, seed $seed"
ingest=$("$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" \
  --seed "$seed" --end-until "$end_until" --days "$days" --batch 5000 --connections 2)
log "$ingest"
[[ $(value stored "$ingest") == "$calls" ]] || { log "ingest stored $(value stored "$ingest") of $calls calls"; exit 1; }

user_a=${auth_ids[0]}
user_b=${auth_ids[1]}
export HARDENING_PASSWORD_A=${auth_tokens[0]} HARDENING_PASSWORD_B=${auth_tokens[1]}
base_a=/v1/Account/$user_a/Zentrunk/Call/
light=/v1/Account/$user_b/Zentrunk/Call/?limit=20
count_of() {  # user password path
  LOADGEN_PASSWORD=$2 "$loadgen" get --port "$port" --user "$1" --path "$3" | grep -o '"total_count": *[0-9]*' | grep -o '[0-9]*$'
}
calls_a=$(count_of "$user_a" "$HARDENING_PASSWORD_A" "${base_a}?limit=1")
calls_b=$(count_of "$user_b" "$HARDENING_PASSWORD_B" "/v1/Account/$user_b/Zentrunk/Call/?limit=1")

# ---- 2. tenant fairness -----------------------------------------------------------------------

# Account A's candidates (docs/api-calls.md filters); the tool times each once and uses the
# slowest. A's home prefix is +44 in the default data set: its to_number index range also holds
# every inbound call of A.
range="bill_duration__gte=60&bill_duration__lte=600"
cat >"$run_dir/heavy.paths" <<EOF
${base_a}?call_direction=outbound&to_number=%2B44&$range
${base_a}?to_number=%2B4&$range
${base_a}?from_number=%2B44&$range
${base_a}?call_direction=inbound&stir_verification=Verified&$range
${base_a}?hangup_source=carrier&bill_duration__gte=3000
${base_a}?offset=$((calls_a > 100 ? calls_a - 100 : 0))
EOF
fairness_result=
fairness_others=
fairness() {  # label, candidate paths file: sets fairness_result, fairness_others
  local rc=0 mark result
  log "scenario 2$1: B's small list alone, then while A runs $heavy_connections loops of its slowest list"
  mark=$(cpu_ticks)
  result=$("$tool" fairness --port "$port" --user "$user_b" --path "$light" --user-a "$user_a" \
    --heavy-paths-file "$2" --heavy-connections "$heavy_connections" \
    --warmup-s "$warmup" --duration-s "$duration" --rounds "$rounds") || rc=$?
  fairness_others=$(cpu_others "$mark" "$(cpu_ticks)")
  log "$result (other processes $fairness_others)"
  [[ $rc == 0 && -n $result ]] || { log "scenario 2$1 failed (exit $rc)"; failures=$((failures + 1)); }
  fairness_result=$result
}
fairness "" "$run_dir/heavy.paths"
fairness=$fairness_result
value heavy_path "$fairness" >"$run_dir/heavy-chosen.paths"  # the comparison uses the same list
fair_others=$fairness_others

# ---- 3. slow headers --------------------------------------------------------------------------

log "scenario 3: the small list alone, then during $slow_connections slow request heads"
mark=$(cpu_ticks)
rc=0
slow=$("$tool" slow-headers --port "$port" --user "$user_b" --path "$light" \
  --slow-connections "$slow_connections" --byte-interval-ms "$byte_interval" \
  --warmup-s "$warmup" --duration-s "$slow_duration" --rounds "$slow_rounds") || rc=$?
slow_others=$(cpu_others "$mark" "$(cpu_ticks)")
log "$slow (other processes $slow_others)"
[[ $rc == 0 && -n $slow ]] || { log "scenario 3 failed (exit $rc)"; failures=$((failures + 1)); }
stop_server || { log "cdrd serve exited with an error on SIGTERM"; failures=$((failures + 1)); }

# ---- 2 again, with --max-requests-per-account 1 -------------------------------------------------

fairness_cap=
if [[ $cap_comparison == 1 ]]; then
  start_server "$data_dir" --max-requests-per-account 1
  fairness " (--max-requests-per-account 1)" "$run_dir/heavy-chosen.paths"
  fairness_cap=$fairness_result
  fair_cap_others=$fairness_others
  stop_server || { log "cdrd serve exited with an error on SIGTERM"; failures=$((failures + 1)); }
fi

# ---- results ----------------------------------------------------------------------------------

goal() {  # met?(0/1)
  if [[ $1 == 1 ]]; then echo "met"; else echo "**missed**"; fi
}
unauth_increase=$(value rss_increase_mib "$stall_unauth")
stall_goal=$(awk -v x="${unauth_increase:-1e9}" 'BEGIN {print (x < 64) ? 1 : 0}')
fair_ratio=$(ratio "$(value loaded_p99_ms "$fairness")" "$(value baseline_p99_ms "$fairness")")
fair_goal=$(awk -v x="$fair_ratio" 'BEGIN {print (x != "?" && x <= 2) ? 1 : 0}')
slow_ratio=$(ratio "$(value loaded_p99_ms "$slow")" "$(value baseline_p99_ms "$slow")")
slow_goal=$(awk -v x="$slow_ratio" 'BEGIN {print (x != "?" && x <= 2) ? 1 : 0}')

stall_row() {  # label, result
  local r=$2
  echo "| $1 | $(value connected "$r") | $(value rss_before_mib "$r") | $(value rss_held_max_mib "$r") | **$(value rss_increase_mib "$r")** | $(value increase_kib_per_connection "$r") | $(value hwm_before_mib "$r") → $(value hwm_after_mib "$r") | $(value rss_after_release_mib "$r") | $(statuses "$r" status_) | $(value first_response_p50_ms "$r") / $(value first_response_max_ms "$r") | $(value open_at_end "$r") | $(value last_rss_held_max_mib "$r") / $(value last_rss_after_release_mib "$r") | $(value others "$r") |"
}
latency_row() {  # label, result, phase[, extra cells]
  local r=$2 p=$3
  echo "| $1 | $(value ${p}_requests "$r") | $(value ${p}_p50_ms "$r") | $(value ${p}_p99_ms "$r") | $(value ${p}_max_ms "$r") | $(value ${p}_errors "$r") |${4:-}"
}
a_cells() {  # result: A's answers, A's p50/p99, the p99 ratio
  local r=$1
  echo " $(value a_200 "$r") / $(value a_429 "$r") / $(value a_503 "$r") / $(value a_other "$r") | $(value a_p50_ms "$r") / $(value a_p99_ms "$r") | **$(value ratio_p99 "$r")** | $2 |"
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem_gib=$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
threads_text=$([[ $server_threads == 0 ]] && echo "default (twice the cores, at least 4)" || echo "$server_threads")
{
  echo "# cdrd hardening scenarios"
  echo
  if [[ $failures != 0 ]]; then
    echo "**THIS RUN FAILED ($failures failures): see the log; figures may be missing.**"
    echo
  fi
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| machine | ${cpu:-unknown CPU}, $(nproc) cores (nproc), ${mem_gib} GiB RAM, $(uname -sr); load average before the run $load_before |"
  echo "| cdrd | commit $commit, \`cdrd serve\` with its default limits, worker threads: $threads_text |"
  echo "| data set (2, 3) | $calls calls, seed $seed, $n_accounts accounts (A: $calls_a, B: $calls_b in the 30-day window) |"
  echo "| load | \`hardening\` on the same machine and cores, loopback only |"
  echo
  echo "## 1. Stalled uploads ($stall_connections connections, held ${stall_hold} s, heads announcing 33554432 bytes)"
  echo
  echo "| uploads | connections | RSS before MiB | RSS held (max) MiB | increase MiB | KiB per connection | VmHWM MiB | RSS after release MiB | first answers (status: count) | first answer p50 / max ms | still open at the end | round 2: RSS held (max) / after release MiB | other processes |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
  stall_row "no or wrong credentials (half \`POST /oauth/token\`, half \`POST /v1/ingest/calls\` with a wrong key)" "$stall_unauth"
  stall_row "operator key on \`POST /v1/ingest/calls\`, $auth_body body bytes sent, then stalled" "$stall_auth"
  echo
  echo "Goal: the unauthenticated ones pin under 64 MiB in total: $(goal "$stall_goal") ($unauth_increase MiB)." \
    "*none*: no answer while held (an accepted upload waits for its body). Round 2 does the same" \
    "again on the same server: if it holds no more than round 1, what round 1 left behind is" \
    "memory the allocator keeps for reuse, not a leak."
  echo
  echo "## 2. Tenant fairness (B: \`GET .../Call/?limit=20\`, 1 connection; A: $heavy_connections loops; $duration s of each, in $rounds alternating windows)"
  echo
  echo "A's slowest list: \`$(value heavy_path "$fairness" | sed "s|$user_a|A|")\` ($(value heavy_alone_ms "$fairness") ms alone)."
  echo
  echo "| B's small list | requests | p50 ms | p99 ms | max ms | errors | A's answers 200 / 429 / 503 / other | A's p50 / p99 ms | B's p99 ratio | other processes |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  latency_row "alone (baseline)" "$fairness" baseline " | | | |"
  latency_row "while A runs its slowest list" "$fairness" loaded "$(a_cells "$fairness" "$fair_others")"
  if [[ -n $fairness_cap ]]; then
    latency_row "alone, \`--max-requests-per-account 1\`" "$fairness_cap" baseline " | | | |"
    latency_row "while A runs its slowest list, \`--max-requests-per-account 1\`" "$fairness_cap" loaded "$(a_cells "$fairness_cap" "$fair_cap_others")"
  fi
  echo
  echo "Goal (default limits): B's p99 within 2x of its baseline: $(goal "$fair_goal") ($fair_ratio)." \
    "A's 503s are its queries stopped at the query budget (2000 ms)."
  echo
  echo "## 3. Slow headers ($slow_connections connections, a byte every $byte_interval ms, never finished; $slow_duration s of each state, in $slow_rounds alternating windows)"
  echo
  echo "| the small list (B, 1 connection) | requests | p50 ms | p99 ms | max ms | errors |"
  echo "|---|---:|---:|---:|---:|---:|"
  latency_row "alone (baseline)" "$slow" baseline
  latency_row "during the slow heads" "$slow" loaded
  echo
  echo "p99 ratio $slow_ratio (p50 ratio $(value ratio_p50 "$slow")); goal within 2x: $(goal "$slow_goal")." \
    "Slow connections open while measured: $(value slow_open_min "$slow") to $(value slow_open_max "$slow");" \
    "the server closed $(value slow_closed_by_server "$slow") of them (header timeout), each opened again" \
    "($(value slow_opened "$slow") connections opened in all). Other processes: $slow_others of the machine."
  echo
  echo "The load tool shares the machine's 2 cores with the server, and the machine is shared," \
    "so the figures are noisy: compare the ratios, and repeat a run before drawing conclusions."
} >"$results"

cat "$results"
[[ $failures == 0 ]] || { log "$failures failures: see above"; exit 1; }
