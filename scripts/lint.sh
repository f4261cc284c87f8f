#!/usr/bin/env bash
# `make lint`: clang-tidy's bugprone and performance checks (.clang-tidy) over every source file
# of src/, compiled by clang with -Wthread-safety (the GUARDED_BY / REQUIRES annotations of
# core/mutex.h) and -Werror. Builds into its own folder (LINT_DIR, default build-lint; ccache is
# used when installed, see CMakeLists.txt). Exits non-zero on any finding, which it prints.
# From a fresh LINT_DIR it takes most of an hour on 2 cores (the clang build of every target,
# then about 12 minutes of clang-tidy). `scripts/lint.sh src/a.cpp ...` checks only those files.
set -euo pipefail
cd "$(dirname "$0")/.."
lint_dir=${LINT_DIR:-build-lint}
jobs=${JOBS:-$(nproc)}
log="$lint_dir/tidy.log"
cmake -S . -B "$lint_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DCDRD_WERROR=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
# The thread-safety analysis runs as part of compiling with clang.
cmake --build "$lint_dir" -j "$jobs" \
  || { echo "lint: the clang -Wthread-safety -Werror build failed" >&2; exit 1; }
files=("$@")
((${#files[@]})) || mapfile -t files < <(find src -type f -name '*.cpp' | sort)
# The unit tests (*_test.cpp) are checked without performance-inefficient-vector-operation:
# their loops build a test's few rows, where a reserve() would only be noise.
code=() tests=()
for f in "${files[@]}"; do
  if [[ $f == *_test.cpp ]]; then tests+=("$PWD/$f"); else code+=("$PWD/$f"); fi
done
# run-clang-tidy always asks for colour; the log and the findings are plain text.
tidy() {
  run-clang-tidy -quiet -p "$lint_dir" -j "$jobs" "$@" 2>&1 | sed -E 's/\x1b\[[0-9;]*m//g' >>"$log"
}
: >"$log"
status=0
if ((${#tests[@]})); then
  tidy -checks=-performance-inefficient-vector-operation "${tests[@]}" || status=1
fi
if ((${#code[@]})); then tidy "${code[@]}" || status=1; fi
if ((status != 0)); then
  # One line per finding (a header's finding shows once), or the end of the log if none parsed.
  grep -E "(warning|error):" "$log" | sort -u >&2 || tail -n 20 "$log" >&2
  echo "lint: clang-tidy found problems (full output in $log)" >&2
  exit 1
fi
echo "lint: clang -Wthread-safety -Werror build and clang-tidy (${#files[@]} files) are clean"
