#!/usr/bin/env bash
# Event-driven sync latency: GitLab event sent -> permission visible through the API, on a
# reference world against gitlab-sim at a given latency. BOUND projects are bound and a first
# full sync runs (`provisio sync`); then `provisio serve` runs with gitlab-sim's hooks pointed at
# its POST /api/v2/provisioning/gitlab-events, and N membership changes are made through
# gitlab-sim's control API, one at a time, alternating:
#   - a provisioned user added as Developer to the group a bound project sits in (system hook
#     and Member Hook user_add_to_group: the group's tree is re-read),
#   - a provisioned user added as Developer to a bound project (system hook user_add_to_team).
# For each, the time from the control call to the user holding `codeviewer` on the project in
# GET /api/permissions/users (polled every 10 ms) is recorded; p50, p95 and max are printed, with
# the GitLab requests of the event syncs (their tasks' counts).
#   bench/events.sh [PRESET (S|M|L)] [LATENCY_MS] [N] [BOUND] [ROUNDS]   (default M 20 40 50 3)
# ROUNDS rounds of N events run on the same server (the first full sync is the slow part);
# each round prints its figures, then the median of the rounds' p50, p95 and max.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${1:-M}
LATENCY=${2:-20}
EVENTS=${3:-40}
BOUND=${4:-50}
ROUNDS=${5:-3}
BIN=build/bin
WORK=$(mktemp -d)
SIM_PID=""
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/gitlab-sim" generate --preset "$PRESET" --output "$WORK/world.json"
"$BIN/gitlab-sim" serve --world "$WORK/world.json" --port 0 --latency-ms "$LATENCY" > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 600); do grep -q listening "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
SIM_PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.out")

export PROVISIO_DATA_DIR="$WORK/data"
export PROVISIO_ADMIN_PASSWORD=bench-admin-password
export PROVISIO_LOG_LEVEL=warn
P="$BIN/provisio"
"$P" migrate > /dev/null 2>&1
. bench/bound_projects.sh
bind_projects "$P" "$WORK/world.json" "$BOUND" bench "$WORK"
"$P" gitlab configure --url "http://127.0.0.1:$SIM_PORT" --secret s --application-id sim-client-id \
  --mode auto --token sim-admin-token --allowed-groups acme,umbrella \
  --webhook-secret bench-hook-secret > /dev/null 2>&1
echo "== first full sync of $PRESET at ${LATENCY} ms per request ($BOUND bound projects)"
start=$(date +%s)
"$P" sync --json > "$WORK/sync.json" 2> "$WORK/sync.err" || { cat "$WORK/sync.err"; exit 1; }
echo "  $(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["status"], s["summary"]["gitlabRequests"], "GitLab requests")' "$WORK/sync.json") in $(( $(date +%s) - start )) s"

"$P" serve --port 0 --bind 127.0.0.1 --log-level info > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 600); do grep -q 'listening on' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -1)
curl -sf -X POST "http://127.0.0.1:$SIM_PORT/__control/hooks" -H 'Content-Type: application/json' \
  -d "{\"url\": \"http://127.0.0.1:$PORT/api/v2/provisioning/gitlab-events\", \"secret\": \"bench-hook-secret\"}" > /dev/null

echo "== $ROUNDS rounds of $EVENTS membership events, one at a time: event sent -> permission visible in the API"
python3 - "$WORK/world.json" "$WORK/bound_projects" "$PORT" "$SIM_PORT" "$EVENTS" "$ROUNDS" <<'PY'
import base64, json, re, statistics, sys, time, urllib.parse, urllib.request
world_file, bound_file, port, sim_port, events, rounds = sys.argv[1:7]
events, rounds = int(events), int(rounds)
w = json.load(open(world_file))
projects = {p["id"]: p for p in w["projects"]}
bound = [int(l) for l in open(bound_file) if l.strip()]
auth = "Basic " + base64.b64encode(b"admin:bench-admin-password").decode()

