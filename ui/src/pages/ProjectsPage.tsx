// Projects: search, paging, create, delete, visibility, and the binding to a GitLab project.
import { useState } from "preact/hooks";
import * as api from "../api/endpoints";
import type { Project, Visibility } from "../api/types";
import { ConfirmDialog, Dialog } from "../components/Dialog";
import { Link } from "../components/router";
import { Badge, Field, GuardedButton, ManagedBadge, Notice, Pager, SearchBox } from "../components/widgets";
import { projectManaged, untilKnown, visibilityBlocked } from "../logic/managed";
import { projectPermissionsPath } from "../logic/routes";
import { useList, useManagedInstance } from "./hooks";

const PAGE_SIZE = 50;

export function ProjectsPage() {
  const managed = useManagedInstance();
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [binding, setBinding] = useState<Project | null>(null);
  const [deleting, setDeleting] = useState<Project | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const list = useList(
    async () => {
      const r = await api.projects({ q, p: page, ps: PAGE_SIZE });
      return { items: r.components, total: r.paging.total };
    },
    [q, page],
  );

  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    setInfo(null);
    try {
      await what();
      list.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <>
      <h1>Projects</h1>
      <p class="lead">Bind a project to its GitLab project so that automatic provisioning sets its permissions and visibility.</p>
      {managed && (
        <Notice kind="info">
          Automatic provisioning is on: the permissions and visibility of projects bound to GitLab follow GitLab.
        </Notice>
      )}
      <div class="toolbar">
        <SearchBox label="Search projects by key or name" onSearch={(v) => { setQ(v); setPage(1); }} />
        <button type="button" class="button primary" onClick={() => setCreating(true)}>Create project</button>
      </div>
      {(error || list.error) && <Notice kind="error">{error ?? list.error}</Notice>}
      {info && <Notice kind="success">{info}</Notice>}
      {list.items && (
        <table class="list">
          <caption class="visually-hidden">Projects</caption>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Visibility</th>
              <th scope="col">GitLab project</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((p) => {
              const other: Visibility = p.visibility === "public" ? "private" : "public";
              return (
                <tr key={p.key}>
                  <th scope="row" data-label="Project">
                    <span class="name">{p.name}</span> <span class="login">{p.key}</span>
                  </th>
                  <td data-label="Visibility">{p.visibility === "public" ? "Public" : "Private"}</td>
                  <td data-label="GitLab project">
                    {p.gitlabProjectId !== null ? (
                      <>
                        #{p.gitlabProjectId} {projectManaged(!!managed, p) && <ManagedBadge />}
                      </>
                    ) : (
                      <Badge>not bound</Badge>
                    )}
                  </td>
                  <td data-label="Actions">
<div class="actions">
                    <Link href={projectPermissionsPath(p.key)}>Permissions<span class="visually-hidden"> of {p.name}</span></Link>
                    <button type="button" class="button" aria-label={`Bind ${p.key} to GitLab`} onClick={() => setBinding(p)}>
                      {p.gitlabProjectId !== null ? "Change binding" : "Bind to GitLab"}
                    </button>
                    <GuardedButton compact
                      label={`Make ${other}`}
                      ariaLabel={`Make ${p.key} ${other}`}
                      blocked={untilKnown(managed, (m) => visibilityBlocked(m, p))}
                      onClick={() => act(() => api.updateVisibility(p.key, other))}
                    />
                    <button type="button" class="button danger" aria-label={`Delete ${p.key}`} onClick={() => setDeleting(p)}>Delete</button>
                  </div>
</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {list.items && list.items.length === 0 && <p>No project matches.</p>}
      <Pager index={page} size={PAGE_SIZE} total={list.total} onPage={setPage} />
      {creating && <CreateProjectDialog onClose={() => setCreating(false)} onSaved={() => { setCreating(false); list.reload(); }} />}
      {binding && (
        <BindDialog
          project={binding}
          onClose={() => setBinding(null)}
          onSaved={(id) => {
            setBinding(null);
            setInfo(`Project ${binding.key} bound to GitLab project #${id}. Its permissions are synchronized shortly.`);
            list.reload();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog title={`Delete the project ${deleting.key}?`} confirmLabel="Delete" danger onConfirm={() => { const p = deleting; setDeleting(null); void act(() => api.deleteProject(p.key)); }} onCancel={() => setDeleting(null)}>
          <p>The project and every permission on it are deleted. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function CreateProjectDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [visibility, setVisibility] = useState<Visibility>("private");
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api.createProject(key.trim(), name.trim(), visibility);
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog title="Create a project" onClose={onClose}>
      <form class="dialog-body" onSubmit={save}>
        <Field label="Key" value={key} onInput={setKey} required />
        <Field label="Name" value={name} onInput={setName} required />
        <fieldset class="choices compact">
          <legend>Visibility</legend>
          {(["private", "public"] as const).map((v) => (
            <label key={v} class="inline">
              <input type="radio" name="visibility" checked={visibility === v} onChange={() => setVisibility(v)} /> {v === "public" ? "Public" : "Private"}
            </label>
          ))}
        </fieldset>
        {error && <Notice kind="error">{error}</Notice>}
        <div class="dialog-actions">
          <button type="submit" class="button primary" disabled={!key.trim() || !name.trim()}>Create</button>
          <button type="button" class="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

function BindDialog({ project, onClose, onSaved }: { project: Project; onClose: () => void; onSaved: (id: string) => void }) {
  const [id, setId] = useState(project.gitlabProjectId !== null ? String(project.gitlabProjectId) : "");
  const [error, setError] = useState<string | null>(null);
  const valid = /^[1-9][0-9]*$/.test(id.trim());
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api.bindProject(project.key, id.trim());
      onSaved(id.trim());
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Dialog title={`Bind ${project.key} to a GitLab project`} onClose={onClose}>
      <form class="dialog-body" onSubmit={save}>
        <Field
          label="GitLab project ID"
          value={id}
          onInput={setId}
          inputMode="numeric"
          required
          error={id.trim() !== "" && !valid ? "The numeric ID shown on the GitLab project's page (a path is not accepted)." : undefined}
          help="The number shown under the project's name in GitLab."
        />
        {error && <Notice kind="error">{error}</Notice>}
        <div class="dialog-actions">
          <button type="submit" class="button primary" disabled={!valid}>Bind</button>
          <button type="button" class="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
