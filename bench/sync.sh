#!/usr/bin/env bash
# Full syncs of a reference world against gitlab-sim at a given latency, into SQLite or into
# PostgreSQL: GitLab requests by endpoint, the lower bound computed from the world, wall time and
# its latency bound, the time and memory of each phase, apply's rows per second, and peak memory.
# A second sync with nothing changed must write no rows. BOUND projects of the world are bound
# first, so permissions are synchronized too.
#   bench/sync.sh [PRESET (S|M|L)] [LATENCY_MS] [sqlite|postgresql] [BOUND]
#   (default M 20 sqlite 50)
# Environment: BENCH_READ_API=graphql|rest (how member lists are read, PROVISIO_GITLAB_READ_API;
# default graphql), BENCH_PROFILE=gitlab.com (gitlab-sim serves GitLab.com's rate limits),
# BENCH_NO_CUSTOM_ROLES=1 (the world without its custom roles, where GraphQL answers every list),
# BENCH_TOKEN=sim-owner-token (the provisioning token of a group owner, as on GitLab.com, where
# nobody outside GitLab is an administrator; default sim-admin-token).
# BENCH_KEEP_DATA=DIR keeps the SQLite data directory there afterwards (bench/api.sh uses it);
# the admin's password is then "bench-admin-password".
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-M}
LATENCY=${2:-20}
DB_KIND=${3:-sqlite}
BOUND=${4:-50}
CONCURRENCY=16
BIN=build/bin
WORK=$(mktemp -d)
SIM_PID=""
cleanup() {
  local status=$?
  # wait gives the killed process's status (143): kept out of the script's own, which set -e
  # would otherwise end here, leaving the work directory and the PostgreSQL cluster behind.
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null || true; fi
  if [ -d "$WORK/pg" ]; then "$BIN/pg_cluster" stop "$WORK/pg" > /dev/null 2>&1 || true; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

GEN_FLAGS=()
[ -n "${BENCH_NO_CUSTOM_ROLES:-}" ] && GEN_FLAGS+=(--without-custom-roles)
SIM_FLAGS=()
[ -n "${BENCH_PROFILE:-}" ] && SIM_FLAGS+=(--profile "$BENCH_PROFILE")
export PROVISIO_GITLAB_READ_API="${BENCH_READ_API:-graphql}"
TOKEN="${BENCH_TOKEN:-sim-admin-token}"
echo "(members read with $PROVISIO_GITLAB_READ_API${BENCH_PROFILE:+, gitlab-sim profile $BENCH_PROFILE}${BENCH_NO_CUSTOM_ROLES:+, world without custom roles}, token $TOKEN)"
"$BIN/gitlab-sim" generate --preset "$PRESET" "${GEN_FLAGS[@]}" --output "$WORK/world.json"
"$BIN/bench_sync_bound" "$WORK/world.json" acme umbrella | tee "$WORK/bound"
"$BIN/gitlab-sim" serve --world "$WORK/world.json" --port 0 --latency-ms "$LATENCY" "${SIM_FLAGS[@]}" > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 600); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")

export PROVISIO_DATA_DIR="$WORK/data"
if [ "$DB_KIND" = postgresql ]; then
  chmod 755 "$WORK"  # as root, the server runs as the postgres user, which must reach its directory
  "$BIN/pg_cluster" start "$WORK/pg" > "$WORK/pg.out"
  PG_PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/pg.out")
  PG_USER=postgres  # the cluster trusts loopback connections
  createdb -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" bench
  export PROVISIO_DB="postgresql://$PG_USER@127.0.0.1:$PG_PORT/bench"
fi
P="$BIN/provisio"
PROVISIO_ADMIN_PASSWORD=bench-admin-password "$P" migrate > /dev/null 2>&1
export PROVISIO_LOG_LEVEL=warn  # the commands below are quiet; the syncs log at info
. bench/bound_projects.sh
bind_projects "$P" "$WORK/world.json" "$BOUND" bench "$WORK"
# Automatic mode last: binding a project while it is on queues a sync of that project.
"$P" gitlab configure --url "http://127.0.0.1:$PORT" --secret s --application-id sim-client-id \
  --mode auto --token "$TOKEN" --allowed-groups acme,umbrella > /dev/null 2>&1

