# Sourced by bench/run.sh and bench/hardening.sh: the `cdrd serve` they start and stop, their log
# line, the clean-up when they exit (the server stopped, the run directory removed unless
# kept), the accounts and trunks of their data set, and the CPU accounting of their figures.
# Expects log_prefix, cdrd, loadgen, run_dir, keep_data and server_threads to be set.

server_pid=
port=

log() { echo "$log_prefix: $*" >&2; }

stop_server() {
  [[ -n $server_pid ]] || return 0
  local pid=$server_pid rc=0
  server_pid=
  kill -TERM "$pid" 2>/dev/null || return 0
  wait "$pid" || rc=$?
  return "$rc"
}

cleanup() {
  local rc=$?
  stop_server || true
  if declare -F nginx_stop >/dev/null; then nginx_stop; fi
  if [[ $keep_data == 1 ]]; then log "kept $run_dir"; else rm -rf "$run_dir"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server DATA_DIR [OPTION...]: cdrd serve with its default limits (and these options) on
# a free loopback port; sets server_pid and port.
start_server() {
  local data_dir=$1
  shift
  rm -f "$run_dir/port"
  "$cdrd" --data-dir "$data_dir" serve --port 0 --port-file "$run_dir/port" \
    --threads "$server_threads" ${calls_store:+--calls "$calls_store"} "$@" \
    >>"$run_dir/serve.log" 2>&1 &
  server_pid=$!
  # It listens once every account's list index is built: at 10,000,000 calls built from the calls
  # table, a minute and a half on a quiet machine and more than two on a busy one.
  for _ in $(seq 1 6000); do
    [[ -s $run_dir/port ]] && break
    kill -0 "$server_pid" 2>/dev/null || { log "cdrd serve exited:"; tail -20 "$run_dir/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -s $run_dir/port ]] || { log "cdrd serve wrote no port file"; exit 1; }
  port=$(cat "$run_dir/port")
}

# wait_uuid_maps: after start_server, waits (up to 10 minutes) until the server holds every
# account's uuid map: a start that did not load them all from their snapshot builds the rest in
# the background, and until then a retrieve of such an account waits on a worker for its map.
wait_uuid_maps() {
  local from=$1  # the line of serve.log the start began at
  for _ in $(seq 1 6000); do
    tail -n +"$from" "$run_dir/serve.log" | grep -q "maps building in the background" || return 0
    tail -n +"$from" "$run_dir/serve.log" | grep -q "uuid maps: .* built in the background" && return 0
    sleep 0.1
  done
  log "the uuid maps were not built within 10 minutes"
}

# create_accounts DATA_DIR NAME N: N accounts NAME-1 .. NAME-N; sets auth_ids, auth_tokens and
# ids_csv (the auth ids, comma-separated).
create_accounts() {
  local data_dir=$1 name=$2 n=$3 created i
  auth_ids=()
  auth_tokens=()
  for i in $(seq 1 "$n"); do
    created=$("$cdrd" --data-dir "$data_dir" account create --name "$name-$i")
    auth_ids+=("$(sed -n 's/^auth_id: //p' <<<"$created")")
    auth_tokens+=("$(sed -n 's/^auth_token: //p' <<<"$created")")
    [[ -n ${auth_ids[-1]} && -n ${auth_tokens[-1]} ]] || { log "account create printed: $created"; exit 1; }
  done
  ids_csv=$(IFS=,; echo "${auth_ids[*]}")
}

# create_pbx_app DATA_DIR: an OAuth app of the first account of create_accounts, for the cloud-PBX
# API (`cdrd app create`); sets app_client_id and app_client_secret.
create_pbx_app() {
  local app
  app=$("$cdrd" --data-dir "$1" app create --account "${auth_ids[0]}")
  app_client_id=$(sed -n 's/^ *client_id: *//p' <<<"$app")
  app_client_secret=$(sed -n 's/^ *client_secret: *//p' <<<"$app")
  [[ -n $app_client_id && -n $app_client_secret ]] || { log "app create printed: $app"; exit 1; }
}

# pick_pbx_usernames DATA_DIR AUTH_ID: the cloud-PBX username filter of the bench: three
# from_usernames of the account (from_number when the record has no username) with at most 0.5%
# of its calls each, the most used of those: selective. Sets pbx_usernames (comma-separated) and
# pbx_user_query (the query string).
# With BENCH_CALLS_STORE=segments the calls are not in the sqlite file: the same names come from
# the data set itself (`loadgen usernames`, of the data set the bench loaded).
pick_pbx_usernames() {
  if [[ -n $calls_store ]]; then
    pbx_usernames=$("$loadgen" usernames --auth-ids "$ids_csv" --trunks "$trunks_csv" --calls "$calls" \
      --seed "$seed" --end-until "$end_until" --first-account-percent "$first_percent" --days "$days" \
      --account "$2" | paste -sd,)
  else
    pbx_usernames=$(sqlite3 -readonly "$1/cdrd.db" "WITH u AS (SELECT from_username AS name, count(*) AS n
      FROM calls WHERE account_id = (SELECT id FROM accounts WHERE auth_id = '$2') GROUP BY from_username)
      SELECT name FROM u WHERE n <= (SELECT sum(n) * 0.005 FROM u) ORDER BY n DESC, name LIMIT 3" | paste -sd,)
  fi
  [[ -n $pbx_usernames ]] || { log "no from_username for the PBX username filter"; exit 1; }
  pbx_user_query=$(tr ',' '\n' <<<"$pbx_usernames" | sed 's/^+/%2B/; s/^/from_username=/' | paste -sd'&')
}

# create_trunks: through the running server, an outbound and an inbound trunk for each account of
# create_accounts (loadgen trunks); sets trunk_pairs ("outbound:inbound" per account) and
# trunks_csv. A call must name a trunk of its account.
create_trunks() {
  local i
  trunk_pairs=()
  for i in "${!auth_ids[@]}"; do
    trunk_pairs+=("$(LOADGEN_PASSWORD=${auth_tokens[$i]} "$loadgen" trunks --port "$port" --user "${auth_ids[$i]}")")
  done
  trunks_csv=$(IFS=,; echo "${trunk_pairs[*]}")
}

# CPU accounting, so that a figure taken while other processes were busy on this machine shows
# it: cpu_ticks prints the machine's busy ticks, the server's ticks, the ticks of this script's
# finished children (loadgen) and the time in ns; cpu_usage BEFORE AFTER prints the server's
# ticks in between and the share (%) of the machine's CPU that other processes used.
clk_tck=$(getconf CLK_TCK)
ncpu=$(nproc)
cpu_ticks() {
  local _cpu user nice system _idle _iowait irq softirq steal _rest server=0 children
  read -r _cpu user nice system _idle _iowait irq softirq steal _rest </proc/stat
  [[ -n $server_pid ]] && server=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  children=$(awk '{print $16 + $17}' "/proc/$$/stat")
  echo "$((user + nice + system + irq + softirq + steal)) $server $children $(date +%s%N)"
}
cpu_usage() {
  local -a b=($1) a=($2)
  local server=$((a[1] - b[1])) others=$((a[0] - b[0] - (a[1] - b[1]) - (a[2] - b[2])))
  local wall_ticks=$(((a[3] - b[3]) * clk_tck / 1000000000))
  ((others > 0)) || others=0
  echo "$server $((100 * others / (ncpu * (wall_ticks > 0 ? wall_ticks : 1))))"
}
