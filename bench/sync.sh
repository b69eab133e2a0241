#!/usr/bin/env bash
# A full sync of a reference world against gitlab-sim at a given latency, into SQLite:
# GitLab requests, the lower bound computed from the world, wall time and peak memory.
#   bench/sync.sh [PRESET (S|M|L)] [LATENCY_MS]     (default M 20; the release build in build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-M}
LATENCY=${2:-20}
BIN=build/bin
WORK=$(mktemp -d)
SIM_PID=""
cleanup() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$BIN/gitlab-sim" generate --preset "$PRESET" --output "$WORK/world.json"
"$BIN/bench_sync_bound" "$WORK/world.json" acme umbrella
"$BIN/gitlab-sim" serve --world "$WORK/world.json" --port 0 --latency-ms "$LATENCY" > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 600); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")

export PROVISIO_DATA_DIR="$WORK/data"
P="$BIN/provisio"
"$P" migrate > /dev/null 2>&1
"$P" gitlab configure --url "http://127.0.0.1:$PORT" --secret s --application-id sim-client-id \
  --mode auto --token sim-admin-token --allowed-groups acme,umbrella > /dev/null 2>&1
echo "== first full sync of $PRESET at ${LATENCY} ms per request (concurrency 16)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$P" sync --json 2> "$WORK/time1" > "$WORK/sync1.json" || true
grep -E '"status"|gitlabRequests|durationMs|usersCreated|groupsCreated|membershipsAdded' "$WORK/sync1.json" | tr -s ' '
grep -o 'phases: [^"]*' "$WORK/time1" || true
tail -1 "$WORK/time1"
echo "== second full sync, nothing changed"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$P" sync --json 2> "$WORK/time2" > "$WORK/sync2.json" || true
grep -E '"status"|gitlabRequests|durationMs|usersCreated|membershipsAdded|membershipsRemoved' "$WORK/sync2.json" | tr -s ' '
grep -o 'phases: [^"]*' "$WORK/time2" || true
tail -1 "$WORK/time2"
