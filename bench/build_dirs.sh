# shellcheck shell=bash disable=SC2034
# Sourced by the side-by-side bench scripts (bench/latency.sh, bench/start_and_tokens.sh): their
# arguments, [NAME=]BUILD_DIR each, into names and dirs (absolute); NAME is the build directory's
# name unless given. Exits 2 when there is none or a directory has no cdrd or loadgen.
(($# > 0)) || { echo "usage: bash $0 [NAME=]BUILD_DIR ..." >&2; exit 2; }
names=()
dirs=()
for arg in "$@"; do
  name=${arg%%=*}
  dir=${arg#*=}
  [[ $arg == *=* ]] || name=$(basename "$(cd "$dir" && pwd)")
  dir=$(cd "$dir" && pwd)
  [[ -x $dir/cdrd && -x $dir/loadgen ]] || { echo "bench: $dir/cdrd or loadgen not found" >&2; exit 2; }
  names+=("$name")
  dirs+=("$dir")
done
