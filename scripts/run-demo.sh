#!/usr/bin/env bash
# `make run`: the demo account and demo calls (idempotent), then cdrd on 127.0.0.1:8080.
# CDRD_DATA_DIR (default var) holds the database, the operator key and demo.env.
set -euo pipefail
build_dir=${1:-build}
data_dir=${CDRD_DATA_DIR:-var}
"$build_dir/cdrd" --data-dir "$data_dir" demo
echo "console: http://127.0.0.1:${CDRD_PORT:-8080}/console/ (sign in with the auth_id and auth_token above)"
echo "try:  . $data_dir/demo.env && curl -s -u \"\$CDRD_AUTH_ID:\$CDRD_AUTH_TOKEN\" \"http://127.0.0.1:${CDRD_PORT:-8080}/v1/Account/\$CDRD_AUTH_ID/Zentrunk/Call/?limit=2\""
exec "$build_dir/cdrd" --data-dir "$data_dir" serve --port "${CDRD_PORT:-8080}" \
  --operator-key-file "$data_dir/operator.key"
