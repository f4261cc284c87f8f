# shellcheck shell=bash disable=SC2034,SC2154  # sets figures for bench/run.sh; loadgen and log are its
# Sourced by bench/run.sh: nginx serving cdrd's retrieve answer as a static file, and the
# side-by-side measurement of the two (target 4 of the issue: cdrd's retrieve by uuid at least
# 0.7x nginx's requests/s, same load generator, same connections).
#
# Both are measured in alternating rounds in the same minute: cdrd, nginx, cdrd, nginx, ...
# BENCH_NGINX_ROUNDS rounds each (default 5) of BENCH_NGINX_ROUND_S measured seconds (default:
# a third of BENCH_DURATION_S, at least 2) after 1 s of warm-up. On this kind of machine a
# request at one connection costs mostly the wake-ups of idle cores, and how much that is drifts
# over minutes with what else the machine does; two measurements minutes apart (as the other
# scenarios are) can differ by half. The figures are the means over the rounds; the ratio is
# cdrd's requests over nginx's in equal measured time, and the rounds' own ratios are shown.
#
# Expects loadgen, log and value to be defined.

nginx_pid=
nginx_port=
nginx_dir=

# nginx_start BODY_FILE: nginx (worker_processes auto, access log off, sendfile, keep-alive) on a
# free loopback port serving BODY_FILE as /call.json, from a temporary directory of its own that
# its workers (another user when started as root) can read; sets nginx_pid and nginx_port.
nginx_start() {
  local body=$1
  nginx_dir=$(mktemp -d "${TMPDIR:-/tmp}/cdrd-nginx.XXXXXX")
  mkdir -p "$nginx_dir/www" "$nginx_dir/tmp"
  chmod -R 755 "$nginx_dir"
  cp "$body" "$nginx_dir/www/call.json"
  chmod 644 "$nginx_dir/www/call.json"
  nginx_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$nginx_dir/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 100000000;
  client_body_temp_path $nginx_dir/tmp/body;
  proxy_temp_path $nginx_dir/tmp/proxy;
  fastcgi_temp_path $nginx_dir/tmp/fastcgi;
  uwsgi_temp_path $nginx_dir/tmp/uwsgi;
  scgi_temp_path $nginx_dir/tmp/scgi;
  types { application/json json; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $nginx_dir/www;
  }
}
CONF
  nginx -p "$nginx_dir" -c "$nginx_dir/nginx.conf" 2>>"$nginx_dir/error.log" &
  nginx_pid=$!
  local _
  for _ in $(seq 1 100); do
    "$loadgen" get --port "$nginx_port" --path /call.json >/dev/null 2>&1 && return 0
    kill -0 "$nginx_pid" 2>/dev/null || { log "nginx exited:"; cat "$nginx_dir/error.log" >&2; return 1; }
    sleep 0.1
  done
  log "nginx did not answer on 127.0.0.1:$nginx_port:"
  "$loadgen" get --port "$nginx_port" --path /call.json >&2 || true
  cat "$nginx_dir/error.log" >&2
  return 1
}

nginx_stop() {
  if [[ -n $nginx_pid ]]; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=
  fi
  if [[ -n $nginx_dir ]]; then rm -rf "$nginx_dir"; nginx_dir=; fi
}

