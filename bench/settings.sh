# shellcheck shell=bash disable=SC2034
# The data set and load settings every bench script shares (bench/run.sh's header documents
# them). A script sources this file with its own defaults for three of them:
#   source "$repo/bench/settings.sh" CALLS DURATION_S PBX_DEEP_PAGE
calls=${BENCH_CALLS:-$1}
seed=${BENCH_SEED:-42}
n_accounts=${BENCH_ACCOUNTS:-10}
first_percent=${BENCH_FIRST_ACCOUNT_PERCENT:-20}
days=${BENCH_DAYS:-30}
end_until=${BENCH_END_UNTIL:-$(date -u +%s)}
batch=${BENCH_BATCH:-5000}
ingest_connections=${BENCH_INGEST_CONNECTIONS:-2}
# 1: loadgen makes every request body before the clock starts (loadgen ingest --prebuild);
# 0: while it sends, on the cores the server uses. ingest_prebuild_flag is what to pass.
ingest_prebuild=${BENCH_INGEST_PREBUILD:-1}
ingest_prebuild_flag=()
[[ $ingest_prebuild == 1 ]] && ingest_prebuild_flag=(--prebuild)
connections=${BENCH_CONNECTIONS:-1}
duration=${BENCH_DURATION_S:-$2}
warmup=${BENCH_WARMUP_S:-2}
server_threads=${BENCH_SERVER_THREADS:-4}
deep_offset=${BENCH_DEEP_OFFSET:-10000}
pbx_deep_page=${BENCH_PBX_DEEP_PAGE:-$3}
keep_data=${BENCH_KEEP_DATA:-0}
# The store of the calls, as `serve --calls` takes it: "" (the sqlite database) or segments.
calls_store=${BENCH_CALLS_STORE:-}
