#!/usr/bin/env bash
# Installs every Debian package cdrd needs to build, test and benchmark (docs/architecture.md
# says why each is there).
# Used by both `make run` and `make test`; safe to run again (installs only what is missing).
# `install-deps.sh fuzz` also installs what `make fuzz` needs: clang and its compiler runtime
# (libFuzzer and the sanitizer runtimes); `install-deps.sh lint` what `make lint` needs (clang,
# clang-tidy); `install-deps.sh bench` what the peer engines of `make bench` need (PostgreSQL 15,
# ClickHouse, nginx and the Python client of the driver; docs/benchmarks.md).
# `make test-sanitize` builds with g++ and needs nothing more.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libboost-dev libboost-system-dev   # Boost.Beast / Asio (HTTP server and test client)
  libsqlite3-dev                      # embedded default store
  rapidjson-dev                       # JSON parsing and writing
  libssl-dev                          # SHA-256, random bytes, constant-time compare
  libcli11-dev                        # command line
  libspdlog-dev                       # access and service logs
  prometheus-cpp-dev                  # /metrics: counters, histograms, the text format
  libphonenumber-dev                  # countries of phone numbers
  libprotobuf-dev                     # libphonenumber's metadata (a protobuf message), read once
  libgtest-dev libgmock-dev           # unit and black-box tests
  sqlite3                             # the sqlite3 shell, for backups (docs/operations.md)
  tzdata                              # IANA time zones: cdrd import --time-zone (Asterisk CDRs)
  ccache                              # compiler cache: rebuilds take seconds
  clang-format                        # the house style, checked by make test (format_check)
  python3 curl                        # docs_examples: runs every example of the docs (tests/)
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

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The bench's engines run as the bench's own services (bench/peers/run.sh): keep the packages
# from starting theirs on the default ports (the policy-rc.d convention of invoke-rc.d), unless
# the machine already has a policy.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ "${1:-}" = bench ] && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
  trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [ "$own_policy" = 1 ]; then $SUDO rm -f "$policy"; trap - EXIT; fi
