#!/usr/bin/env bash
# Installs every Debian package cdrd needs to build, test and benchmark (docs/architecture.md
# says why each is there).
# Used by `make run`, `make test` and the others; safe to run again (installs only what is missing).
# `install-deps.sh fuzz` also installs what `make fuzz` needs: clang and its compiler runtime
# (libFuzzer and the sanitizer runtimes); `install-deps.sh lint` what `make lint` needs (clang,
# clang-tidy); `install-deps.sh bench` what the peer engines of `make bench` need (PostgreSQL 15,
# ClickHouse, nginx and the Python client of the driver; docs/benchmarks.md); `install-deps.sh
# cluster` what `make cluster` starts (PostgreSQL 15 and ClickHouse; docs/scale-out.md).
# `make test-sanitize` builds with g++ and needs nothing more.
# `install-deps.sh test` (`make test`) also tries what only tests use: the switch and SIP phone
# of the Kamailio end-to-end test (tests/kamailio_e2e_test.cpp) and the headless browser of the
# web console's test (tests/console_test.py), the PostgreSQL server of the control-plane tests
# (scripts/postgres-test.sh) and the ClickHouse server of the calls store's tests
# (scripts/clickhouse-test.sh); when they cannot be installed, those tests are
# skipped and the rest of `make test` runs. `make run` installs none of them.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libboost-dev libboost-system-dev   # Boost.Beast / Asio (HTTP server and test client)
  libsqlite3-dev                      # embedded default store
  libpqxx-dev                         # the shared PostgreSQL control plane (--control postgresql://)
  rapidjson-dev                       # JSON parsing and writing
  libssl-dev                          # SHA-256, random bytes, constant-time compare
  libcli11-dev                        # command line
  libspdlog-dev                       # access and service logs
  libsystemd-dev                      # sd_notify: cdrd serve tells systemd it is ready (Type=notify)
  prometheus-cpp-dev                  # /metrics: counters, histograms, the text format
  libphonenumber-dev                  # countries of phone numbers
  libprotobuf-dev                     # libphonenumber's metadata (a protobuf message), read once
  libgtest-dev libgmock-dev           # unit and black-box tests
  sqlite3                             # the sqlite3 shell, for backups (docs/operations.md)
  tzdata                              # IANA time zones: cdrd import --time-zone (Asterisk CDRs)
  ccache                              # compiler cache: rebuilds take seconds
  clang-format                        # the house style, checked by make test (format_check)
  python3 curl                        # docs_examples: runs every example of the docs (tests/)
  python3-jsonschema                  # openapi: validates real answers against the OpenAPI document
)

if [ "${1:-}" = lint ]; then
  PACKAGES+=(
    clang                 # -Wthread-safety checks the lock annotations
    clang-tidy            # the bugprone and performance checks of .clang-tidy
  )
fi

if [ "${1:-}" = fuzz ]; then
  PACKAGES+=(
    clang                 # clang++: the compiler libFuzzer works with
    libclang-rt-14-dev    # libFuzzer, AddressSanitizer and UBSan runtimes for clang 14
  )
fi

if [ "${1:-}" = cluster ]; then
  PACKAGES+=(
    postgresql-15         # the local cluster's shared control plane (scripts/cluster.sh)
    clickhouse-server     # its two ClickHouse shards
    clickhouse-client
  )
fi

if [ "${1:-}" = bench ]; then
  PACKAGES+=(
    postgresql-15         # initdb, pg_ctl, postgres: a peer engine of make bench
    clickhouse-server     # a peer engine (column store, MergeTree)
    clickhouse-client
    nginx                 # serves a retrieve answer as a static file: the floor of the bench
    python3               # bench/peers/driver.py times each engine through its own client
    python3-psycopg2      # the PostgreSQL client of the driver
  )
fi

