#!/usr/bin/env bash
# Runs a command under the sanitizer settings of `make test-sanitize` and fails when any process
# it started wrote a sanitizer report, even one whose failure the command itself did not see.
#
# A black-box test starts the real cdrd and keeps its output in a temporary directory that it
# removes afterwards, so an AddressSanitizer, LeakSanitizer or UBSan report of the server would
# only show as a failed request or an exit code, or not at all (a leak found when the server
# exits after the test has its answers). Here every process writes its reports to files in
# REPORT_DIR (log_path, one file per process), which are printed and fail the run.
#
# Usage: bash scripts/sanitizer-run.sh REPORT_DIR -- COMMAND [ARG...]
# Exit status: the command's, or 1 when it succeeded and a report was written.
set -uo pipefail

[[ $# -ge 3 && $2 == -- ]] || { echo "usage: $0 REPORT_DIR -- COMMAND [ARG...]" >&2; exit 2; }
report_dir=$1
shift 2
rm -rf "$report_dir"
mkdir -p "$report_dir"
report_dir=$(cd "$report_dir" && pwd)

# Options already in the environment come first: where they name the same option, these win.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=1:log_path=$report_dir/asan \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1:log_path=$report_dir/ubsan \
  "$@"
status=$?

shopt -s nullglob
reports=("$report_dir"/*)
if [[ ${#reports[@]} -gt 0 ]]; then
  echo "sanitizer-run: ${#reports[@]} sanitizer report(s) in $report_dir:" >&2
  for f in "${reports[@]}"; do
    echo "==== $f" >&2
    head -n 200 "$f" >&2
  done
  [[ $status -ne 0 ]] || status=1
fi
exit "$status"
