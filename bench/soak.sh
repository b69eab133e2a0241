#!/usr/bin/env bash
# A soak: the server under mixed read load for SOAK_SECONDS (600 by default) while a full sync
# runs every SYNC_EVERY seconds (30), each after gitlab-sim changed some memberships of the
# allowed groups through its control API. wrk (2 threads, 16 connections) cycles through six
# authenticated read endpoints. Reports wrk's errors (non-2xx answers, socket errors), the syncs
# that failed, and the server's resident memory sampled every 5 s: the median of the 30 s before
# the end of the warm-up (the first WARMUP_SECONDS, 120) against the median of the last 30 s, as
# growth in %. Target: no error, no failed sync, at most 10% growth. Exits 1 when it is missed.
#   bench/soak.sh [PRESET (S|M)] [LATENCY_MS]   (default S 5; release build in build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-S}
LATENCY=${2:-5}
DURATION=${SOAK_SECONDS:-600}
EVERY=${SYNC_EVERY:-30}
WARMUP=${WARMUP_SECONDS:-120}
BOUND=20
BIN=build/bin
WORK=$(mktemp -d)
SIM_PID="" PID="" SAMPLER_PID=""
cleanup() {
  local status=$?
  # wait gives the killed process's status (143): kept out of the script's own.
  for p in $SAMPLER_PID $PID $SIM_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

"$BIN/gitlab-sim" generate --preset "$PRESET" --output "$WORK/world.json"
"$BIN/gitlab-sim" serve --world "$WORK/world.json" --port 0 --latency-ms "$LATENCY" > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 600); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
SIM=http://127.0.0.1:$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")

# The data directory as bench/sync.sh makes it: BOUND projects bound, automatic mode on.
export PROVISIO_DATA_DIR="$WORK/data"
P="$BIN/provisio"
PROVISIO_ADMIN_PASSWORD=bench-admin-password "$P" migrate > /dev/null 2>&1
export PROVISIO_LOG_LEVEL=warn
# BOUND projects, and the allowed groups' trees (ids, for the membership changes).
. bench/bound_projects.sh
bind_projects "$P" "$WORK/world.json" "$BOUND" soak "$WORK" "$WORK/allowed_groups"
"$P" gitlab configure --url "$SIM" --secret s --application-id sim-client-id \
  --mode auto --token sim-admin-token --allowed-groups acme,umbrella > /dev/null 2>&1

PROVISIO_ADMIN_PASSWORD=bench-admin-password "$P" serve --bind 127.0.0.1 --port 0 --log-level warn \
  > "$WORK/out" 2> "$WORK/err" &
PID=$!
for _ in $(seq 1 600); do grep -q "listening on" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
URL=http://127.0.0.1:$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/out")

# Resident memory every 5 s: "seconds KB".
T0=$(date +%s)
( while kill -0 "$PID" 2>/dev/null; do
    echo "$(( $(date +%s) - T0 )) $(awk '/^VmRSS/{print $2}' "/proc/$PID/status")"
    sleep 5
  done ) > "$WORK/rss" 2>/dev/null &
SAMPLER_PID=$!

TOKEN=$(curl -sf -u "admin:bench-admin-password" -X POST -d "name=soak-$(date +%s)-$$" "$URL/api/user_tokens/generate" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
# The first sync (queued by the configuration) fills the database before the load starts.
for _ in $(seq 1 600); do
  last=$(curl -sf -H "$AUTH" "$URL/api/ce/activity?ps=1" | python3 -c 'import json,sys; t=json.load(sys.stdin)["tasks"]; print(t[0]["status"] if t else "")')
  [ "$last" = SUCCESS ] || [ "$last" = FAILED ] && break
  sleep 1
done
ACME=$(curl -sf -H "$AUTH" "$URL/api/v2/authorizations/groups?q=acme&pageSize=500" |
  python3 -c 'import json,sys; print([g["id"] for g in json.load(sys.stdin)["groups"] if g["name"] == "acme"][0])')
PROJECT="soak-$(head -1 "$WORK/bound_projects")"
cat > "$WORK/mix.lua" <<LUA
-- One request after the other through the read endpoints an admin page and a script call.
local paths = {
  "/api/v2/users-management/users?pageSize=100",
  "/api/v2/authorizations/groups?pageSize=100",
  "/api/v2/authorizations/group-memberships?groupId=$ACME&pageSize=100",
  "/api/permissions/users?projectKey=$PROJECT&ps=100",
  "/api/v2/provisioning/status",
  "/api/ce/activity?ps=20",
}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
LUA

echo "== soak of $PRESET at ${LATENCY} ms per GitLab request: wrk 2 threads, 16 connections, 6 read endpoints, ${DURATION} s; a sync every ${EVERY} s after membership changes"
wrk -t2 -c16 -d"${DURATION}s" --timeout 10s -s "$WORK/mix.lua" -H "$AUTH" "$URL" > "$WORK/wrk" 2>&1 &
WRK_PID=$!

# The syncs: change memberships in GitLab, queue a sync through the API, wait for its end.
: > "$WORK/syncs"
END=$(( T0 + DURATION ))
round=0
while [ $(( $(date +%s) + EVERY )) -le "$END" ]; do
  round=$((round + 1))
  next=$(( $(date +%s) + EVERY ))
  python3 - "$SIM" "$WORK/allowed_groups" "$round" <<'PY'
import json, random, sys, urllib.request
sim, groups, seed = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3])
rng = random.Random(seed)
def post(path, body):
    req = urllib.request.Request(sim + "/__control/" + path, json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req).read()
    except urllib.error.HTTPError:
        pass  # removing a member who is not one