# One sync, then its figures. $1: the label.
run_sync() {
  curl -s -X POST "http://127.0.0.1:$PORT/__control/counters/reset" > /dev/null
  # The same faults again: restarts the rate windows and their 429 counts for this run.
  curl -s -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$PORT/__control/faults" > /dev/null
  /usr/bin/time -f "wall %e s, peak RSS %M KB" "$P" sync --json --log-level info 2> "$WORK/err" > "$WORK/sync.json" || true
  curl -s "http://127.0.0.1:$PORT/__control/counters" > "$WORK/counters.json"
  curl -s "http://127.0.0.1:$PORT/__control/faults" > "$WORK/faults.json"
  python3 - "$WORK/sync.json" "$WORK/err" "$LATENCY" "$CONCURRENCY" "$(sed -n 's/^lower bound: \([0-9]*\).*/\1/p' "$WORK/bound")" "$WORK/bound" "$WORK/counters.json" "$WORK/faults.json" <<'PY'
import json, re, sys
summary = json.load(open(sys.argv[1]))
bound_text = open(sys.argv[6]).read()
err = open(sys.argv[2]).read()
latency, concurrency, bound = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
s = summary.get("summary", {})
print(f"  status {summary.get('status')}{' (held)' if summary.get('held') else ''}"
      f"{': ' + summary['error'] if summary.get('error') else ''}")
changed = {k: v for k, v in s.items() if k not in ("gitlabRequests", "durationMs") and v}
print("  changes:", ", ".join(f"{k} {v}" for k, v in changed.items()) or "none")
requests = s.get("gitlabRequests", 0)
print(f"  GitLab requests {requests} (lower bound {bound}: ratio {requests / bound:.3f})")
m = re.search(r"GitLab requests by endpoint: ([^\n]*)", err)
if m:
    print("  by endpoint:", m.group(1).rstrip('"'))
m = re.search(r"Member lists: ([^\n\"]*)", err)
if m:
    print("  member lists:", m.group(1))
bs = re.search(r"backstage model[^:]*: ([0-9]+) requests", bound_text)
if bs:
    print(f"  GitLab requests {requests} against Backstage's GitLab org provider's {bs.group(1)} "
          f"(model; users and groups only, no shares, no project members): "
          f"{requests / int(bs.group(1)):.2f}x")
counters = json.load(open(sys.argv[7]))
gq = counters.get("graphql", {})
if gq.get("requests"):
    print(f"  gitlab-sim GraphQL: {gq['requests']} requests, {gq['operations']} queries, "
          f"complexity {gq['complexity']} in all, {gq['refused_for_complexity']} refused for complexity")
faults = json.load(open(sys.argv[8]))
windows = faults.get("rate_windows", [])
throttled = sum(w.get("throttled", 0) for w in windows) + sum(faults.get("endpoint_throttled", {}).values())
if faults.get("profile"):
    print(f"  profile {faults['profile']}: {throttled} answers 429 "
          f"({sum(w.get('throttled', 0) for w in windows)} by the API limit, by endpoint "
          f"{faults.get('endpoint_throttled', {})}); all answered by waiting (status above)")
m = re.search(r"phases: ([^\n\"]*)", err)
if m:
    print("  phases:", m.group(1))
    snap = re.search(r"snapshot ([0-9.]+) s", m.group(1))
    if snap:
        bound_s = requests * latency / 1000 / concurrency
        if bound_s > 0:
            ratio = float(snap.group(1)) / bound_s
            print(f"  snapshot {snap.group(1)} s; latency bound (requests x {latency:g} ms / "
                  f"{concurrency}) {bound_s:.1f} s: ratio {ratio:.2f}")
            # Backstage's GitLab org provider on the same users and groups (its request model,
            # from bench_sync_bound), against this run's part for users and groups at the ratio
            # to the latency bound this run measured.
            bs = re.search(r"backstage model[^:]*: ([0-9]+) requests", bound_text)
            ours = re.search(r"provisio users and groups part: ([0-9]+) requests", bound_text)
            if bs and ours and s.get("usersCreated"):
                bs_s = int(bs.group(1)) * latency / 1000
                ours_s = int(ours.group(1)) * latency / 1000 / concurrency * ratio
                print(f"  users and groups only: Backstage's org provider {bs.group(1)} requests, "
                      f"one at a time: {bs_s:.1f} s; Provisio {ours.group(1)} requests: "
                      f"{ours_s:.1f} s at this run's ratio ({ours_s / bs_s:.2f}x)")
    ap = re.search(r"apply ([0-9.]+) s \(([0-9]+) rows", m.group(1))
    if ap and float(ap.group(1)) > 0:
        print(f"  apply: {int(ap.group(2)) / float(ap.group(1)):,.0f} rows/s "
              f"(rows written, not counting their audit rows)")
m = re.search(r"wall ([0-9.]+) s, peak RSS ([0-9]+) KB", err)
if m:
    print(f"  wall {m.group(1)} s, peak RSS {int(m.group(2)) / 1024:.0f} MB")
PY
}

echo "== first full sync of $PRESET at ${LATENCY} ms per request (concurrency $CONCURRENCY) into $DB_KIND"
run_sync
echo "== second full sync of $PRESET, nothing changed"
run_sync
if [ -n "${BENCH_KEEP_DATA:-}" ] && [ "$DB_KIND" = sqlite ]; then
  rm -rf "$BENCH_KEEP_DATA"
  mv "$WORK/data" "$BENCH_KEEP_DATA"
  echo "(the database is kept in $BENCH_KEEP_DATA)"
fi
