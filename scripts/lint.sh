#!/usr/bin/env bash
# `make lint`: clang-tidy's bugprone and performance checks (.clang-tidy) over every source file
# of src/, compiled by clang with -Wthread-safety (the GUARDED_BY / REQUIRES annotations of
# core/mutex.h) and -Werror. Builds into its own folder (LINT_DIR, default build-lint).
# Exits non-zero on any finding. Takes about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
lint_dir=${LINT_DIR:-build-lint}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$lint_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DCDRD_WERROR=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
# The thread-safety analysis runs as part of compiling with clang.
cmake --build "$lint_dir" -j "$jobs"
mapfile -t files < <(find src -type f -name '*.cpp' | sort)
run-clang-tidy -quiet -p "$lint_dir" -j "$jobs" "${files[@]/#/$PWD/}" >"$lint_dir/tidy.log" 2>&1 \
  || { grep -E "(warning|error):" "$lint_dir/tidy.log" | sort -u >&2; exit 1; }
echo "lint: clang -Wthread-safety -Werror build and clang-tidy (${#files[@]} files) are clean"
