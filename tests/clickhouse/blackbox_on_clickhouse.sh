#!/usr/bin/env bash
# Runs black-box suites of the real binary with every server's calls in ClickHouse (the
# harness's CDRD_TEST_CALLS_URL: `serve --calls`, one database per data directory), on the
# server of the `clickhouse` CTest fixture. Exit 77 (skipped) when that server is not there.
#   blackbox_on_clickhouse.sh BLACKBOX_TESTS CLICKHOUSE_DIR GTEST_FILTER
set -euo pipefail
port_file=$2/http_port
if [[ ! -s $port_file ]]; then
  echo "skipped: ClickHouse could not be installed or started (see the clickhouse_start test)"
  exit 77
fi
CDRD_TEST_CALLS_URL="clickhouse://127.0.0.1:$(cat "$port_file")" exec "$1" --gtest_filter="$3"
