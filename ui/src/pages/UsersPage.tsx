// Users: search, paging, badges, and the actions the managed instance still allows.
import { useState } from "preact/hooks";
import * as api from "../api/endpoints";
import type { User } from "../api/types";
import { ConfirmDialog, Dialog } from "../components/Dialog";
import { Badge, Field, GuardedButton, ManagedBadge, Notice, Pager, SearchBox } from "../components/widgets";
import { createUserBlocked, deactivateUserBlocked, editUserBlocked, untilKnown } from "../logic/managed";
import type { Session } from "../session";
import { useList, useManagedInstance } from "./hooks";

const PAGE_SIZE = 50;

export function UsersPage({ session }: { session: Session }) {
  const managed = useManagedInstance();
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [showInactive, setShowInactive] = useState(false);
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useList(
    async () => {
      const r = await api.users({ q, pageIndex: page, pageSize: PAGE_SIZE, active: showInactive ? undefined : true });
      return { items: r.users, total: r.page.total };
    },
    [q, page, showInactive],
  );

  const deactivate = async (u: User) => {
    setError(null);
    try {
      await api.deactivateUser(u.id);
      list.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setDeactivating(null);
    }
  };

  return (
    <>
      <h1>Users</h1>
      {managed && (
        <Notice kind="info">
          Automatic provisioning is on: users come from GitLab and are changed there. Local users can still be deactivated.
        </Notice>
      )}
      <div class="toolbar">
        <SearchBox label="Search users by login, name or email" onSearch={(v) => { setQ(v); setPage(1); }} />
        <label class="inline">
          <input type="checkbox" checked={showInactive} onChange={(e) => { setShowInactive((e.target as HTMLInputElement).checked); setPage(1); }} />{" "}
          Show deactivated users
        </label>
        <GuardedButton label="Create user" kind="primary" blocked={untilKnown(managed, createUserBlocked)} onClick={() => setEditing("new")} />
      </div>
      {(error || list.error) && <Notice kind="error">{error ?? list.error}</Notice>}
      {list.items && (
        <table class="list">
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Email</th>
              <th scope="col">Origin</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((u) => (
              <tr key={u.id}>
                <th scope="row" data-label="User">
                  <span class="name">{u.name}</span> <span class="login">{u.login}</span>
                  {!u.active && <Badge tone="warn">deactivated</Badge>}
                </th>
                <td data-label="Email">{u.email ?? "—"}</td>
                <td data-label="Origin">
                  {u.managed ? <ManagedBadge /> : u.local ? <Badge>local</Badge> : <Badge>{u.externalProvider}</Badge>}
                </td>
                <td data-label="Actions">
<div class="actions">
                  <GuardedButton compact label="Edit" ariaLabel={`Edit ${u.login}`} blocked={untilKnown(managed, (m) => editUserBlocked(m, u))} onClick={() => setEditing(u)} />
                  <GuardedButton compact
                    label="Deactivate"
                    ariaLabel={`Deactivate ${u.login}`}
                    kind="danger"
                    blocked={untilKnown(managed, (m) => deactivateUserBlocked(m, u, session.user.login))}
                    onClick={() => setDeactivating(u)}
                  />
                </div>
</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.items && list.items.length === 0 && <p>No user matches.</p>}
      <Pager index={page} size={PAGE_SIZE} total={list.total} onPage={setPage} />
      {editing && <UserDialog user={editing === "new" ? null : editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); list.reload(); }} />}
      {deactivating && (
        <ConfirmDialog title={`Deactivate ${deactivating.login}?`} confirmLabel="Deactivate" danger onConfirm={() => deactivate(deactivating)} onCancel={() => setDeactivating(null)}>
          <p>The user can no longer log in, leaves every group and loses every permission. The account stays, deactivated.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function UserDialog({ user, onClose, onSaved }: { user: User | null; onClose: () => void; onSaved: () => void }) {
  const [login, setLogin] = useState(user?.login ?? "");
  const [name, setName] = useState(user?.name ?? "");
  const [email, setEmail] = useState(user?.email ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const valid = name.trim() !== "" && (user !== null || (login.trim().length >= 2 && password.length >= 12));
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      if (user) await api.updateUser(user.id, { name: name.trim(), email: email.trim() || null });
      else await api.createUser({ login: login.trim(), name: name.trim(), password, ...(email.trim() ? { email: email.trim() } : {}) });
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog title={user ? `Edit ${user.login}` : "Create a local user"} onClose={onClose}>
      <form class="dialog-body" onSubmit={save}>
        {!user && <Field label="Login" value={login} onInput={setLogin} required help="2 to 100 letters, digits, '.', '_', '@' or '-'." />}
        <Field label="Name" value={name} onInput={setName} required />
        <Field label="Email" type="email" value={email} onInput={setEmail} />
        {!user && <Field label="Password" type="password" value={password} onInput={setPassword} required autoComplete="new-password" help="At least 12 characters." />}
        {error && <Notice kind="error">{error}</Notice>}
        <div class="dialog-actions">
          <button type="submit" class="button primary" disabled={!valid}>{user ? "Save" : "Create"}</button>
          <button type="button" class="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
