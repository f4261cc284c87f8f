#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) in
# BUILD_DIR and runs each for FUZZ_SECONDS, one after the other, starting from its seed corpus
# fuzz/corpus/<target> (read only) and its dictionary fuzz/<target>.dict when there is one.
# New inputs go to BUILD_DIR/corpus/<target>, crash inputs to BUILD_DIR/crashes/<target>/:
# both outside the repository. Prints one line per target; exits 1 if any target crashed.
#
#   FUZZ_SECONDS=60         seconds per target
#   FUZZ_TARGETS="a b"      only these targets (default: every fuzz/*.cpp target)
#   FUZZ_MAX_LEN=8192       largest input generated (longer seeds are cut while fuzzing;
#                           the replay in make test still reads them whole)
#   BUILD_DIR=build-fuzz    JOBS=<cores>
set -uo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-8192}
JOBS=${JOBS:-$(nproc)}

if [ -z "${FUZZ_TARGETS:-}" ]; then
  FUZZ_TARGETS=$(ls fuzz/*.cpp | xargs -n1 basename | sed 's/\.cpp$//' | grep -v '^replay_main$')
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCDRD_FUZZ=ON >/dev/null || exit 1
build_targets=()
for t in $FUZZ_TARGETS; do build_targets+=("fuzz_$t"); done
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${build_targets[@]}" || exit 1

failed=0
summary=()
for t in $FUZZ_TARGETS; do
  work="$BUILD_DIR/corpus/$t"
  crashes="$BUILD_DIR/crashes/$t"
  log="$BUILD_DIR/logs/$t.log"
  mkdir -p "$work" "$crashes" "$(dirname "$log")"
  args=(-max_total_time="$FUZZ_SECONDS" -max_len="$FUZZ_MAX_LEN" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$crashes/")
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  echo "fuzz $t: running for ${FUZZ_SECONDS}s (log: $log)"
  "$BUILD_DIR/fuzz_$t" "${args[@]}" "$work" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [ -z "$runs" ] && runs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
  found=$(find "$crashes" -type f | wc -l)
  if [ "$rc" -ne 0 ]; then
    failed=1
    artifact=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
    summary+=("fuzz $t: ${runs:-?} runs, CRASH (exit $rc) ${artifact:-see $log}")
  else
    summary+=("fuzz $t: ${runs:-?} runs, 0 crashes ($(ls "$work" | wc -l) inputs found so far in $work)")
  fi
  [ "$found" -gt 0 ] && [ "$rc" -eq 0 ] && summary+=("  ($found older crash inputs in $crashes)")
done

printf '%s\n' "${summary[@]}"
exit "$failed"
