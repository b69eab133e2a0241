// The Global GitLab role mapping: GitLab roles (rows) × the six project permissions (columns).
// As in SonarQube, edits stay in the dialog and "Close" saves them; "Discard changes" leaves
// without saving. A custom role is added in "Add custom role" with Browse to start with, needs
// at least one permission, and its name must match the GitLab custom role exactly.
import { useEffect, useState } from "preact/hooks";
import * as api from "../../api/endpoints";
import { PERMISSION_KEYS, type PermissionKey, type RoleMapping } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { Field, Notice } from "../../components/widgets";
import {
  isDirty,
  mappingChanges,
  newCustomRole,
  newRoleError,
  PERMISSION_LABELS,
  rolesWithoutPermission,
  sortMappings,
} from "../../logic/role_mapping";

// onSaved: something was saved (a synchronization applies it while provisioning is automatic).
export function RoleMappingDialog({ onClose, onSaved }: { onClose: () => void; onSaved?: () => void }) {
  const [before, setBefore] = useState<RoleMapping[] | null>(null);
  const [rows, setRows] = useState<RoleMapping[]>([]);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.roleMappings().then(
      (list) => {
        setBefore(list);
        setRows(sortMappings(list));
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  const toggle = (role: string, key: PermissionKey) =>
    setRows(rows.map((m) => (m.role === role ? { ...m, permissions: { ...m.permissions, [key]: !m.permissions[key] } } : m)));

  const add = (e: Event) => {
    e.preventDefault();
    const problem = newRoleError(name, rows);
    setNameError(problem);
    if (problem) return;
    setRows(sortMappings([...rows, newCustomRole(name)]));
    setName("");
  };

  const empty = rolesWithoutPermission(rows);

  const close = async () => {
    if (!before) return onClose();
    if (empty.length > 0) {
      setError(`Give at least one permission to ${empty.map((r) => `"${r}"`).join(", ")}, or delete it.`);
      return;
    }
    const changes = mappingChanges(before, rows);
    const changed = isDirty(before, rows);
    setBusy(true);
    try {
      for (const role of changes.deleted) await api.deleteRoleMapping(role);
      for (const m of changes.added) await api.addRoleMapping(m.role, m.permissions);
      for (const m of changes.updated) await api.updateRoleMapping(m.role, m.permissions);
      if (changed) onSaved?.();
      onClose();
    } catch (err) {
      // Some calls may have gone through: show what the server holds now.
      setError((err as Error).message);
      setBusy(false);
      const now = await api.roleMappings().catch(() => null);
      if (now) setBefore(now);
    }
  };

  return (
    <Dialog title="Global GitLab role mapping" onClose={close} onEscape={close} wide>
      <div class="dialog-body">
        <p class="help">
          Each GitLab role gives these permissions on the projects bound to GitLab. A custom role without a mapping here
          falls back to its base role. Close saves the changes; Discard changes leaves without saving.
        </p>
        {before === null && !error && <p class="loading">Loading…</p>}
        {before !== null && (
          <div class="table-scroll">
            <table class="matrix">
              <caption class="visually-hidden">Permissions given by each GitLab role</caption>
              <thead>
                <tr>
                  <th scope="col">GitLab role</th>
                  {PERMISSION_KEYS.map((k) => (
                    <th scope="col" key={k}>
                      {PERMISSION_LABELS[k]}
                    </th>
                  ))}
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => (
                  <tr key={m.role} class={empty.includes(m.role) ? "row-invalid" : undefined}>
                    <th scope="row">
                      <span class="role-name">{m.role}</span>
                      {!m.baseRole && <span class="badge badge-muted">custom</span>}
                      {empty.includes(m.role) && <span class="reason">needs a permission</span>}
                    </th>
                    {PERMISSION_KEYS.map((k) => (
                      <td key={k} data-label={PERMISSION_LABELS[k]}>
                        <input
                          type="checkbox"
                          checked={m.permissions[k]}
                          aria-label={`${PERMISSION_LABELS[k]} for ${m.role}`}
                          onChange={() => toggle(m.role, k)}
                        />
                      </td>
                    ))}
                    <td>
                      {!m.baseRole && (
                        <button
                          type="button"
                          class="icon-button"
                          aria-label={`Delete the role ${m.role}`}
                          title={`Delete the role ${m.role}`}
                          onClick={() => setRows(rows.filter((r) => r.role !== m.role))}
                        >
                          <BinIcon />
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <section class="add-role" aria-labelledby="add-custom-role-title">
          <h3 id="add-custom-role-title">Add custom role</h3>
          <form class="inline-form" onSubmit={add} aria-labelledby="add-custom-role-title">
            <Field
              label="Custom role name"
              value={name}
              onInput={(v) => {
                setName(v);
                setNameError(null);
              }}
              error={nameError ?? undefined}
              help="The exact name of the custom role in GitLab (names are case-sensitive). It starts with Browse."
            />
            <button type="submit" class="button">
              Add
            </button>
          </form>
        </section>
        {error && <Notice kind="error">{error}</Notice>}
      </div>
      <div class="dialog-actions">
        <button type="button" class="button primary" onClick={close} disabled={busy}>
          Close
        </button>
        <button type="button" class="button" onClick={onClose} disabled={busy || before === null || !isDirty(before, rows)}>
          Discard changes
        </button>
      </div>
    </Dialog>
  );
}

function BinIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M6 1h4l1 1h3v2H2V2h3l1-1zm-3 4h10l-1 10H4L3 5zm3 2v6h1V7H6zm3 0v6h1V7H9z"
      />
    </svg>
  );
}
