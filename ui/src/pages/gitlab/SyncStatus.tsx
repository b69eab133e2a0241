// The status of automatic provisioning, as SonarQube's page promises it: "Synchronization is
// pending" with the progress while a run is queued or in progress; after every run, the users and
// groups synchronized from GitLab and the projects whose permissions were synchronized, then what
// changed, warnings and errors (the last finished run stays visible under a pending one); a plan
// the guard held back, reviewed and applied here; and "Synchronize now".
import { useEffect, useState } from "preact/hooks";
import * as api from "../../api/endpoints";
import type { Task } from "../../api/types";
import { Notice } from "../../components/widgets";
import {
  changeLines,
  describeProgress,
  type PanelRuns,
  panelRuns,
  parseServerTime,
  timeAgo,
  totalsLines,
} from "../../logic/sync_status";
import { HeldPlanPanel } from "./HeldPlanPanel";

const POLL_BUSY_MS = 1000;
const POLL_IDLE_MS = 30000; // keeps "N minutes ago" current and sees hourly runs

// The newest full synchronizations, polled: every second while one is queued or running.
// `reloadKey` restarts the polling (a save, "Synchronize now", an applied plan).
export function useSyncRuns(reloadKey: number): [PanelRuns, (t: Task) => void, boolean] {
  const [runs, setRuns] = useState<PanelRuns>({ current: undefined, last: undefined });
  // The reloadKey of the last answer: after a save, what was read before it is stale.
  const [answered, setAnswered] = useState<number | null>(null);
  const loaded = answered === reloadKey;
  const busy = runs.current !== undefined;
  useEffect(() => {
    let stop = false;
    let timer: number | undefined;
    const load = async () => {
      try {
        const answer = await api.tasks({ type: "GITLAB_AUTH_PROVISIONING", ps: 5 });
        if (stop) return;
        const next = panelRuns(answer.tasks);
        setRuns(next);
        setAnswered(reloadKey);
        timer = window.setTimeout(load, next.current ? POLL_BUSY_MS : POLL_IDLE_MS);
      } catch {
        if (!stop) timer = window.setTimeout(load, POLL_IDLE_MS);
      }
    };
    void load();
    return () => {
      stop = true;
      window.clearTimeout(timer);
    };
    // Restart polling when a save or "Synchronize now" changed things, or a run ends.
  }, [reloadKey, busy]);
  // A run queued here is shown at once, before the next answer.
  const queued = (t: Task) => setRuns((r) => ({ ...r, current: t }));
  return [runs, queued, loaded];
}

function Progress({ text, fraction }: { text: string; fraction: number | null }) {
  return (
    <p class="sync-progress">
      {fraction !== null && (
        <progress max={1} value={fraction} aria-label="Synchronization progress">
          {Math.round(fraction * 100)}%
        </progress>
      )}{" "}
      {text}
    </p>
  );
}

const when = (t: Task, now: Date) => {
  const at = parseServerTime(t.executedAt ?? t.startedAt ?? t.submittedAt);
  return at ? timeAgo(at, now) : "";
};

// A run queued or in progress: the seed's message, and the progress under it.
function Pending({ task, now }: { task: Task; now: Date }) {
  return (
    <div class="sync-pending">
      <p>
        <strong>Synchronization is pending</strong>
      </p>
      {task.status === "PENDING" ? (
        <p class="sync-progress">Queued; it starts in a moment.</p>
      ) : task.progress ? (
        <Progress {...describeProgress(task.progress)} />
      ) : (
        <p class="sync-progress">Started {when(task, now)}.</p>
      )}
    </div>
  );
}

// The last run that ended: its outcome, statistics, changes, warnings and error.
function LastRun({ task, now, onApplied }: { task: Task; now: Date; onApplied: () => void }) {
  const succeeded = task.status === "SUCCESS";
  const changes = task.counts ? changeLines(task.counts) : [];
  return (
    <div class="last-run" aria-label="Last synchronization" role="group">
      {succeeded ? (
        <p class="outcome outcome-success">
          <strong>Last synchronization succeeded</strong> {when(task, now)}.
        </p>
      ) : task.held ? null : (
        <Notice kind="error">
          <strong>Last synchronization failed</strong> {when(task, now)}: {task.errorMessage ?? "no message"}
        </Notice>
      )}
      {task.held && <HeldPlanPanel task={task} onApplied={onApplied} />}
      {task.totals && (
        <dl class="facts statistics" aria-label="Statistics of the last synchronization">
          {totalsLines(task.totals).flatMap((l) => [
            <dt key={`${l.label}-t`}>{l.label}</dt>,
            <dd key={`${l.label}-d`}>{l.value}</dd>,
          ])}
        </dl>
      )}
      {succeeded && task.counts && (
        <>
          <p class="summary-title">{changes.length > 0 ? "Changes:" : "No changes: everything was already as in GitLab."}</p>
          {changes.length > 0 && (
            <ul class="summary" aria-label="Changes of the last synchronization">
              {changes.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </>
      )}
      {!task.counts && task.infoMessages.length > 0 && (
        // A run of an older server: its summary as it wrote it.
        <ul class="summary" aria-label="Changes of the last synchronization">
          {task.infoMessages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {task.warnings.length > 0 && (
        <details class="warnings">
          <summary>Warnings ({task.warnings.length})</summary>
          <ul>
            {task.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

interface Props {
  runs: PanelRuns;
  loaded: boolean; // false until the first answer: say nothing rather than "never ran"
  onSyncNow: () => void;
  syncing: boolean;
  onApplied: () => void; // a held plan was applied: read the runs again
}

export function SyncStatus({ runs, loaded, onSyncNow, syncing, onApplied }: Props) {
  const now = new Date();
  const { current, last } = runs;
  return (
    <section class="sync-status" aria-labelledby="sync-status-title">
      <h3 id="sync-status-title">Synchronization</h3>
      <div role="status" aria-live="polite" class="status">
        {loaded && !current && !last && <p>No synchronization has run yet.</p>}
        {current && <Pending task={current} now={now} />}
        {last && <LastRun task={last} now={now} onApplied={onApplied} />}
      </div>
      <button type="button" class="button" onClick={onSyncNow} disabled={!loaded || current !== undefined || syncing}>
        Synchronize now
      </button>
    </section>
  );
}
