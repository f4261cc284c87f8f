#!/usr/bin/env bash
# `cdrd --version` built from a tree without .git (a release tarball): build_info.cmake writes
# the commit "unknown", or the CDRD_SOURCE_COMMIT given at build time.
# Usage: version_without_git.sh CMAKE build_info.cmake
set -euo pipefail
cmake=$1 script=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/src"
env -u CDRD_SOURCE_COMMIT "$cmake" -DSOURCE_DIR="$dir/src" -DOUT="$dir/a.cpp" -P "$script"
grep -q 'return "unknown";' "$dir/a.cpp" || { echo "no .git: expected unknown"; cat "$dir/a.cpp"; exit 1; }
CDRD_SOURCE_COMMIT=v0.1.0 "$cmake" -DSOURCE_DIR="$dir/src" -DOUT="$dir/b.cpp" -P "$script"
grep -q 'return "v0.1.0";' "$dir/b.cpp" || { echo "CDRD_SOURCE_COMMIT not used"; cat "$dir/b.cpp"; exit 1; }
echo "ok: unknown without .git, CDRD_SOURCE_COMMIT when given"
