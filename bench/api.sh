#!/usr/bin/env bash
# The admin API under load on world M's data, as a full sync leaves it (10,000 users, 1,808
# mirrored groups, 11.7 M memberships, 50 bound projects): wrk with 64 connections against a
# page of users, a page of groups, a page of the largest group's members and a bound project's
# permissions. Prints p50/p99 and requests per second for each; asserts nothing.
#   bench/api.sh [DATA_DIR]   (a data directory left by BENCH_KEEP_DATA=DIR bench/sync.sh M ...;
#                              without one, a sync of M at latency 0 makes it first)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/bin
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
DATA=${1:-}
if [ -z "$DATA" ]; then
  echo "(syncing world M at latency 0 to make the data)"
  BENCH_KEEP_DATA="$WORK/data" bench/sync.sh M 0 sqlite > "$WORK/sync.log"
  DATA="$WORK/data"
fi

PROVISIO_ADMIN_PASSWORD=bench-admin-password "$BIN/provisio" serve --data-dir "$DATA" \
  --bind 127.0.0.1 --port 0 --log-level warn \
  > "$WORK/out" 2> "$WORK/err" &
PID=$!
for _ in $(seq 1 600); do grep -q "listening on" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/out")
URL=http://127.0.0.1:$PORT

# A user token for the admin (Basic with login and password needs no CSRF token).
TOKEN=$(curl -sf -u "admin:bench-admin-password" -X POST -d "name=bench-api-$(date +%s)-$$" "$URL/api/user_tokens/generate" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
ACME=$(curl -sf -H "$AUTH" "$URL/api/v2/authorizations/groups?q=acme&pageSize=500" |
  python3 -c 'import json,sys; print([g["id"] for g in json.load(sys.stdin)["groups"] if g["name"] == "acme"][0])')
PROJECT=$(curl -sf -H "$AUTH" "$URL/api/projects/search?q=bench&ps=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["components"][0]["key"])')

measure() {  # $1: label, $2: path
  local target="$URL$2"
  curl -sf -H "$AUTH" "$target" > "$WORK/body" || { echo "$1: the request failed"; return; }
  wrk -t2 -c64 -d3s -H "$AUTH" "$target" > /dev/null  # warm-up
  wrk -t2 -c64 -d15s --latency -H "$AUTH" "$target" > "$WORK/wrk"
  python3 - "$1" "$2" "$WORK/wrk" "$WORK/body" <<'PY'
import json, re, sys
label, path, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
body = json.load(open(sys.argv[4]))
size = next((len(v) for v in body.values() if isinstance(v, list)), "?")
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
rps = re.search(r"Requests/sec:\s+(\S+)", text).group(1)
errors = re.findall(r"(Non-2xx[^\n]*|Socket errors[^\n]*)", text)
print(f"{label:<28} {size!s:>5} items  p50 {p50:>8}  p99 {p99:>8}  {rps:>9} req/s"
      + ("  " + "; ".join(errors) if errors else ""))
print(f"  GET {path}")
PY
}

echo "== the API on world M's data: wrk, 2 threads, 64 connections, 15 s per endpoint"
measure "users, a page of 100" "/api/v2/users-management/users?pageSize=100"
measure "groups, a page of 100" "/api/v2/authorizations/groups?pageSize=100"
measure "members of acme, 100" "/api/v2/authorizations/group-memberships?groupId=$ACME&pageSize=100"
measure "project permissions, 100" "/api/permissions/users?projectKey=$PROJECT&ps=100"
