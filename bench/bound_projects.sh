# Sourced by the benchmarks: binds COUNT projects inside the allowed groups acme and umbrella
# (the first ones of the world file), as keys PREFIX-<GitLab id>. Run before automatic mode is on:
# binding a project while it is on queues a sync of that project.
#   bind_projects PROVISIO WORLD.json COUNT PREFIX WORK_DIR [ALLOWED_GROUPS_FILE]
# ALLOWED_GROUPS_FILE, when given, receives the ids of every group of the allowed trees.
bind_projects() {
  local provisio=$1 world=$2 count=$3 prefix=$4 work=$5 allowed=${6:-}
  python3 - "$world" "$count" "$allowed" > "$work/bound_projects" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
groups = {g["id"]: g for g in w["groups"]}
def root(gid):
    while groups[gid]["parent_id"]:
        gid = groups[gid]["parent_id"]
    return groups[gid]["path"]
if sys.argv[3]:
    allowed = [g for g in groups if root(g) in ("acme", "umbrella")]
    open(sys.argv[3], "w").write("\n".join(str(g) for g in allowed))
picked = [p["id"] for p in w["projects"] if root(p["namespace_id"]) in ("acme", "umbrella")]
print("\n".join(str(i) for i in picked[:int(sys.argv[2])]))
PY
  local id
  while read -r id; do
    [ -n "$id" ] || continue
    "$provisio" project create --key "$prefix-$id" --name "$prefix $id" > /dev/null
    "$provisio" project bind --key "$prefix-$id" --gitlab-project-id "$id" > /dev/null
  done < "$work/bound_projects"
}
