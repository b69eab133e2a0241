// Run history: every background task with its status, duration, summary, warnings and error;
// and Provisio's own plan preview and explain views when the server offers them.
import { useEffect, useRef, useState } from "preact/hooks";
import * as api from "../api/endpoints";
import type { Explanation, PlanPreview as PlanPreviewAnswer, Task } from "../api/types";
import { ChangesTable } from "../components/ChangesTable";
import { Badge, Field, ManagedBadge, Notice, Pager } from "../components/widgets";
import {
  changeLines,
  formatDuration,
  parseServerTime,
  STATUS_LABELS,
  totalsLines,
  TYPE_LABELS,
} from "../logic/sync_status";
import { useList } from "./hooks";

const PAGE_SIZE = 25;
const PLAN_PAGE_SIZE = 20;
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

// The dry run of the next synchronization: what it would change and why, as tables. The server
// computes it in the background (it reads all of GitLab): the first answer says it is computing,
// and the page asks again until it is ready.
function PlanPreview() {
  const [plan, setPlan] = useState<PlanPreviewAnswer | null>(null);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [asked, setAsked] = useState(0); // a click on "Compute the plan"
  const refreshNext = useRef(false); // that click asks for a fresh dry run; paging does not

  useEffect(() => {
    if (asked === 0) return undefined;
    let stop = false;
    let timer: number | undefined;
    const load = async (refresh: boolean) => {
      try {
        const answer = await api.planPreview(page, PLAN_PAGE_SIZE, refresh);
        if (stop) return;
        setPlan(answer);
        setError(null);
        if (answer.status === "COMPUTING") timer = window.setTimeout(() => void load(false), 1500);
        else setBusy(false);
      } catch (e) {
        if (stop) return;
        setError((e as Error).message);
        setBusy(false);
      }
    };
    setBusy(true);
    void load(refreshNext.current);
    refreshNext.current = false;
    return () => {
      stop = true;
      window.clearTimeout(timer);
    };
  }, [asked, page]);

  const counts = plan?.counts;
  const lines = counts ? changeLines(counts) : [];
  return (
    <section class="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Plan preview</h2>
      <p class="help">What the next synchronization would change, computed now without changing anything.</p>
      <button
        type="button"
        class="button"
        onClick={() => {
          refreshNext.current = true;
          setPage(1);
          setAsked((n) => n + 1);
        }}
        disabled={busy}
      >
        Compute the plan
      </button>
      {error && <Notice kind="error">{error}</Notice>}
      {plan?.status === "COMPUTING" && <p class="loading" role="status">Computing the plan: it reads all of GitLab…</p>}
      {plan?.status === "FAILED" && <Notice kind="error">The dry run failed: {plan.message}</Notice>}
      {plan?.status === "READY" && (
        <div role="region" aria-label="The plan of the next synchronization">
          <p class="help">Computed {parseServerTime(plan.computedAt)?.toLocaleString() ?? plan.computedAt}.</p>
          {plan.held && (
            <Notice kind="error">
              <strong>The guard would hold this plan back:</strong> {plan.held}
            </Notice>
          )}
          {plan.totals && (
            <dl class="facts statistics" aria-label="What the synchronization would cover">
              {totalsLines(plan.totals).flatMap((l) => [<dt key={`${l.label}-t`}>{l.label}</dt>, <dd key={`${l.label}-d`}>{l.value}</dd>])}
            </dl>
          )}
          <p class="summary-title">{lines.length > 0 ? "Changes:" : "No changes: everything is as in GitLab."}</p>
          {lines.length > 0 && (
            <ul class="summary" aria-label="Changes of the plan">
              {lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
          {plan.changes && plan.changes.length > 0 && (
            <>
              <ChangesTable caption="Each change of the plan, with its cause in GitLab" changes={plan.changes} />
              <Pager index={page} size={PLAN_PAGE_SIZE} total={plan.page?.total ?? 0} onPage={setPage} />
            </>
          )}
          {(plan.warnings ?? []).length > 0 && (
            <details class="warnings">
              <summary>Warnings ({plan.warnings!.length})</summary>
              <ul>
                {plan.warnings!.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </section>
  );
}

const PERMISSION_NAMES: Record<string, string> = {
  user: "Browse",
  codeviewer: "See source code",
  issueadmin: "Administer issues",
  securityhotspotadmin: "Administer security hotspots",
  admin: "Administer project",
  scan: "Execute analysis",
};

// Why a user holds each permission on a project: a table of the six permissions, each with the
// GitLab paths (or local grants) that give it.
function Explain() {
  const [login, setLogin] = useState("");
  const [project, setProject] = useState("");
  const [answer, setAnswer] = useState<Explanation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setAnswer(await api.explain(login.trim(), project.trim()));
    } catch (err) {
      setAnswer(null);
      setError((err as Error).message);
    }
  };
  const gitlab = answer?.gitlab;
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
      {answer && (
        <div role="region" aria-label={`Why ${answer.login} holds permissions on ${answer.projectKey ?? ""}`}>
          {gitlab && (
            <dl class="facts">
              <dt>GitLab user</dt>
              <dd>{gitlab.username ?? gitlab.userId}</dd>
              {gitlab.path && (
                <>
                  <dt>GitLab project</dt>
                  <dd>{gitlab.path}</dd>
                </>
              )}
              <dt>Highest role there</dt>
              <dd>{gitlab.level ?? "none"}{gitlab.role && gitlab.role !== gitlab.level ? ` (mapped as ${gitlab.role})` : ""}</dd>
              {gitlab.roleNote && (
                <>
                  <dt>Role mapping</dt>
                  <dd>{gitlab.roleNote}</dd>
                </>
              )}
            </dl>
          )}
          {answer.reasons.length > 0 && (
            <ul class="summary">
              {answer.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          {answer.permissions && (
            <table class="list explain">
              <caption>Permissions of {answer.login} on {answer.projectKey}</caption>
              <thead>
                <tr>
                  <th scope="col">Permission</th>
                  <th scope="col">Held</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {answer.permissions.map((p) => (
                  <tr key={p.permission}>
                    <th scope="row" data-label="Permission">{PERMISSION_NAMES[p.permission] ?? p.permission}</th>
                    <td data-label="Held">
                      {p.held ? <Badge tone="ok">held</Badge> : <Badge>not held</Badge>} {p.fromGitlab && <ManagedBadge />}
                    </td>
                    <td data-label="Why">
                      {p.why.length === 0 ? "—" : (
                        <ul class="why">
                          {p.why.map((w) => (
                            <li key={w}>{w}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
