// Groups: search, paging, badges; create, edit, delete and members as the managed instance allows.
import { useEffect, useState } from "preact/hooks";
import * as api from "../api/endpoints";
import type { Group, User } from "../api/types";
import { ConfirmDialog, Dialog } from "../components/Dialog";
import { Badge, Field, GuardedButton, ManagedBadge, Notice, Pager, SearchBox } from "../components/widgets";
import {
  addMemberBlocked,
  createGroupBlocked,
  deleteGroupBlocked,
  editGroupBlocked,
  removeMemberBlocked,
  renameGroupBlocked,
  untilKnown,
} from "../logic/managed";
import { useList, useManagedInstance } from "./hooks";

const PAGE_SIZE = 50;
const MEMBERS_PAGE = 20; // each member is one more call to read the user

export function GroupsPage() {
  const managed = useManagedInstance();
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Group | "new" | null>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const [members, setMembers] = useState<Group | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useList(
    async () => {
      const r = await api.groups({ q, pageIndex: page, pageSize: PAGE_SIZE });
      return { items: r.groups, total: r.page.total };
    },
    [q, page],
  );

  const remove = async (g: Group) => {
    setError(null);
    try {
      await api.deleteGroup(g.id);
      list.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setDeleting(null);
    }
  };

  return (
    <>
      <h1>Groups</h1>
      {managed && (
        <Notice kind="info">
          Automatic provisioning is on: groups and their members come from GitLab. Local groups can still be deleted, and
          local users removed from them.
        </Notice>
      )}
      <div class="toolbar">
        <SearchBox label="Search groups by name" onSearch={(v) => { setQ(v); setPage(1); }} />
        <GuardedButton label="Create group" kind="primary" blocked={untilKnown(managed, createGroupBlocked)} onClick={() => setEditing("new")} />
      </div>
      {(error || list.error) && <Notice kind="error">{error ?? list.error}</Notice>}
      {list.items && (
        <table class="list">
          <caption class="visually-hidden">Groups</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Description</th>
              <th scope="col">Origin</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((g) => (
              <tr key={g.id}>
                <th scope="row" data-label="Group">
                  {g.name} {g.default && <Badge>default</Badge>}
                </th>
                <td data-label="Description">{g.description || "—"}</td>
                <td data-label="Origin">{g.managed ? <ManagedBadge /> : <Badge>local</Badge>}</td>
                <td data-label="Actions">
<div class="actions">
                  <button type="button" class="button" aria-label={`Members of ${g.name}`} onClick={() => setMembers(g)}>
                    Members
                  </button>
                  <GuardedButton compact label="Edit" ariaLabel={`Edit ${g.name}`} blocked={untilKnown(managed, (m) => editGroupBlocked(m, g))} onClick={() => setEditing(g)} />
                  <GuardedButton compact label="Delete" ariaLabel={`Delete ${g.name}`} kind="danger" blocked={untilKnown(managed, (m) => deleteGroupBlocked(m, g))} onClick={() => setDeleting(g)} />
                </div>
</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.items && list.items.length === 0 && <p>No group matches.</p>}
      <Pager index={page} size={PAGE_SIZE} total={list.total} onPage={setPage} />
      {editing && (
        <GroupDialog group={editing === "new" ? null : editing} managed={!!managed} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); list.reload(); }} />
      )}
      {deleting && (
        <ConfirmDialog title={`Delete the group ${deleting.name}?`} confirmLabel="Delete" danger onConfirm={() => remove(deleting)} onCancel={() => setDeleting(null)}>
          <p>Its members leave it and the permissions given to it are revoked. Users are not deleted.</p>
        </ConfirmDialog>
      )}
      {members && <MembersDialog group={members} managed={!!managed} onClose={() => setMembers(null)} />}
    </>
  );
}

function GroupDialog({ group, managed, onClose, onSaved }: { group: Group | null; managed: boolean; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(group?.name ?? "");
  const [description, setDescription] = useState(group?.description ?? "");
  const [error, setError] = useState<string | null>(null);
  const renameBlocked = group ? renameGroupBlocked(managed, group) : null;
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      if (group) {
        const patch: { name?: string; description?: string } = { description };
        if (name.trim() !== group.name) patch.name = name.trim();
        await api.updateGroup(group.id, patch);
      } else {
        await api.createGroup({ name: name.trim(), description });
      }
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog title={group ? `Edit ${group.name}` : "Create a group"} onClose={onClose}>
      <form class="dialog-body" onSubmit={save}>
        <Field label="Name" value={name} onInput={setName} required disabled={renameBlocked !== null} help={renameBlocked ?? undefined} />
        <Field label="Description" value={description} onInput={setDescription} />
        {error && <Notice kind="error">{error}</Notice>}
        <div class="dialog-actions">
          <button type="submit" class="button primary" disabled={name.trim() === ""}>{group ? "Save" : "Create"}</button>
          <button type="button" class="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

function MembersDialog({ group, managed, onClose }: { group: Group; managed: boolean; onClose: () => void }) {
  const [members, setMembers] = useState<{ id: string; user: User }[] | null>(null);
  const [login, setLogin] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [page, setPage] = useState(1);
  const [total, setTotal] = useState(0);
  useEffect(() => {
    (async () => {
      const r = await api.memberships({ groupId: group.id, pageIndex: page, pageSize: MEMBERS_PAGE });
      setTotal(r.page.total);
      const users = await Promise.all(r.groupMemberships.map(async (m) => ({ id: m.id, user: await api.userById(m.userId) })));
      users.sort((a, b) => a.user.login.localeCompare(b.user.login));
      setMembers(users);
    })().catch((e: Error) => setError(e.message));
  }, [group.id, version, page]);

  const add = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const found = (await api.users({ q: login.trim(), pageSize: 50 })).users.find((u) => u.login === login.trim());
      if (!found) throw new Error(`There is no user with the login "${login.trim()}".`);
      await api.addMembership(group.id, found.id);
      setLogin("");
      setVersion((v) => v + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const remove = async (id: string) => {
    setError(null);
    try {
      await api.removeMembership(id);
      setVersion((v) => v + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const addBlocked = addMemberBlocked(managed, group);
  return (
    <Dialog title={`Members of ${group.name}`} onClose={onClose}>
      <div class="dialog-body">
        {members === null && !error && <p class="loading">Loading…</p>}
        {members && members.length === 0 && <p>No members.</p>}
        {members && members.length > 0 && (
          <ul class="members">
            {members.map(({ id, user }) => (
              <li key={id}>
                <span>
                  {user.name} <span class="login">{user.login}</span> {user.managed && <ManagedBadge />}
                </span>
                <GuardedButton label="Remove" ariaLabel={`Remove ${user.login}`} blocked={removeMemberBlocked(managed, group, user)} onClick={() => remove(id)} />
              </li>
            ))}
          </ul>
        )}
        {total > MEMBERS_PAGE && <Pager index={page} size={MEMBERS_PAGE} total={total} onPage={setPage} />}
        {addBlocked ? (
          <p class="reason">{addBlocked}</p>
        ) : (
          <form class="inline-form" onSubmit={add} aria-label="Add a member">
            <Field label="Login of the user to add" value={login} onInput={setLogin} />
            <button type="submit" class="button" disabled={login.trim() === ""}>Add</button>
          </form>
        )}
        {error && <Notice kind="error">{error}</Notice>}
      </div>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}