# nginx_versus_cdrd CDRD_PORT USER UUID_PATHS CONNECTIONS OUT_DIR: the alternating rounds. Writes
# OUT_DIR/nginx-rounds.tsv (engine, round, loadgen's RESULT line) and sets
#   nginx_cmp_cdrd_rps nginx_cmp_nginx_rps   mean requests/s over the rounds
#   nginx_cmp_cdrd_p50 nginx_cmp_nginx_p50   median of the rounds' p50 ms (p99 likewise)
#   nginx_cmp_cdrd_p99 nginx_cmp_nginx_p99
#   nginx_cmp_ratio                          cdrd's requests / nginx's requests
#   nginx_cmp_round_ratios                   each round's cdrd / nginx, comma-separated
#   nginx_cmp_errors                         non-200 answers of both
nginx_versus_cdrd() {
  local cdrd_port=$1 user=$2 uuid_paths=$3 conns=$4 out_dir=$5
  local rounds=${BENCH_NGINX_ROUNDS:-5} round_s=${BENCH_NGINX_ROUND_S:-}
  [[ -n $round_s ]] || round_s=$(( ${BENCH_DURATION_S:-15} / 3 > 2 ? ${BENCH_DURATION_S:-15} / 3 : 2 ))
  local tsv=$out_dir/nginx-rounds.tsv r line
  echo /call.json >"$nginx_dir/paths"
  : >"$tsv"
  # Not measured: cdrd has just started (its page cache and the account's uuid map may still be
  # cold: the first retrieve of an account can build its map), so its uuids are asked for a few
  # seconds first.
  "$loadgen" http --port "$cdrd_port" --user "$user" --connections "$conns" \
    --duration-s "$((round_s > 3 ? round_s : 3))" --warmup-s 0 --paths-file "$uuid_paths" >/dev/null || true
  "$loadgen" http --port "$nginx_port" --connections "$conns" --duration-s 1 --warmup-s 0 \
    --paths-file "$nginx_dir/paths" >/dev/null || true
  log "retrieve by uuid against nginx: $rounds alternating rounds of $round_s s each after 1 s of warm-up, $conns connection(s)"
  for r in $(seq 1 "$rounds"); do
    line=$("$loadgen" http --port "$cdrd_port" --user "$user" --connections "$conns" \
      --duration-s "$round_s" --warmup-s 1 --paths-file "$uuid_paths")
    printf 'cdrd\t%s\t%s\n' "$r" "$line" >>"$tsv"
    line=$("$loadgen" http --port "$nginx_port" --connections "$conns" \
      --duration-s "$round_s" --warmup-s 1 --paths-file "$nginx_dir/paths")
    printf 'nginx\t%s\t%s\n' "$r" "$line" >>"$tsv"
  done
  local -a f
  read -r -a f < <(awk -F'\t' '
    function field(s, k,   m) { if (match(s, "(^| )" k "=[^ ]*")) { m = substr(s, RSTART, RLENGTH); sub(/^ /, "", m); return substr(m, length(k) + 2) } return "" }
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { e = $1; n[e]++; req[e] += field($3, "requests"); rps[e] += field($3, "requests_per_s")
      p50[e, n[e]] = field($3, "p50_ms"); p99[e, n[e]] = field($3, "p99_ms"); err += field($3, "errors")
      if (e == "cdrd") c[$2] = field($3, "requests_per_s"); else g[$2] = field($3, "requests_per_s") }
    END {
      for (k = 1; k <= n["cdrd"]; k++) { a[k] = p50["cdrd", k]; b[k] = p99["cdrd", k] }
      for (k = 1; k <= n["nginx"]; k++) { x[k] = p50["nginx", k]; y[k] = p99["nginx", k] }
      ratios = ""
      for (k = 1; k <= n["cdrd"]; k++) ratios = ratios (k > 1 ? "," : "") (g[k] > 0 ? sprintf("%.2f", c[k] / g[k]) : "?")
      printf "%.1f %.1f %.3f %.3f %.3f %.3f %s %s %d\n", rps["cdrd"] / n["cdrd"], rps["nginx"] / n["nginx"],
        median(a, n["cdrd"]), median(x, n["nginx"]), median(b, n["cdrd"]), median(y, n["nginx"]),
        (req["nginx"] > 0 ? sprintf("%.2f", req["cdrd"] / req["nginx"]) : "INVALID"), ratios, err
    }' "$tsv")
  nginx_cmp_cdrd_rps=${f[0]} nginx_cmp_nginx_rps=${f[1]}
  nginx_cmp_cdrd_p50=${f[2]} nginx_cmp_nginx_p50=${f[3]}
  nginx_cmp_cdrd_p99=${f[4]} nginx_cmp_nginx_p99=${f[5]}
  nginx_cmp_ratio=${f[6]} nginx_cmp_round_ratios=${f[7]} nginx_cmp_errors=${f[8]}
  log "retrieve: cdrd $nginx_cmp_cdrd_rps, nginx $nginx_cmp_nginx_rps requests/s: $nginx_cmp_ratio (rounds $nginx_cmp_round_ratios)"
}
