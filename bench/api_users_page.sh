#!/usr/bin/env bash
# GET /api/v2/users-management/users?pageSize=100 with a Bearer token, 64 connections, wrk:
# p50/p99 latency and requests per second over 127.0.0.1, on a server holding world M's 10,000
# users (as a sync would leave them: managed GitLab users, members of sonar-users). Prints figures;
# asserts nothing.
#   bench/api_users_page.sh [path/to/provisio] [path/to/gitlab-sim]   (default: build/bin, release)
set -euo pipefail
cd "$(dirname "$0")/.."
PROVISIO=${1:-build/bin/provisio}
SIM=${2:-build/bin/gitlab-sim}
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PASSWORD=bench-admin-password

"$SIM" generate --preset M --output "$WORK/m.json"
# Creates the schema (and the admin user) without serving.
PROVISIO_ADMIN_PASSWORD=$PASSWORD "$PROVISIO" migrate --data-dir "$WORK/data" > /dev/null

# The users of world M, written as a sync writes them: one transaction, 10,000 rows.
python3 - "$WORK/m.json" "$WORK/data/provisio.db" <<'PY'
import json, sqlite3, sys, time, uuid
world = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
now = int(time.time() * 1000)
rows = [(str(uuid.uuid4()), u["username"], u.get("name") or u["username"], u.get("email"),
         str(u["id"]), u["username"], now, now) for u in world["users"]]
with db:
    db.executemany(
        "INSERT INTO users (uuid, login, name, email, active, is_local, managed, external_provider, "
        "external_id, external_login, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 1, 0, 1, 'gitlab', ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO group_members (group_id, user_id) SELECT g.id, u.id FROM user_groups g, "
               "users u WHERE g.is_default = 1 AND u.managed = 1")
print(f"loaded {len(rows)} users of world M")
PY

PROVISIO_ADMIN_PASSWORD=$PASSWORD "$PROVISIO" serve --data-dir "$WORK/data" --bind 127.0.0.1 \
  --port 0 --log-level warn > "$WORK/out" 2> "$WORK/err" &
PID=$!
for _ in $(seq 1 600); do grep -q "listening on" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/out")
URL=http://127.0.0.1:$PORT

# A user token for the admin (Basic with login and password needs no CSRF token).
TOKEN=$(curl -sf -u "admin:$PASSWORD" -X POST -d name=bench "$URL/api/user_tokens/generate" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
TARGET="$URL/api/v2/users-management/users?pageSize=100"
curl -sf -H "Authorization: Bearer $TOKEN" "$TARGET" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("page of", len(d["users"]), "users out of", d["page"]["total"])'

# A short warm-up, then the measured run.
wrk -t2 -c64 -d3s -H "Authorization: Bearer $TOKEN" "$TARGET" > /dev/null
wrk -t2 -c64 -d20s --latency -H "Authorization: Bearer $TOKEN" "$TARGET" > "$WORK/wrk"
grep -E 'Requests/sec|Non-2xx|Socket errors' "$WORK/wrk" || true
awk '$1 == "50%" { print "p50 " $2 } $1 == "99%" { print "p99 " $2 }' "$WORK/wrk"