for _ in range(10):
    body = {"source": "group", "id": int(rng.choice(groups)), "user_id": rng.randint(4, 400),
            "hooks": []}
    if rng.random() < 0.3:
        post("members/remove", body)
    else:
        post("members", dict(body, access_level=rng.choice([10, 20, 30, 40])))
PY
  answer=$(curl -s -w ' %{http_code}' -X POST -H "$AUTH" "$URL/api/v2/dop-translation/gitlab-synchronization-runs")
  code=${answer##* }
  if [ "$code" != 202 ]; then
    echo "round $round: not queued ($code)" >> "$WORK/syncs"
  else
    id=$(echo "${answer% *}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["taskId"])')
    status=""
    for _ in $(seq 1 300); do
      status=$(curl -sf -H "$AUTH" "$URL/api/ce/task?id=$id" | python3 -c 'import json,sys; t=json.load(sys.stdin)["task"]; print(t["status"], t.get("executionTimeMs"), (t.get("errorMessage") or "; ".join(t.get("infoMessages") or [])).replace(" ", "_"))')
      case "$status" in SUCCESS*|FAILED*) break ;; esac
      sleep 1
    done
    echo "round $round: task $id $status" >> "$WORK/syncs"
  fi
  while [ "$(date +%s)" -lt "$next" ]; do sleep 1; done
done
wait "$WRK_PID"
kill -0 "$PID" 2>/dev/null || { echo "the server died"; cat "$WORK/err"; exit 1; }
cp "$WORK/rss" "${SOAK_RSS_OUT:-/dev/null}" 2>/dev/null || true

python3 - "$WORK/wrk" "$WORK/syncs" "$WORK/rss" "$WARMUP" "$DURATION" <<'PY'
import re, statistics, sys
wrk, syncs, rss = (open(p).read() for p in sys.argv[1:4])
warmup, duration = int(sys.argv[4]), int(sys.argv[5])
requests = int(re.search(r"(\d+) requests in", wrk).group(1))
non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", wrk) or [0, 0])[1])
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk)
socket_errors = sum(int(x) for x in sock.groups()) if sock else 0
rps = re.search(r"Requests/sec:\s+(\S+)", wrk).group(1)
lat = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", wrk)
rounds = [l for l in syncs.splitlines() if l.strip()]
ok = [l for l in rounds if " SUCCESS " in l + " "]
failed = [l for l in rounds if l not in ok]
times = [int(l.split()[4]) for l in ok if l.split()[4].isdigit()]
samples = [tuple(int(x) for x in l.split()) for l in rss.splitlines() if len(l.split()) == 2]
def median_kb(lo, hi):
    window = [kb for t, kb in samples if lo <= t <= hi]
    return statistics.median(window) if window else float("nan")
warm = median_kb(warmup - 30, warmup)
end_t = samples[-1][0] if samples else duration
end = median_kb(end_t - 30, end_t)
growth = (end - warm) / warm * 100
peak = max(kb for _, kb in samples)
print(f"  wrk: {requests} requests, {rps} req/s, latency avg {lat.group(1)} (stdev {lat.group(2)}, max {lat.group(3)})")
print(f"  HTTP errors: {non2xx} non-2xx, {socket_errors} socket errors"
      + (f" ({sock.group(0)})" if sock else ""))
print(f"  syncs: {len(rounds)} queued through the API, {len(ok)} succeeded, {len(failed)} failed"
      + (f"; sync time median {statistics.median(times)} ms, max {max(times)} ms" if times else ""))
for l in failed + ok[-1:]:
    print("    " + l.replace("_", " "))
print(f"  resident memory: {warm / 1024:.1f} MB at the end of the warm-up ({warmup} s), "
      f"{end / 1024:.1f} MB at the end ({end_t} s): growth {growth:+.1f}%; peak {peak / 1024:.1f} MB "
      f"({len(samples)} samples)")
passed = non2xx == 0 and socket_errors == 0 and not failed and growth <= 10
print("  target (no error, no failed sync, growth <= 10%):", "met" if passed else "MISSED")
sys.exit(0 if passed else 1)
PY
