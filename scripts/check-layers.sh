#!/usr/bin/env bash
# The layering rule of docs/architecture.md, checked (the layering_check test of `make test`):
# each folder of src/ (and bench/) may include project headers only from the folders listed for
# it here, so no dependency runs back up. Test files (*_test.cpp, test_calls.h) and src/testing
# may also use src/testing and a real backend; the bench tools use src/testing's fakes and temp
# directories. Prints every include that breaks the rule.
set -euo pipefail
cd "$(dirname "$0")/.."

# folder (a path prefix) -> the include prefixes it may use. The first matching folder wins.
rules=(
  "src/core/:core/"
  "src/rating/:core/ rating/"
  "src/store/index/:core/ store/index/"
  "src/store/sqlite/:core/ store/"
  "src/store/postgres/:core/ store/call_store.h store/oauth_store.h store/rating_store.h store/trunk_store.h store/postgres/"
  "src/store/clickhouse/:core/ store/ http/client.h http/message.h"
  "src/store/:core/ store/"
  "src/http/:core/ http/"
  "src/sample/:core/ sample/"
  "src/service/:core/ rating/ service/ store/call_store.h store/oauth_store.h store/rating_store.h store/trunk_store.h"
  "src/api/app/:core/ rating/ service/ store/ http/ api/"
  "src/api/:core/ rating/ service/ store/call_store.h store/oauth_store.h store/rating_store.h store/trunk_store.h http/ api/"
  "src/cli/serve_command.cpp:core/ rating/ service/ store/ http/ sample/ cli/ api/app/ api/retention_sweeper.h"
  "src/cli/export_command.cpp:core/ rating/ service/ store/ sample/ cli/ api/zentrunk/calls.h"
  "src/cli/:core/ rating/ service/ store/ sample/ cli/"
  "src/testing/:core/ http/ store/ testing/"
  "bench/:core/ rating/ service/ store/ http/ sample/ testing/"
)
test_extra="testing/ store/ api/zentrunk/test_calls.h"

bad=0
while IFS= read -r file; do
  allowed=""
  for rule in "${rules[@]}"; do
    prefix=${rule%%:*}
    if [[ $file == "$prefix"* ]]; then allowed=${rule#*:}; break; fi
  done
  [[ -n $allowed ]] || continue
  if [[ $file == *_test.cpp || $file == */test_calls.h ]]; then allowed="$allowed $test_extra"; fi
  while IFS= read -r inc; do
    ok=0
    for a in $allowed; do
      if [[ $inc == "$a"* ]]; then ok=1; break; fi
    done
    if [[ $ok == 0 ]]; then
      echo "layering: $file includes \"$inc\" (allowed: $allowed)" >&2
      bad=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find src bench -type f \( -name '*.cpp' -o -name '*.h' \) | sort)

if [[ $bad != 0 ]]; then exit 1; fi
echo "layering: every include of src/ and bench/ points down (docs/architecture.md)"
