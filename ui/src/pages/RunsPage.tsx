// Run history: every background task with its status, duration, summary, warnings and error;
// and Provisio's own plan preview and explain views when the server offers them.
import { useEffect, useState } from "preact/hooks";
import * as api from "../api/endpoints";
import type { Task } from "../api/types";
import { Badge, Field, Notice, Pager } from "../components/widgets";
import { formatDuration, parseServerTime, STATUS_LABELS, TYPE_LABELS } from "../logic/sync_status";
import { useList } from "./hooks";

const PAGE_SIZE = 25;
const TONES: Record<Task["status"], "muted" | "ok" | "warn" | "error"> = {
  PENDING: "muted",
  IN_PROGRESS: "warn",
  SUCCESS: "ok",
  FAILED: "error",
  CANCELED: "muted",
};

export function RunsPage() {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState("");
  const [extras, setExtras] = useState({ plan: false, explain: false });
  const list = useList(
    async () => {
      const r = await api.tasks({ p: page, ps: PAGE_SIZE, status: status || undefined });
      return { items: r.tasks, total: r.paging.total };
    },
    [page, status],
  );
  useEffect(() => {
    void api.optionalEndpoints().then(setExtras);
  }, []);
  // Keep the list moving while something is queued or running.
  const active = list.items?.some((t) => t.status === "PENDING" || t.status === "IN_PROGRESS");
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setTimeout(list.reload, 2000);
    return () => window.clearTimeout(timer);
  }, [active, list.items]);

  return (
    <>
      <h1>Run history</h1>
      <div class="toolbar">
        <div class="field">
          <label for="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => { setStatus((e.target as HTMLSelectElement).value); setPage(1); }}>
            <option value="">Any</option>
            {Object.entries(STATUS_LABELS).map(([k, v]) => (
              <option key={k} value={k}>{v}</option>
            ))}
          </select>
        </div>
        <button type="button" class="button" onClick={list.reload}>Refresh</button>
      </div>
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {list.items && list.items.length === 0 && <p>No task has run yet.</p>}
      {list.items && list.items.length > 0 && (
        <table class="list runs">
          <caption class="visually-hidden">Background tasks, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Status</th>
              <th scope="col">Submitted</th>
              <th scope="col">Duration</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((t) => (
              <tr key={t.id}>
                <th scope="row" data-label="Task">
                  {TYPE_LABELS[t.type]} <span class="login">#{t.id}</span>
                </th>
                <td data-label="Status"><Badge tone={TONES[t.status]}>{STATUS_LABELS[t.status]}</Badge></td>
                <td data-label="Submitted">{parseServerTime(t.submittedAt)?.toLocaleString() ?? t.submittedAt}</td>
                <td data-label="Duration">{formatDuration(t.executionTimeMs)}</td>
                <td data-label="Result" class="result">
                  {t.errorMessage && <p class="field-error">{t.errorMessage}</p>}
                  {t.infoMessages.length > 0 && <p>{t.infoMessages.join(" · ")}</p>}
                  {t.warnings.length > 0 && (
                    <details>
                      <summary>Warnings ({t.warnings.length})</summary>
                      <ul>{t.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager index={page} size={PAGE_SIZE} total={list.total} onPage={setPage} />
      {extras.plan && <PlanPreview />}
      {extras.explain && <Explain />}
    </>
  );
}

function PlanPreview() {
  const [plan, setPlan] = useState<unknown>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      setPlan(await api.planPreview());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Plan preview</h2>
      <p class="help">What the next synchronization would change, computed now without changing anything.</p>
      <button type="button" class="button" onClick={load} disabled={busy}>Compute the plan</button>
      {error && <Notice kind="error">{error}</Notice>}
      {plan !== null && <pre class="json">{JSON.stringify(plan, null, 2)}</pre>}
    </section>
  );
}

function Explain() {
  const [login, setLogin] = useState("");
  const [project, setProject] = useState("");
  const [answer, setAnswer] = useState<unknown>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setAnswer(await api.explain(login.trim(), project.trim()));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="explain-title">
      <h2 id="explain-title">Explain a permission</h2>
      <p class="help">Why a user holds each permission on a project: the GitLab membership that grants it.</p>
      <form class="inline-form" onSubmit={run}>
        <Field label="User login" value={login} onInput={setLogin} />
        <Field label="Project key" value={project} onInput={setProject} />
        <button type="submit" class="button" disabled={!login.trim() || !project.trim()}>Explain</button>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {answer !== null && <pre class="json">{JSON.stringify(answer, null, 2)}</pre>}
    </section>
  );
}
