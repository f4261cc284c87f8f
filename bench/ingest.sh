#!/usr/bin/env bash
# shellcheck disable=SC2034  # settings read by the sourced bench/settings.sh and bench/server.sh
# The ingest phase of `make bench` (bench/run.sh) alone, for side-by-side runs of two builds.
#
# Starts `cdrd serve` from BUILD_DIR on a free port with a fresh database under bench/out/,
# creates the accounts and their trunks, loads the seeded data set through POST
# /v1/ingest/calls with loadgen (from LOADGEN_DIR, default BUILD_DIR) exactly as bench/run.sh
# does, and prints one line
#   INGEST records=N seconds=S records_per_s=R first_tenth_per_s=F last_tenth_per_s=L
#          server_cpu_us=C writer_cpu_us=W publisher_cpu_us=U checkpoint_cpu_us=K loadgen_cpu_us=G
#          other_processes_pct=P load=L1,L5,L15 prebuilt=0|1 prebuild_s=B
# (CPU µs per record: the server's user + system time; of it, the group-commit writer thread's
# (cdrd-writer, or the busiest thread of a build that names none), the publisher's and the WAL
# checkpoint's (cdrd-checkpoint; 0 for a build that names none); the load
# generator's while the clock ran (its own figure, cpu_s; from a loadgen that gives none, its
# CPU time in all); other processes: the share of the machine's CPU neither used; the load average
# before; whether loadgen made the bodies before the clock started, BENCH_INGEST_PREBUILD, and
# how long that took, outside the timed figures), then the server's own breakdown per record
# (bench/breakdown.sh). Nothing of the database is kept unless BENCH_KEEP_DATA=1.
#
# Usage: bash bench/ingest.sh [BUILD_DIR [LOADGEN_DIR]]
# Settings: those of bench/settings.sh (BENCH_CALLS, default 2,000,000 here; BENCH_ACCOUNTS,
# BENCH_FIRST_ACCOUNT_PERCENT, BENCH_BATCH, BENCH_INGEST_CONNECTIONS, BENCH_INGEST_PREBUILD,
# BENCH_SERVER_THREADS, ...).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_start bench "${1:-build}" ingest 2000000 15 5000
loadgen_dir=$(cd "${2:-$build_dir}" && pwd)
loadgen=$loadgen_dir/loadgen
bench_need bench "$loadgen"

log_prefix=ingest
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"
# shellcheck source=bench/breakdown.sh
source "$repo/bench/breakdown.sh"

operator_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CDRD_OPERATOR_KEY=$operator_key
create_accounts "$data_dir" bench "$n_accounts"
start_server "$data_dir"
create_trunks

value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)
breakdown_scrape "$run_dir/metrics.before"
before=$(cpu_ticks)
ingest=$("$loadgen" ingest --port "$port" --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" \
  --seed "$seed" --first-account-percent "$first_percent" --end-until "$end_until" --days "$days" \
  --batch "$batch" --connections "$ingest_connections" "${ingest_prebuild_flag[@]}")
after=$(cpu_ticks)
# The writer thread's CPU (named cdrd-writer; in a build that names no thread, the busiest one)
# and the publisher's, in ticks.
threads=$(for t in /proc/"$server_pid"/task/*; do
  echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done)
writer_ticks=$(awk '$1 == "cdrd-writer" {print $2; f = 1} END {if (!f) print ""}' <<<"$threads")
[[ -n $writer_ticks ]] || writer_ticks=$(awk '$2 > m {m = $2} END {print m + 0}' <<<"$threads")
publisher_ticks=$(awk '$1 == "cdrd-publisher" {print $2; f = 1} END {if (!f) print 0}' <<<"$threads")
# The WAL's background checkpoint (cdrd-checkpoint; 0 for a build that names no such thread).
checkpoint_ticks=$(awk '$1 == "cdrd-checkpoint" {print $2; f = 1} END {if (!f) print 0}' <<<"$threads")
read -r server_ticks others < <(cpu_usage "$before" "$after")
# Other processes over the timed phase alone, from the machine's busy time loadgen saw while its
# clock ran (machine_cpu_s): the making of the bodies before (prebuild_s) is left out. The
# server is idle while they are made, so its time counts whole.
machine_s=$(value machine_cpu_s "$ingest")
if [[ -n $machine_s ]]; then
  others=$(awk -v m="$machine_s" -v t="$server_ticks" -v hz="$clk_tck" -v g="$(value cpu_s "$ingest")" \
    -v w="$(value seconds "$ingest")" -v c="$ncpu" 'BEGIN {o = (m - t / hz - g) / (c * w) * 100; printf "%d", o < 0 ? 0 : o}')
fi
breakdown_scrape "$run_dir/metrics.after"
records=$(value records "$ingest")
[[ $(value stored "$ingest") == "$calls" ]] || { log "stored $(value stored "$ingest") of $calls: $ingest"; exit 1; }
read -r -a b <<<"$before"
read -r -a a <<<"$after"
echo "INGEST records=$records seconds=$(value seconds "$ingest") records_per_s=$(value records_per_s "$ingest")" \
  "first_tenth_per_s=$(value first_tenth_per_s "$ingest") last_tenth_per_s=$(value last_tenth_per_s "$ingest")" \
  "server_cpu_us=$(awk -v t="$server_ticks" -v hz="$clk_tck" -v n="$records" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')" \
  "writer_cpu_us=$(awk -v t="$writer_ticks" -v hz="$clk_tck" -v n="$records" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')" \
  "publisher_cpu_us=$(awk -v t="$publisher_ticks" -v hz="$clk_tck" -v n="$records" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')" \
  "checkpoint_cpu_us=$(awk -v t="$checkpoint_ticks" -v hz="$clk_tck" -v n="$records" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')" \
  "loadgen_cpu_us=$(awk -v s="$(value cpu_s "$ingest")" -v t="$((a[2] - b[2]))" -v hz="$clk_tck" -v n="$records" \
    'BEGIN {printf "%.1f", (s == "" ? t / hz : s) * 1e6 / n}')" \
  "other_processes_pct=$others load=$load prebuilt=$(value prebuilt "$ingest") prebuild_s=$(value prebuild_s "$ingest")"
breakdown_ingest "$run_dir/metrics.before" "$run_dir/metrics.after"
