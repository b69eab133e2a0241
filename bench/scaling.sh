#!/usr/bin/env bash
# How local work and memory grow with the world: a dry run of the first full sync (read GitLab,
# resolve, plan; nothing applied) at 0 ms latency, on worlds of growing size. Prints, per world,
# the effective memberships planned, the bytes of JSON read, the time of each phase, the server's
# CPU time (its local work) per membership, the peak memory per membership, and the local work
# against the time parsing those bytes alone would take (targets.md: "≤ 2 × the time to parse the JSON bytes").
#   bench/scaling.sh [WORLD...]   a WORLD is S, M, L or USERS:GROUPS:PROJECTS (M's shape scaled)
#   (default S M 14000:2800:28000 20000:4000:40000)
set -euo pipefail
cd "$(dirname "$0")/.."
WORLDS=${*:-S M 14000:2800:28000 20000:4000:40000}
BIN=build/bin
WORK=$(mktemp -d)
SIM_PID=""
stop_sim() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null || true; fi
  SIM_PID=""
}
cleanup() {
  local status=$?
  stop_sim
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
export PROVISIO_LOG_LEVEL=warn

start_sim() {  # $1: world file
  "$BIN/gitlab-sim" serve --world "$1" --port 0 --latency-ms 0 > "$WORK/sim.out" 2> "$WORK/sim.err" &
  SIM_PID=$!
  for _ in $(seq 1 1200); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")
}

# The parser's speed on GitLab's own answers: a sample of the page kinds a sync reads, from M.
"$BIN/gitlab-sim" generate --preset M --output "$WORK/sample.json"
start_sim "$WORK/sample.json"
mkdir -p "$WORK/pages"
H="PRIVATE-TOKEN: sim-admin-token"
for path in "groups/1/members?per_page=100&page=1" "groups/1/members?per_page=100&page=50" \
            "groups/1/descendant_groups?per_page=100" "groups/1/projects?per_page=100" "groups/5" \
            "projects/1/members?per_page=100" "projects/2/members?per_page=100" \
            "projects/3/members?per_page=100" "projects/4/members?per_page=100"; do
  curl -sf -H "$H" "http://127.0.0.1:$PORT/api/v4/$path" > "$WORK/pages/$(echo "$path" | tr '/?&=' '____')"
done
stop_sim
"$BIN/bench_json_parse" "$WORK"/pages/* | tee "$WORK/parse"
PARSE_MBS=$(sed -n 's/.* \([0-9.]*\) MB\/s/\1/p' "$WORK/parse")

printf "%-22s %12s %8s %9s %8s %7s %7s %8s %8s %8s %8s %8s %8s\n" world memberships "JSON MB" \
  snapshot resolve plan local "cpu s" "ns/memb" "parse s" "cpu/prs" "peak MB" "B/memb"
for world in $WORLDS; do
  case "$world" in
    S|M|L) "$BIN/gitlab-sim" generate --preset "$world" --output "$WORK/world.json" ;;
    *) IFS=: read -r users groups projects <<< "$world"
       "$BIN/gitlab-sim" generate --preset M --users "$users" --groups "$groups" \
         --projects "$projects" --output "$WORK/world.json" ;;
  esac
  start_sim "$WORK/world.json"
  rm -rf "$WORK/data"
  export PROVISIO_DATA_DIR="$WORK/data"
  PROVISIO_ADMIN_PASSWORD=bench-admin-password "$BIN/provisio" migrate > /dev/null 2>&1
  "$BIN/provisio" gitlab configure --url "http://127.0.0.1:$PORT" --secret s \
    --application-id sim-client-id --mode auto --token sim-admin-token \
    --allowed-groups acme,umbrella > /dev/null 2>&1
  /usr/bin/time -f "peak RSS %M KB, cpu %U s user %S s system" "$BIN/provisio" sync --dry-run --json --log-level info \
    > "$WORK/plan.json" 2> "$WORK/err" || true
  stop_sim
  python3 - "$world" "$WORK/plan.json" "$WORK/err" "$PARSE_MBS" <<'PY'
import json, re, sys
world, plan, err, parse_mbs = sys.argv[1], sys.argv[2], open(sys.argv[3]).read(), float(sys.argv[4])
try:
    members = json.load(open(plan))["summary"]["membershipsAdded"]
except Exception:
    sys.exit(f"{world}: the dry run failed:\n{err[-2000:]}")
phase = lambda name: float(re.search(name + r" ([0-9.]+) s", err).group(1))
snapshot, load, resolve, plan_s = (phase(n) for n in ("snapshot", "load", "resolve", "plan"))
local = snapshot + load + resolve + plan_s
mb = int(re.search(r"([0-9]+) bytes read", err).group(1)) / 1e6
parse_s = mb / parse_mbs
peak = int(re.search(r"peak RSS ([0-9]+) KB", err).group(1)) / 1024
# CPU time of the server process: at 0 ms latency gitlab-sim shares the two cores, so the wall
# time of the snapshot also holds the simulator's work of answering.
m = re.search(r"cpu ([0-9.]+) s user ([0-9.]+) s system", err)
cpu = float(m.group(1)) + float(m.group(2))
print(f"{world:<22} {members:>12,} {mb:>8.0f} {snapshot:>9.2f} {resolve:>8.2f} {plan_s:>7.2f} "
      f"{local:>7.2f} {cpu:>8.2f} {cpu * 1e9 / members:>8.0f} {parse_s:>8.2f} {cpu / parse_s:>8.1f} "
      f"{peak:>8.0f} {peak * 1048576 / members:>8.1f}")
PY
done
