#!/usr/bin/env bash
# Installs what `make fuzz` needs on top of scripts/install-deps.sh: clang and its compiler-rt
# (libFuzzer and the sanitizer runtimes). `make test-sanitize` builds with g++ and needs nothing
# more. Safe to run again (installs only what is missing).
set -euo pipefail

PACKAGES=(
  clang                 # clang++: the compiler libFuzzer works with
  libclang-rt-14-dev    # libFuzzer, AddressSanitizer and UBSan runtimes for clang 14
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-fuzz-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