def api(path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": auth})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)

def control(what, body):
    req = urllib.request.Request(f"http://127.0.0.1:{sim_port}/__control/{what}",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)

def has_codeviewer(key, login):
    r = api(f"/api/permissions/users?projectKey={key}&q={urllib.parse.quote(login)}")
    return any(u["login"] == login and "codeviewer" in u["permissions"] for u in r["users"])

# Provisioned GitLab users, by GitLab id.
users, page = {}, 1
while True:
    r = api(f"/api/v2/users-management/users?managed=true&active=true&pageSize=500&pageIndex={page}")
    for u in r["users"]:
        if u.get("externalId"):
            users[int(u["externalId"])] = u["login"]
    if page * 500 >= r["page"]["total"]:
        break
    page += 1
candidates = sorted(users)

def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

next_user = 0
summary = []
for round_index in range(rounds):
  timings = []
  for i in range(events):
      # A bound project and a provisioned user without codeviewer on it (on a project of a
      # group every user belongs to, every user may hold it already: then the next project).
      gitlab_user = None
      for attempt in range(len(bound)):
          project = bound[(i + attempt) % len(bound)]
          key = f"bench-{project}"
          for _ in range(20):
              candidate = candidates[next_user % len(candidates)]
              next_user += 1
              if not has_codeviewer(key, users[candidate]):
                  gitlab_user = candidate
                  break
          if gitlab_user is not None:
              break
      if gitlab_user is None:
          sys.exit("no bound project has a provisioned user without codeviewer")
      login = users[gitlab_user]
      if i % 2 == 0:
          body = {"source": "group", "id": projects[project]["namespace_id"], "user_id": gitlab_user,
                  "access_level": 30}
          kind = "group"
      else:
          body = {"source": "project", "id": project, "user_id": gitlab_user, "access_level": 30}
          kind = "project"
      sent = time.monotonic()
      control("members", body)
      while True:
          if has_codeviewer(key, login):
              break
          if time.monotonic() - sent > 60:
              sys.exit(f"event {i} ({kind} {body['id']}, user {gitlab_user}): not visible after 60 s")
          time.sleep(0.01)
      timings.append((time.monotonic() - sent, kind))

  print(f"  round {round_index + 1}:")
  for label, subset in (("all", [t for t, _ in timings]),
                        ("group events", [t for t, k in timings if k == "group"]),
                        ("project events", [t for t, k in timings if k == "project"])):
      if subset:
          print(f"    {label}: n {len(subset)}, p50 {pct(subset, 0.5) * 1000:.0f} ms, "
                f"p95 {pct(subset, 0.95) * 1000:.0f} ms, max {max(subset) * 1000:.0f} ms")
  all_t = [t for t, _ in timings]
  summary.append((pct(all_t, 0.5), pct(all_t, 0.95), max(all_t)))
print(f"  median of {rounds} rounds: p50 {statistics.median(s[0] for s in summary) * 1000:.0f} ms, "
      f"p95 {statistics.median(s[1] for s in summary) * 1000:.0f} ms, "
      f"max {statistics.median(s[2] for s in summary) * 1000:.0f} ms")
tasks = api("/api/ce/activity?type=GITLAB_EVENT_PROVISIONING&ps=500")["tasks"]
full = api("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING&ps=500")["tasks"]
ok = [t for t in tasks if t["status"] == "SUCCESS"]
print(f"  event syncs: {len(tasks)} ({len(ok)} succeeded); full syncs meanwhile: {len(full) - 1}")
runs = []
for t in ok:
    for m in t["infoMessages"]:
        found = re.search(r"([0-9]+) GitLab requests in ([0-9]+) ms", m)
        if found:
            runs.append((int(found.group(1)), int(found.group(2))))
if runs:
    print(f"  per event sync: GitLab requests median {pct([r for r, _ in runs], 0.5)}, "
          f"max {max(r for r, _ in runs)}; run time median {pct([d for _, d in runs], 0.5)} ms, "
          f"max {max(d for _, d in runs)} ms")
PY
