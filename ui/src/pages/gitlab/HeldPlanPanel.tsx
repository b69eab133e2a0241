// A plan the mass-deprovisioning guard held back: said in red, with what it would do (its counts,
// and its changes with their GitLab causes, a page at a time), and "Review and apply" behind a
// confirmation that names the number of deactivations. Applying sends exactly that plan (the
// server applies the plan it kept); a plan gone stale since (another run, GitLab changed) or a
// synchronization running meanwhile is refused by the server, and its message is shown here.
import { useEffect, useState } from "preact/hooks";
import * as api from "../../api/endpoints";
import type { HeldPlan, Task } from "../../api/types";
import { ChangesTable } from "../../components/ChangesTable";
import { ConfirmDialog } from "../../components/Dialog";
import { Notice, Pager } from "../../components/widgets";
import { changeLines } from "../../logic/sync_status";

const PAGE_SIZE = 10;

const users = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "user" : "users"}`;

export function HeldPlanPanel({ task, onApplied }: { task: Task; onApplied: () => void }) {
  const [page, setPage] = useState(1);
  const [plan, setPlan] = useState<HeldPlan | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    api.heldPlan(task.id, page, PAGE_SIZE).then(
      (p) => !stale && setPlan(p),
      (e: Error) => !stale && setLoadError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [task.id, page]);

  const counts = plan?.counts ?? task.counts ?? null;
  const lines = counts ? changeLines(counts) : [];
  const deactivations = counts?.usersDeactivated ?? 0;

  const apply = async () => {
    setBusy(true);
    setRefusal(null);
    try {
      await api.confirmHeldPlan(task.id);
      setConfirming(false);
      onApplied();
    } catch (e) {
      setConfirming(false);
      setRefusal((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="held-plan" aria-labelledby={`held-${task.id}`}>
      <Notice kind="error">
        <strong id={`held-${task.id}`}>The guard held back the plan of the last synchronization</strong>; nothing was
        changed. {task.errorMessage}
      </Notice>
      {lines.length > 0 && (
        <>
          <p class="summary-title">What it would do:</p>
          <ul class="summary" aria-label="What the held plan would do">
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </>
      )}
      {loadError && <Notice kind="error">The plan's changes cannot be shown: {loadError}</Notice>}
      {plan && plan.changes.length > 0 && (
        <>
          <ChangesTable caption="Changes of the held plan, with their causes in GitLab" changes={plan.changes} />
          <Pager index={page} size={PAGE_SIZE} total={plan.page.total} onPage={setPage} />
        </>
      )}
      {refusal && (
        <Notice kind="error">
          <strong>The plan was not applied:</strong> {refusal}
        </Notice>
      )}
      <div class="form-actions">
        <button type="button" class="button danger" onClick={() => setConfirming(true)}>
          Review and apply
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Apply the held plan?"
          confirmLabel={deactivations > 0 ? `Apply and deactivate ${users(deactivations)}` : "Apply the plan"}
          danger
          busy={busy}
          onConfirm={apply}
          onCancel={() => setConfirming(false)}
        >
          <p>
            <strong>
              {deactivations > 0
                ? `It deactivates ${users(deactivations)}: they lose every group membership and permission, and their sessions and tokens.`
                : "It deactivates nobody."}
            </strong>
          </p>
          {lines.length > 0 && (
            <ul>
              {lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
          <p>
            Exactly this plan is applied, as task {task.id} computed it. If a synchronization has run since, it is refused
            rather than applied: review the latest run then.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
