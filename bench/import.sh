#!/usr/bin/env bash
# `cdrd import` of the bench's data set, for the issue's "cdrd import at least as fast" as ingest.
#
# Creates the accounts in a fresh database under bench/out/, starts `cdrd serve` only to create
# their trunks (as bench/run.sh and bench/ingest.sh do) and stops it, writes the seeded data set
# that `loadgen ingest` would post to one NDJSON file (`loadgen ndjson`: the same records, the
# same order; not timed), then times `cdrd import --format ndjson` of that file into the
# database: one process, the same validation, rating and group-commit writer as the server's
# ingest, every record durable when it returns. Checks that every record was stored, and prints
#   IMPORT records=N seconds=S records_per_s=R cpu_us=C mb=M other_processes_pct=P
# (cpu_us: the import process's user + system CPU per record). The file and the database are
# removed unless BENCH_KEEP_DATA=1.
#
# Usage: bash bench/import.sh [BUILD_DIR]
# Settings: those of bench/settings.sh (BENCH_CALLS, default 2,000,000 here; BENCH_ACCOUNTS,
# BENCH_FIRST_ACCOUNT_PERCENT, BENCH_SEED, BENCH_END_UNTIL, BENCH_DAYS).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_start bench "${1:-build}" import 2000000 15 5000

log_prefix=import
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"

value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

create_accounts "$data_dir" bench "$n_accounts"
start_server "$data_dir"
create_trunks
stop_server

file=$run_dir/calls.ndjson
made=$("$loadgen" ndjson --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" --seed "$seed" \
  --first-account-percent "$first_percent" --end-until "$end_until" --days "$days" --out "$file")
log "$calls records, $(value mb "$made") MB of NDJSON written in $(value seconds "$made") s (not timed)"

# The import's own CPU: this script's finished children's ticks around it (cpu_ticks), and the
# machine's busy ticks for the share other processes took.
before=$(cpu_ticks)
t0=$(date +%s%N)
"$cdrd" --data-dir "$data_dir" import --quiet --format ndjson ${calls_store:+--calls "$calls_store"} "$file" \
  >"$run_dir/import.log" 2>&1 ||
  { log "cdrd import failed:"; tail -20 "$run_dir/import.log" >&2; exit 1; }
t1=$(date +%s%N)
after=$(cpu_ticks)
read -r -a b <<<"$before"
read -r -a a <<<"$after"
import_ticks=$((a[2] - b[2]))
wall_ticks=$(((t1 - t0) * clk_tck / 1000000000))
others=$(((a[0] - b[0]) - import_ticks))
((others > 0)) || others=0
others_pct=$((100 * others / (ncpu * (wall_ticks > 0 ? wall_ticks : 1))))
# The calls stored: the calls table's count; with BENCH_CALLS_STORE (the calls not in the table),
# the import's own summary line.
if [[ -n $calls_store ]]; then
  stored=$(sed -n 's/^imported .*, stored \([0-9]*\),.*/\1/p' "$run_dir/import.log")
else
  stored=$(sqlite3 -readonly "$data_dir/cdrd.db" "SELECT count(*) FROM calls")
fi
[[ $stored == "$calls" ]] || { log "stored $stored of $calls records:"; tail -20 "$run_dir/import.log" >&2; exit 1; }
seconds=$(awk -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.2f", (t1 - t0) / 1e9}')
echo "IMPORT records=$calls seconds=$seconds" \
  "records_per_s=$(awk -v n="$calls" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.0f", n / ((t1 - t0) / 1e9)}')" \
  "cpu_us=$(awk -v t="$import_ticks" -v hz="$clk_tck" -v n="$calls" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')" \
  "mb=$(value mb "$made") other_processes_pct=$others_pct"