# Test-only packages (`install-deps.sh test`), one group per test: installed when possible,
# never a reason to stop.
SWITCH_TEST_PACKAGES=(
  kamailio                # the Kamailio end-to-end test (docs/switch-kamailio.md): the SIP proxy
  kamailio-extra-modules  # acc_json: the CDRs as JSON
  kamailio-utils-modules  # http_client: the post to cdrd
  sip-tester              # SIPp: the caller and the callee
)
BROWSER_TEST_PACKAGES=(
  chromium                # the web console's browser test (docs/console.md): headless Chromium
  chromium-driver         # chromedriver, which the test drives over WebDriver
  python3-selenium        # the test's WebDriver client
)
POSTGRES_TEST_PACKAGES=(
  postgresql-15           # the PostgreSQL control-plane tests (docs/scale-out.md): a throw-away
                          # server started by scripts/postgres-test.sh
)
CLICKHOUSE_TEST_PACKAGES=(
  clickhouse-server       # the ClickHouse calls store's tests (docs/clickhouse.md): a throw-away
  clickhouse-client       # server started by scripts/clickhouse-test.sh
)

missing_of() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      echo "$p"
    fi
  done
}
mapfile -t missing < <(missing_of "${PACKAGES[@]}")
switch_missing=()
browser_missing=()
postgres_missing=()
ch_missing=()
if [ "${1:-}" = test ]; then
  mapfile -t switch_missing < <(missing_of "${SWITCH_TEST_PACKAGES[@]}")
  mapfile -t browser_missing < <(missing_of "${BROWSER_TEST_PACKAGES[@]}")
  mapfile -t postgres_missing < <(missing_of "${POSTGRES_TEST_PACKAGES[@]}")
  mapfile -t ch_missing < <(missing_of "${CLICKHOUSE_TEST_PACKAGES[@]}")
fi

if [ ${#missing[@]} -eq 0 ] && [ ${#switch_missing[@]} -eq 0 ] &&
  [ ${#browser_missing[@]} -eq 0 ] && [ ${#postgres_missing[@]} -eq 0 ] &&
  [ ${#ch_missing[@]} -eq 0 ]; then
  exit 0
fi

[ ${#missing[@]} -eq 0 ] || echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Without the package lists only the optional packages may be left out.
$SUDO apt-get update -qq || [ ${#missing[@]} -eq 0 ]
# The bench's engines run as the bench's own services (bench/peers/run.sh), and the test's
# Kamailio as the test's own process: keep the packages from starting theirs on the default
# ports (the policy-rc.d convention of invoke-rc.d), unless the machine already has a policy.
policy=/usr/sbin/policy-rc.d
own_policy=0
if { [ "${1:-}" = bench ] || [ "${1:-}" = cluster ] || [ ${#switch_missing[@]} -gt 0 ] ||
  [ ${#postgres_missing[@]} -gt 0 ] || [ ${#ch_missing[@]} -gt 0 ]; } &&
  [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
  trap '$SUDO rm -f "$policy"' EXIT
fi
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ ${#switch_missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${switch_missing[*]} (the Kamailio end-to-end test)"
  $SUDO apt-get install -y -qq --no-install-recommends "${switch_missing[@]}" ||
    echo "install-deps: could not install ${switch_missing[*]}: the Kamailio end-to-end test" \
      "will be skipped"
fi
if [ ${#browser_missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${browser_missing[*]} (the web console's browser test)"
  $SUDO apt-get install -y -qq --no-install-recommends "${browser_missing[@]}" ||
    echo "install-deps: could not install ${browser_missing[*]}: the web console's browser" \
      "test will be skipped"
fi
if [ ${#postgres_missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${postgres_missing[*]} (the PostgreSQL control-plane tests)"
  $SUDO apt-get install -y -qq --no-install-recommends "${postgres_missing[@]}" ||
    echo "install-deps: could not install ${postgres_missing[*]}: the PostgreSQL tests will be" \
      "skipped"
fi
if [ ${#ch_missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${ch_missing[*]} (the ClickHouse calls store's tests)"
  $SUDO apt-get install -y -qq --no-install-recommends "${ch_missing[@]}" ||
    echo "install-deps: could not install ${ch_missing[*]}: the ClickHouse tests will be skipped"
fi
if [ "$own_policy" = 1 ]; then $SUDO rm -f "$policy"; trap - EXIT; fi
