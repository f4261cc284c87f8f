#!/usr/bin/env bash
# The export's speed and memory (docs/export.md, docs/benchmarks.md "Export"): `make bench-export`,
# and the end of `make bench` (BENCH_EXPORT=0 skips it there).
#
# Creates the demo account with BENCH_EXPORT_CALLS calls (`cdrd demo`) in a fresh database under
# bench/out/, then measures
#   - `cdrd export` of every call to a file, as CSV and as NDJSON (--threads 2, then 1): calls/s,
#     CPU seconds and the peak resident memory of the process;
#   - GET /v1/Account/{auth_id}/Zentrunk/Export/ through `cdrd serve`, read by curl into a file:
#     calls/s, and the server's peak resident memory before and after;
#   - the same again once the demo has twice the calls: the memory must stay where it was.
# Writes bench/out/export.md and prints it. Exits non-zero if an export fails or counts wrong.
#
# Usage: bash bench/export.sh [BUILD_DIR]     (BUILD_DIR defaults to build)
# Settings: BENCH_EXPORT_CALLS=1000000   BENCH_EXPORT_OUT=<the run directory>: where the exported
#           files go (a tmpfs such as /dev/shm takes the disk's write speed out of the figure)
#           BENCH_KEEP_DATA=0   BENCH_SERVER_THREADS=4
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(cd "${1:-build}" && pwd)
cdrd=$build_dir/cdrd
loadgen=$build_dir/loadgen
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_need bench "$cdrd"
command -v curl >/dev/null || { echo "bench: curl not found: run scripts/install-deps.sh" >&2; exit 2; }

calls=${BENCH_EXPORT_CALLS:-1000000}
keep_data=${BENCH_KEEP_DATA:-0}
server_threads=${BENCH_SERVER_THREADS:-4}
bench_run_dir export
files=${BENCH_EXPORT_OUT:-$run_dir}
files=$(mktemp -d "$files/cdrd-export.XXXXXX")
results=$out/export.md
log_prefix=bench-export
# shellcheck source=bench/server.sh
source "$repo/bench/server.sh"
trap 'rm -rf "$files"; cleanup' EXIT

# measure CMD...: "seconds peak_rss_kib cpu_seconds" of the command (its stderr to the log).
measure() {
  python3 - "$@" 2>>"$run_dir/export.log" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:])
took = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if done.returncode != 0:
    sys.exit(done.returncode)
print(f"{took:.3f} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime:.2f}")
PY
}

# The peak resident memory of the server so far, in KiB.
server_hwm() { awk '$1 == "VmHWM:" {print $2}' "/proc/$server_pid/status"; }

rows=()
row() { rows+=("| $* |"); }
rate() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", n / s}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }

# run_round N: every measurement on a database of N calls.
run_round() {
  local n=$1 format threads m secs rss cpu lines
  demo=$("$cdrd" --data-dir "$data_dir" demo --calls "$n" 2>>"$run_dir/export.log")
  auth_id=$(sed -n 's/^ *auth_id: *//p' <<<"$demo")
  auth_token=$(sed -n 's/^ *auth_token: *//p' <<<"$demo")
  for format in csv ndjson; do
    for threads in 2 1; do
      m=$(measure "$cdrd" --data-dir "$data_dir" export --account "$auth_id" --format "$format" \
        --threads "$threads" "$files/calls.$format")
      read -r secs rss cpu <<<"$m"
      lines=$(wc -l <"$files/calls.$format")
      [[ $format == csv ]] && lines=$((lines - 1))
      [[ $lines == "$n" ]] || { log "cdrd export wrote $lines calls of $n"; exit 1; }
      row "$n | cdrd export --threads $threads | $format | $(du -m "$files/calls.$format" | cut -f1) | $secs | $cpu | $(rate "$n" "$secs") | $(mib "$rss")"
      log "$n calls, export --threads $threads, $format: $secs s, $(rate "$n" "$secs") calls/s, peak $(mib "$rss") MiB"
      rm -f "$files/calls.$format"
    done
  done
  # Through the API: the server's peak memory before (after it built its list index) and after.
  # No list window: every call of the demo (its calls end within the last 30 days).
  start_server "$data_dir"
  local before after since
  since=$(date -u -d '-31 days' '+%Y-%m-%d%%2000:00')
  for format in csv ndjson; do
    before=$(server_hwm)
    m=$(measure curl -sS --fail -u "$auth_id:$auth_token" -o "$files/api.$format" \
      "http://127.0.0.1:$port/v1/Account/$auth_id/Zentrunk/Export/?format=$format&end_time__gte=$since")
    read -r secs rss cpu <<<"$m"
    after=$(server_hwm)
    lines=$(wc -l <"$files/api.$format")
    [[ $format == csv ]] && lines=$((lines - 1))
    [[ $lines == "$n" ]] || { log "the API exported $lines calls of $n"; exit 1; }
    row "$n | GET .../Zentrunk/Export/ | $format | $(du -m "$files/api.$format" | cut -f1) | $secs | (server) | $(rate "$n" "$secs") | server $(mib "$before") → $(mib "$after")"
    log "$n calls, API, $format: $secs s, $(rate "$n" "$secs") calls/s, server peak $(mib "$before") -> $(mib "$after") MiB"
    rm -f "$files/api.$format"
  done
  stop_server
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "demo database of $calls calls in $run_dir (export files in $files)"
run_round "$calls"
run_round $((2 * calls))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# Export ($(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load $load_before → $load_after)"
  echo
  echo "| calls | how | format | MB | seconds | CPU s | calls/s | peak memory MiB |"
  echo "|---:|---|---|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "The demo account's calls (\`cdrd demo\`), every one of them; files written to $(df -T "$files" | awk 'NR == 2 {print $2}')."
  echo "CPU s: user + system seconds of \`cdrd export\`. The API's memory is the server's peak resident"
  echo "memory before the request and after it (the list index of the calls included)."
} >"$results"
cat "$results"
