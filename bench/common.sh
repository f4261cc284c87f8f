# shellcheck shell=bash disable=SC2034
# The start every bench script shares, sourced right after it sets `repo`:
#   bench_need WHO TOOL...  exits 2 with "WHO: TOOL not found: build first (make WHO)" unless every
#                           TOOL is an executable file (WHO: bench, bench-cluster, ...)
#   bench_run_dir NAME      out=bench/out (made if missing), run_dir=a fresh directory
#                           bench/out/NAME.XXXXXX, data_dir=run_dir/data (not made)
#   bench_dirs ARG...       the side-by-side scripts' arguments, [NAME=]BUILD_DIR each, into
#                           names and dirs (absolute); NAME is the directory's name unless
#                           given; exits 2 when there is none or a directory lacks cdrd or loadgen
#   bench_side_by_side NAME CALLS DURATION_S PBX_DEEP_PAGE ARG...
#                           bench_dirs ARG..., then one account by default (BENCH_ACCOUNTS=1,
#                           BENCH_FIRST_ACCOUNT_PERCENT=0), the shared settings with those
#                           defaults, bench_run_dir NAME, and cdrd and loadgen of the first build
#   bench_start WHO BUILD_DIR NAME CALLS DURATION_S PBX_DEEP_PAGE
#                           build_dir (BUILD_DIR made absolute), cdrd and loadgen in it (both
#                           needed), the shared settings with those three defaults
#                           (bench/settings.sh), then bench_run_dir NAME

bench_need() {
  local who=$1 tool
  shift
  for tool in "$@"; do
    [[ -x $tool ]] || { echo "$who: $tool not found: build first (make $who)" >&2; exit 2; }
  done
}

bench_run_dir() {
  out=$repo/bench/out
  mkdir -p "$out"
  run_dir=$(mktemp -d "$out/$1.XXXXXX")
  data_dir=$run_dir/data
}

bench_start() {
  build_dir=$(cd "$2" && pwd)
  cdrd=$build_dir/cdrd
  loadgen=$build_dir/loadgen
  bench_need "$1" "$cdrd" "$loadgen"
  # shellcheck source=bench/settings.sh
  source "$repo/bench/settings.sh" "$4" "$5" "$6"
  bench_run_dir "$3"
}

bench_dirs() {
  (($# > 0)) || { echo "usage: bash $0 [NAME=]BUILD_DIR ..." >&2; exit 2; }
  names=()
  dirs=()
  local arg name dir
  for arg in "$@"; do
    name=${arg%%=*}
    dir=${arg#*=}
    [[ $arg == *=* ]] || name=$(basename "$(cd "$dir" && pwd)")
    dir=$(cd "$dir" && pwd)
    bench_need bench "$dir/cdrd" "$dir/loadgen"
    names+=("$name")
    dirs+=("$dir")
  done
}

bench_side_by_side() {
  local name=$1 calls_default=$2 duration_default=$3 page_default=$4
  shift 4
  bench_dirs "$@"
  BENCH_ACCOUNTS=${BENCH_ACCOUNTS:-1}
  BENCH_FIRST_ACCOUNT_PERCENT=${BENCH_FIRST_ACCOUNT_PERCENT:-0}
  # shellcheck source=bench/settings.sh
  source "$repo/bench/settings.sh" "$calls_default" "$duration_default" "$page_default"
  bench_run_dir "$name"
  cdrd=${dirs[0]}/cdrd
  loadgen=${dirs[0]}/loadgen
}
