// A project's permissions: who holds which of the six, as a matrix of checkboxes. On a project
// bound to GitLab while the instance is managed, provisioned users' rows are read-only and local
// users' and groups' rows can only lose permissions.
import { useEffect, useState } from "preact/hooks";
import * as api from "../api/endpoints";
import type { PermissionHolder, Project } from "../api/types";
import { Link } from "../components/router";
import { Badge, Field, ManagedBadge, Notice, SearchBox } from "../components/widgets";
import { permissionRowMode, projectManaged, ROW_MODE_REASONS, type RowMode } from "../logic/managed";
import { useManagedInstance } from "./hooks";

// The API's project permission keys, in the order of the role mapping's columns.
const PERMISSIONS: { key: string; label: string }[] = [
  { key: "user", label: "Browse" },
  { key: "codeviewer", label: "See source code" },
  { key: "issueadmin", label: "Administer issues" },
  { key: "securityhotspotadmin", label: "Administer security hotspots" },
  { key: "admin", label: "Administer project" },
  { key: "scan", label: "Execute analysis" },
];

type Holder = PermissionHolder & { kind: "user" | "group" };

export function ProjectPermissionsPage({ projectKey }: { projectKey: string }) {
  const managed = useManagedInstance();
  const [project, setProject] = useState<Project | null | undefined>(undefined);
  const [holders, setHolders] = useState<Holder[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [q, setQ] = useState("");
  const [totals, setTotals] = useState({ users: 0, groups: 0 });

  useEffect(() => {
    (async () => {
      const found = (await api.projects({ q: projectKey, ps: 100 })).components.find((p) => p.key === projectKey);
      setProject(found ?? null);
      if (!found) return;
      const [users, groups] = await Promise.all([api.permissionUsers(projectKey, q), api.permissionGroups(projectKey, q)]);
      setTotals({ users: users.paging.total, groups: groups.paging.total });
      setHolders([
        ...groups.groups.map((g) => ({ ...g, kind: "group" as const })),
        ...users.users.map((u) => ({ ...u, kind: "user" as const })),
      ]);
    })().catch((e: Error) => setError(e.message));
  }, [projectKey, version, q]);

  const change = async (h: Holder, permission: string, grant: boolean) => {
    setError(null);
    // Shown at once, so that a render before the answer does not flip the box back; the reload
    // below shows what the server holds either way.
    const toggled = grant ? [...h.permissions, permission] : h.permissions.filter((p) => p !== permission);
    setHolders((list) => list && list.map((x) => (x === h ? { ...x, permissions: toggled } : x)));
    try {
      if (h.kind === "user") {
        await (grant ? api.grantToUser : api.revokeFromUser)(projectKey, h.login!, permission);
      } else {
        await (grant ? api.grantToGroup : api.revokeFromGroup)(projectKey, h.name, permission);
      }
    } catch (e) {
      setError((e as Error).message);
    }
    setVersion((v) => v + 1);
  };

  if (project === null) {
    return (
      <>
        <h1>Project not found</h1>
        <p>
          There is no project with the key "{projectKey}". <Link href="/projects">Back to projects</Link>
        </p>
      </>
    );
  }
  const bound = project ? projectManaged(!!managed, project) : false;
  return (
    <>
      <p class="breadcrumb">
        <Link href="/projects">Projects</Link> › {project?.name ?? projectKey}
      </p>
      <h1>Permissions of {project?.name ?? projectKey}</h1>
      {bound && project && (
        <Notice kind="info">
          This project is bound to GitLab project #{project.gitlabProjectId} and managed by GitLab: provisioned users' permissions
          follow their GitLab role; local users and groups can lose permissions here but not gain them.
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div class="toolbar">
        <SearchBox label="Search users and groups" onSearch={setQ} />
        {holders && (
          <span class="help" aria-live="polite">
            {totals.users} users and {totals.groups} groups hold permissions
            {holders.length < totals.users + totals.groups ? `; the first ${holders.length} are shown, search to find others` : ""}.
          </span>
        )}
      </div>
      {holders && project && (
        <div class="table-scroll">
          <table class="matrix permissions">
            <caption class="visually-hidden">Permissions on {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">User or group</th>
                {PERMISSIONS.map((p) => (
                  <th scope="col" key={p.key}>{p.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {holders.length === 0 && (
                <tr>
                  <td colSpan={PERMISSIONS.length + 1}>Nobody holds a permission on this project.</td>
                </tr>
              )}
              {holders.map((h) => {
                const mode: RowMode = permissionRowMode(!!managed, project, h.kind === "user" && h.managed);
                const who = h.kind === "user" ? h.login! : h.name;
                return (
                  <tr key={`${h.kind}:${who}`}>
                    <th scope="row">
                      {h.kind === "group" ? <Badge>group</Badge> : null} {h.name}{" "}
                      {h.kind === "user" && <span class="login">{h.login}</span>} {h.managed && <ManagedBadge />}
                      {ROW_MODE_REASONS[mode] && <span class="reason">{mode === "read-only" ? "Read-only" : "Remove only"}</span>}
                    </th>
                    {PERMISSIONS.map((p) => {
                      const held = h.permissions.includes(p.key);
                      const disabled = mode === "read-only" || (mode === "remove-only" && !held);
                      return (
                        <td key={p.key} data-label={p.label}>
                          <input
                            type="checkbox"
                            checked={held}
                            disabled={disabled}
                            title={disabled ? ROW_MODE_REASONS[mode] ?? undefined : undefined}
                            aria-label={`${p.label} for ${who}`}
                            onChange={() => change(h, p.key, !held)}
                          />
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {project && <GrantForm project={project} blocked={bound ? ROW_MODE_REASONS["remove-only"] : null} onGranted={() => setVersion((v) => v + 1)} />}
    </>
  );
}

function GrantForm({ project, blocked, onGranted }: { project: Project; blocked: string | null; onGranted: () => void }) {
  const [kind, setKind] = useState<"user" | "group">("user");
  const [who, setWho] = useState("");
  const [permission, setPermission] = useState("user");
  const [error, setError] = useState<string | null>(null);
  if (blocked) {
    return (
      <section class="card" aria-labelledby="grant-title">
        <h2 id="grant-title">Grant a permission</h2>
        <p class="reason">{blocked}</p>
      </section>
    );
  }
  const grant = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      if (kind === "user") await api.grantToUser(project.key, who.trim(), permission);
      else await api.grantToGroup(project.key, who.trim(), permission);
      setWho("");
      onGranted();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="grant-title">
      <h2 id="grant-title">Grant a permission</h2>
      <form class="inline-form" onSubmit={grant}>
        <div class="field">
          <label for="grant-kind">To a</label>
          <select id="grant-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as "user" | "group")}>
            <option value="user">user</option>
            <option value="group">group</option>
          </select>
        </div>
        <Field label={kind === "user" ? "User login" : "Group name"} value={who} onInput={setWho} />
        <div class="field">
          <label for="grant-permission">Permission</label>
          <select id="grant-permission" value={permission} onChange={(e) => setPermission((e.target as HTMLSelectElement).value)}>
            {PERMISSIONS.map((p) => (
              <option key={p.key} value={p.key}>{p.label}</option>
            ))}
          </select>
        </div>
        <button type="submit" class="button primary" disabled={who.trim() === ""}>Grant</button>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
