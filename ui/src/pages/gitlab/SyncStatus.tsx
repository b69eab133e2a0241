// The status of automatic provisioning: the latest full synchronization, polled while one is
// queued or running, and "Synchronize now".
import { useEffect, useState } from "preact/hooks";
import * as api from "../../api/endpoints";
import type { Task } from "../../api/types";
import { Notice } from "../../components/widgets";
import { busy, describeProgress, parseServerTime, syncState, timeAgo } from "../../logic/sync_status";

const POLL_BUSY_MS = 1000;
const POLL_IDLE_MS = 30000; // keeps "N minutes ago" current and sees hourly runs

export function useLatestSync(reloadKey: number): [Task | undefined, (t: Task) => void, boolean] {
  const [latest, setLatest] = useState<Task | undefined>(undefined);
  // The reloadKey of the last answer: after a save, what was read before it is stale.
  const [answered, setAnswered] = useState<number | null>(null);
  const loaded = answered === reloadKey;
  const state = syncState(latest);
  useEffect(() => {
    let stop = false;
    let timer: number | undefined;
    const load = async () => {
      try {
        const answer = await api.tasks({ type: "GITLAB_AUTH_PROVISIONING", ps: 1 });
        if (stop) return;
        const task = answer.tasks[0];
        setLatest(task);
        setAnswered(reloadKey);
        const next = busy(syncState(task)) ? POLL_BUSY_MS : POLL_IDLE_MS;
        timer = window.setTimeout(load, next);
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
  }, [reloadKey, busy(state)]);
  return [latest, setLatest, loaded];
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

interface Props {
  latest: Task | undefined;
  loaded: boolean; // false until the first answer: say nothing rather than "never ran"
  onSyncNow: () => void;
  syncing: boolean;
}

export function SyncStatus({ latest, loaded, onSyncNow, syncing }: Props) {
  const state = syncState(latest);
  const now = new Date();
  const when = (t: Task) => {
    const at = parseServerTime(t.executedAt ?? t.startedAt ?? t.submittedAt);
    return at ? timeAgo(at, now) : "";
  };
  return (
    <section class="sync-status" aria-labelledby="sync-status-title">
      <h3 id="sync-status-title">Synchronization</h3>
      <div role="status" aria-live="polite" class={`status status-${state.kind}`}>
        {loaded && state.kind === "never" && <p>No synchronization has run yet.</p>}
        {state.kind === "pending" && <p><strong>Pending:</strong> a synchronization is queued and starts shortly.</p>}
        {state.kind === "running" && (
          <>
            <p>
              <strong>In progress:</strong> a synchronization started {when(state.task)}.
            </p>
            {state.task.progress && <Progress {...describeProgress(state.task.progress)} />}
          </>
        )}
        {state.kind === "success" && (
          <>
            <p>
              <strong>Last synchronization succeeded</strong> {when(state.task)}.
            </p>
            <ul class="summary" aria-label="Summary of the last synchronization">
              {state.task.infoMessages.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </>
        )}
        {state.kind === "failed" && (
          <Notice kind="error">
            <strong>Last synchronization failed</strong> {when(state.task)}: {state.task.errorMessage ?? "no message"}
          </Notice>
        )}
      </div>
      {latest && latest.warnings.length > 0 && (state.kind === "success" || state.kind === "failed") && (
        <details class="warnings">
          <summary>Warnings ({latest.warnings.length})</summary>
          <ul>
            {latest.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </details>
      )}
      <button type="button" class="button" onClick={onSyncNow} disabled={!loaded || busy(state) || syncing}>
        Synchronize now
      </button>
    </section>
  );
}
