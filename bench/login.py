#!/usr/bin/env python3
"""A GitLab login with group sync for a user in 250 groups (targets.md: 1 + ceil(groups / 100)
GitLab requests, server overhead <= 50 ms).

Generates world M, starts gitlab-sim with the given latency, makes one user a direct member of
250 leaf groups, starts `provisio serve` in Just-in-Time mode with group sync and 250 local
groups named by those paths, then logs in RUNS times through the whole OAuth flow and prints,
for the callback request (where all the work happens): GitLab requests by endpoint, wall time,
and the wall time less the GitLab round trips it had to wait for (requests in sequence x latency).

    bench/login.py [LATENCY_MS] [RUNS] [GROUPS]     (default 20 7 250; release build in build/bin)
"""
import http.client
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
LATENCY = int(sys.argv[1]) if len(sys.argv) > 1 else 20
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 7
GROUPS = int(sys.argv[3]) if len(sys.argv) > 3 else 250
ADMIN_PASSWORD = "bench-Login-admin-pw1"


def request(port, method, target, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    hdrs = {"Host": f"127.0.0.1:{port}"}
    hdrs.update(headers or {})
    conn.request(method, target, body=body, headers=hdrs)
    r = conn.getresponse()
    data = r.read()
    out = (r.status, dict(r.getheaders()), r.headers.get_all("Set-Cookie") or [], data)
    conn.close()
    return out


def gitlab(port, path, sudo=None):
    headers = {"PRIVATE-TOKEN": "sim-admin-sudo-token" if sudo else "sim-admin-token"}
    if sudo:
        headers["Sudo"] = str(sudo)
    status, _, _, body = request(port, "GET", "/api/v4" + path, headers=headers)
    assert status == 200, (path, status, body[:200])
    return json.loads(body)


def control(port, path, body):
    body = dict(body, hooks=[])
    status, _, _, data = request(port, "POST", "/__control/" + path, json.dumps(body),
                                 {"Content-Type": "application/json"})
    assert status == 200, (path, data)
    return json.loads(data)


def start(args, env=None, marker="listening on http://127.0.0.1:"):
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    for line in proc.stdout:
        if marker in line:
            return proc, int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
    raise SystemExit(f"{args[0]} did not start")


def main():
    work = tempfile.mkdtemp(prefix="provisio-bench-login-")
    procs = []
    try:
        world = os.path.join(work, "world.json")
        subprocess.run([os.path.join(BIN, "gitlab-sim"), "generate", "--preset", "M", "--output",
                        world], check=True, stdout=subprocess.DEVNULL)
        sim, sim_port = start([os.path.join(BIN, "gitlab-sim"), "serve", "--world", world,
                               "--port", "0", "--latency-ms", "0"])
        procs.append(sim)

        # A user in no group, made a direct member of GROUPS leaf groups.
        user = None
        for uid in range(4, 400):
            u = gitlab(sim_port, f"/users/{uid}")
            if u["state"] == "active" and not u.get("bot") and \
                    not gitlab(sim_port, "/groups?min_access_level=10", sudo=uid):
                user = u
                break
        assert user, "no groupless user in world M"
        groups = []
        for root in ("acme", "umbrella"):
            page = 1
            while True:
                batch = gitlab(sim_port, f"/groups/{root}/descendant_groups?per_page=100&page={page}")
                groups += batch
                if len(batch) < 100:
                    break
                page += 1
        parents = {g["parent_id"] for g in groups}
        leaves = sorted((g for g in groups if g["id"] not in parents), key=lambda g: g["id"])
        assert len(leaves) >= GROUPS, f"world M has {len(leaves)} leaf groups"
        chosen = leaves[:GROUPS]
        for g in chosen:
            control(sim_port, "members", {"source": "group", "id": g["id"], "user_id": user["id"],
                                          "access_level": 30})
        control(sim_port, "oauth/user", {"username": user["username"]})
        control(sim_port, "faults", {"latency_ms": LATENCY})

        env = dict(os.environ, PROVISIO_ADMIN_PASSWORD=ADMIN_PASSWORD,
                   PROVISIO_DATA_DIR=os.path.join(work, "data"))
        env = {k: v for k, v in env.items() if not k.startswith("PROVISIO_") or k in
               ("PROVISIO_ADMIN_PASSWORD", "PROVISIO_DATA_DIR")}
        subprocess.run([os.path.join(BIN, "provisio"), "migrate"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([os.path.join(BIN, "provisio"), "gitlab", "configure", "--enabled", "true",
                        "--url", f"http://127.0.0.1:{sim_port}", "--application-id",
                        "sim-client-id", "--secret", "sim-client-secret", "--mode", "jit",
                        "--sync-groups", "true", "--allow-signup", "true"],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        provisio, port = start([os.path.join(BIN, "provisio"), "serve", "--port", "0", "--bind",
                                "127.0.0.1", "--log-level", "warn"], env=env,
                               marker="Provisio is listening on http://127.0.0.1:")
        procs.append(provisio)
        import base64
        auth = "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
        for g in chosen:
            status, _, _, body = request(port, "POST", "/api/v2/authorizations/groups",
                                         json.dumps({"name": g["full_path"]}),
                                         {"Authorization": auth,
                                          "Content-Type": "application/json"})
            assert status == 200, body

        print(f"== GitLab login with group sync: a user in {GROUPS} groups, world M, "
              f"{LATENCY} ms per GitLab request, {RUNS} runs (release build)")
        walls, overheads = [], []
        for run in range(RUNS):
            status, headers, cookies, _ = request(port, "GET", "/sessions/init/gitlab")
            assert status == 302
            flow = [c.split(";")[0] for c in cookies if c.startswith("provisio_oauth=")][0]
            to_gitlab = headers["Location"]
            path = to_gitlab.split(f"127.0.0.1:{sim_port}", 1)[1]
            status, headers, _, _ = request(sim_port, "GET", path)
            callback = headers["Location"].split(f"127.0.0.1:{port}", 1)[1]
            request(sim_port, "POST", "/__control/counters/reset", "{}",
                    {"Content-Type": "application/json"})
            started = time.perf_counter()
            status, headers, cookies, _ = request(port, "GET", callback, headers={"Cookie": flow})
            wall = (time.perf_counter() - started) * 1000
            assert status == 302 and headers["Location"] == "/", (status, headers)
            assert any(c.startswith("PROVISIO_SESSION=") for c in cookies), "not logged in"
            _, _, _, counters = request(sim_port, "GET", "/__control/counters")
            endpoints = json.loads(counters)["endpoints"]
            total = sum(endpoints.values())
            group_pages = endpoints.get("GET /api/v4/groups", 0)
            # Waited for in sequence: the token, /user, the first page of groups, then the other
            # pages side by side (GitLab gives the total).
            round_trips = 3 + (1 if group_pages > 1 else 0)
            overhead = wall - round_trips * LATENCY
            walls.append(wall)
            overheads.append(overhead)
            print(f"run {run + 1}: {total} GitLab requests {json.dumps(endpoints, sort_keys=True)}, "
                  f"callback {wall:.1f} ms, less {round_trips} round trips: {overhead:.1f} ms"
                  + (" (first login: user and memberships created)" if run == 0 else ""))
        print(f"bound 1 + ceil({GROUPS} / 100) = {1 + math.ceil(GROUPS / 100)} API requests "
              f"(+1 token exchange)")
        print(f"median callback {statistics.median(walls):.1f} ms; median server time "
              f"{statistics.median(overheads):.1f} ms (repeat logins: "
              f"{statistics.median(overheads[1:] or overheads):.1f} ms)")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
