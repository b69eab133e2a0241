#!/usr/bin/env bash
# Recovery after a crash on one machine (SQLite, the default deployment): a sync of a reference
# world is killed with SIGKILL inside its apply (the test-only failpoint PROVISIO_TEST_KILL_AT_ROW,
# so that the kill lands inside the write transaction every time), then the next sync starts:
# `provisio sync` run again, and `provisio serve` restarted. Prints the seconds from the kill to
# the next sync's start (the start time its task records), with the default lease of 120 s,
# which neither waits for: the process that held the task is gone from this machine.
#   bench/recovery.sh [PRESET (S|M)] [KILL_AT_ROW]   (default S 500)
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-S}
KILL_AT_ROW=${2:-500}
BIN=build/bin
WORK=$(mktemp -d)
SIM_PID=""
SERVE_PID=""
cleanup() {
  local status=$?
  # wait gives a killed process's status: kept out of the script's own (set -e).
  for pid in $SERVE_PID $SIM_PID; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || :; done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

"$BIN/gitlab-sim" generate --preset "$PRESET" --output "$WORK/world.json"
"$BIN/gitlab-sim" serve --world "$WORK/world.json" --port 0 > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 600); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")

export PROVISIO_DATA_DIR="$WORK/data"
export PROVISIO_LOG_LEVEL=warn
P="$BIN/provisio"
PROVISIO_ADMIN_PASSWORD=bench-admin-password "$P" migrate > /dev/null
# Automatic provisioning queues the first sync: the one each round kills.
"$P" gitlab configure --url "http://127.0.0.1:$PORT" --secret s --application-id sim-client-id \
  --mode auto --token sim-admin-token --allowed-groups acme,umbrella > /dev/null
cp -a "$WORK/data" "$WORK/before"

now_ms() { date +%s%3N; }
# The start of the last run, as its task records it (ms since the epoch).
last_start() {
  "$P" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["lastRun"]["startedAt"])'
}
# Checks the killed process died of the failpoint's SIGKILL inside the apply.
check_killed() {
  [ "$1" = 137 ] || { echo "expected a SIGKILL (exit 137), got $1" >&2; cat "$2" >&2; exit 1; }
  grep -q "PROVISIO_TEST_KILL_AT_ROW: killing this process at row $KILL_AT_ROW of an apply" "$2" ||
    { echo "the failpoint did not fire inside the apply" >&2; cat "$2" >&2; exit 1; }
}
report() {
  python3 -c 'import sys; print(f"  {sys.argv[1]}: {(int(sys.argv[3]) - int(sys.argv[2])) / 1000:.2f} s from the kill to the next sync'"'"'s start (lease 120 s)")' "$1" "$2" "$3"
}

echo "== recovery on world $PRESET: a sync killed at row $KILL_AT_ROW of its apply"
# 1. `provisio sync`, killed; `provisio sync` again.
status=0
PROVISIO_TEST_KILL_AT_ROW=$KILL_AT_ROW "$P" sync --json > /dev/null 2> "$WORK/killed.err" || status=$?
killed=$(now_ms)
check_killed "$status" "$WORK/killed.err"
"$P" sync --json > "$WORK/next.json"
report "provisio sync, run again" "$killed" "$(last_start)"

# 2. `provisio serve`, killed by the same failpoint while its worker runs the sync; restarted.
rm -rf "$WORK/data" && cp -a "$WORK/before" "$WORK/data"
status=0
PROVISIO_TEST_KILL_AT_ROW=$KILL_AT_ROW "$P" serve --port 0 --bind 127.0.0.1 > /dev/null 2> "$WORK/serve-killed.err" &
SERVE_PID=$!
wait "$SERVE_PID" || status=$?
killed=$(now_ms)
SERVE_PID=""
check_killed "$status" "$WORK/serve-killed.err"
"$P" serve --port 0 --bind 127.0.0.1 > /dev/null 2> "$WORK/serve.err" &
SERVE_PID=$!
for _ in $(seq 1 6000); do
  last=$("$P" status --json | python3 -c 'import json,sys; r=json.load(sys.stdin)["lastRun"]; print(r["status"] if r else "")')
  [ "$last" = SUCCESS ] && break
  sleep 0.1
done
[ "$last" = SUCCESS ] || { echo "the restarted server did not finish the sync" >&2; exit 1; }
report "provisio serve, restarted" "$killed" "$(last_start)"
