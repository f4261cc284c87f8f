# shellcheck shell=bash
# Sourced by bench/run.sh: where the server's time goes, measured by the server itself during
# the bench's own scenarios. The server times each stage of ingest (parse, validate, rate, store)
# and of a list (match_count, fetch, render) and exposes the sums on /metrics
# (cdrd_ingest_stage_seconds_total, cdrd_list_stage_seconds_total: docs/metrics.md); this file
# scrapes /metrics before and after the ingest and each scenario and prints the differences per
# record and per list, with the request time of the same requests
# (cdrd_http_request_duration_seconds_sum) and the rest (HTTP, reading the body, waiting for a
# worker or a lock) as the request time minus the stages.
#
# breakdown_scrape FILE              the server's metrics into FILE (empty when unreadable)
# breakdown_ingest BEFORE AFTER      the ingest table (markdown) on stdout
# breakdown_list NAME BEFORE AFTER   one row of the list table on stdout; nothing when the
#                                    scenario answered no list (retrieve by uuid)
# breakdown_list_header              the list table's head
# Expects loadgen, port and CDRD_OPERATOR_KEY to be set.

# shellcheck disable=SC2154  # loadgen and port: set by the script that sources this file
breakdown_scrape() {
  LOADGEN_BEARER=$CDRD_OPERATOR_KEY "$loadgen" get --port "$port" --bearer --path /metrics \
    >"$1" 2>/dev/null || : >"$1"
}

# breakdown_awk MODE NAME BEFORE AFTER: the differences of every series, then MODE's output.
breakdown_awk() {
  awk -v mode="$1" -v name="$2" '
    { file = FILENAME == ARGV[1] ? 1 : 2 }
    /^#/ || NF < 2 { next }
    { v[file, $1] = $2; keys[$1] = 1 }
    # The difference of the series whose key starts with `metric{` and holds both labels.
    function sum(metric, label1, label2,   k, s) {
      s = 0
      for (k in keys) {
        if (index(k, metric "{") != 1 && k != metric) continue
        if (label1 != "" && index(k, label1) == 0) continue
        if (label2 != "" && index(k, label2) == 0) continue
        s += v[2, k] - v[1, k]
      }
      return s
    }
    function cell(x, total) {
      return total > 0 ? sprintf("%.1f (%.0f%%)", x, 100 * x / total) : sprintf("%.1f", x)
    }
    END {
      if (mode == "ingest") {
        n = sum("cdrd_ingest_stage_records_total")
        total = sum("cdrd_http_request_duration_seconds_sum", "method=\"POST\"", "route=\"/v1/ingest/calls\"")
        if (n <= 0) { print "No figures: /metrics showed no timed records."; exit }
        total = total * 1e6 / n
        print "| stage | µs per record | share of the request time |"
        print "|---|---:|---:|"
        split("parse validate rate store", stage, " ")
        staged = 0
        for (i = 1; i <= 4; i++) {
          x = sum("cdrd_ingest_stage_seconds_total", "stage=\"" stage[i] "\"") * 1e6 / n
          staged += x
          printf "| %s | %.2f | %s |\n", stage[i], x, (total > 0 ? sprintf("%.0f%%", 100 * x / total) : "?")
        }
        printf "| rest: HTTP, reading the body, waiting | %.2f | %s |\n", total - staged, (total > 0 ? sprintf("%.0f%%", 100 * (total - staged) / total) : "?")
        printf "| **request time** (server, summed over the connections) | **%.2f** | 100%% |\n", total
        printf "\n%d records timed.\n", n
        exit
      }
      n = sum("cdrd_list_stage_lists_total")
      if (n <= 0) exit
      total = 0
      split("/v1/Account/{auth_id}/Zentrunk/Call /v1/Account/{auth_id}/Call /api/ver1.0/client/{client_id}/calls /api/ver1.0/client/{client_id}/call_history", route, " ")
      for (i = 1; i <= 4; i++) {
        total += sum("cdrd_http_request_duration_seconds_sum", "method=\"GET\"", "route=\"" route[i] "\"")
      }
      total = total * 1e6 / n
      split("match_count fetch render", stage, " ")
      staged = 0
      row = "| " name " | " n
      for (i = 1; i <= 3; i++) {
        x = sum("cdrd_list_stage_seconds_total", "stage=\"" stage[i] "\"") * 1e6 / n
        staged += x
        row = row " | " cell(x, total)
      }
      printf "%s | %s | %.1f |\n", row, cell(total - staged, total), total
    }' "$3" "$4"
}

breakdown_ingest() {
  if [[ -s $1 && -s $2 ]]; then breakdown_awk ingest "" "$1" "$2"; else echo "No figures: /metrics could not be read."; fi
}
breakdown_list() {
  if [[ -s $2 && -s $3 ]]; then breakdown_awk list "$1" "$2" "$3"; else echo "| $1 | no figures: /metrics could not be read | | | | | |"; fi
}
breakdown_list_header() {
  echo "| scenario | lists | match and count µs | fetch the page µs | render µs | rest µs | request time µs |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
}
