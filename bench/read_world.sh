#!/usr/bin/env bash
# Reads world M from gitlab-sim at 20 ms per request with concurrency 1, 4, 16 and 32.
#   bench/read_world.sh [PRESET] [LATENCY_MS] [CONCURRENCY...]
#   (default M 20 1 4 16 32; the release build in build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-M}
LATENCY=${2:-20}
shift $(( $# > 2 ? 2 : $# ))
LEVELS=${*:-1 4 16 32}
WORK=$(mktemp -d)
SIM_PID=""
cleanup() { [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
build/bin/gitlab-sim generate --preset "$PRESET" --output "$WORK/world.json"
build/bin/gitlab-sim serve --world "$WORK/world.json" --port 0 --latency-ms "$LATENCY" > "$WORK/out" 2> "$WORK/err" &
SIM_PID=$!
for _ in $(seq 1 600); do grep -q listening "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/out")
echo "== reading world $PRESET at $LATENCY ms per request"
# shellcheck disable=SC2086
build/bin/bench_read_world "http://127.0.0.1:$PORT" $LEVELS
