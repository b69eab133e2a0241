#!/usr/bin/env bash
# gitlab-sim on world L: generation time, load time (logged by the simulator) and requests per
# second with wrk over 127.0.0.1, latency off. Prints figures; asserts nothing.
#   bench/sim_serve.sh [path/to/gitlab-sim]   (default build/bin/gitlab-sim, the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${1:-build/bin/gitlab-sim}
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

start=$(date +%s.%N)
"$SIM" generate --preset L --output "$WORK/l.json"
end=$(date +%s.%N)
echo "generate L: $(echo "$end - $start" | bc) s, $(du -h "$WORK/l.json" | cut -f1)"

"$SIM" serve --world "$WORK/l.json" --port 0 > "$WORK/out" 2> "$WORK/err" &
PID=$!
for _ in $(seq 1 600); do grep -q listening "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/out")
grep loaded "$WORK/err"
echo "resident memory after load: $(ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}')"

URL=http://127.0.0.1:$PORT
run() {  # name, path
  echo "== $1"
  wrk -t2 -c32 -d10s -H 'PRIVATE-TOKEN: sim-owner-token' "$URL$2" | grep -E 'Requests/sec|Latency|Non-2xx'
}
run "direct members of a subgroup (100 per page)" "/api/v4/groups/500/members?per_page=100"
run "a project's direct members" "/api/v4/projects/777/members?per_page=100"
run "a group" "/api/v4/groups/123?with_projects=false"
run "effective members of acme, page 50 of 100k (cached)" "/api/v4/groups/1/members/all?per_page=100&page=50"
run "descendant groups of acme, page 3" "/api/v4/groups/1/descendant_groups?per_page=100&page=3"
