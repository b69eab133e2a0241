// @vitest-environment jsdom
// The synchronization status: "Synchronization is pending" with the progress under it while a run
// is queued or in progress, the last finished run's statistics and changes kept visible under it,
// and a run that changed nothing still saying how much it covered.
import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import type { SyncCounts, Task } from "../../api/types";
import { SyncStatus } from "./SyncStatus";

afterEach(() => render(null, document.body));

const running = (progress: Task["progress"]): Task => ({
  id: "7", type: "GITLAB_AUTH_PROVISIONING", status: "IN_PROGRESS", submittedAt: "2025-03-01T10:00:00+0000",
  startedAt: "2025-03-01T10:00:01+0000", executedAt: null, executionTimeMs: null, errorMessage: null,
  warnings: [], infoMessages: [], progress,
});

const nothing: SyncCounts = {
  usersCreated: 0, usersUpdated: 0, usersReactivated: 0, usersDeactivated: 0, groupsCreated: 0, groupsRenamed: 0,
  groupsDeleted: 0, membershipsAdded: 0, membershipsRemoved: 0, projectsSynced: 0, permissionsGranted: 0,
  permissionsRevoked: 0, visibilitiesChanged: 0, gitlabRequests: 40, durationMs: 900,
};

const finished = (counts: SyncCounts): Task => ({
  id: "6", type: "GITLAB_AUTH_PROVISIONING", status: "SUCCESS", submittedAt: "2025-03-01T09:00:00+0000",
  startedAt: "2025-03-01T09:00:01+0000", executedAt: "2025-03-01T09:00:02+0000", executionTimeMs: 1000,
  errorMessage: null, warnings: ["2 bots skipped"], infoMessages: [], held: false, counts,
  totals: { users: 120, groups: 43, projects: 4 },
});

const show = (runs: { current?: Task; last?: Task }) =>
  render(
    <SyncStatus runs={{ current: runs.current, last: runs.last }} loaded={true} onSyncNow={() => {}} syncing={false} onApplied={() => {}} />,
    document.body,
  );

describe("SyncStatus", () => {
  it("says a synchronization is pending, with how far it has got under it", () => {
    show({ current: running({ phase: "reading GitLab: group members", pagesRead: 50, pagesExpected: 200, etaMs: 30000 }) });
    const status = document.querySelector("[role=status]")!;
    expect(status.textContent).toContain("Synchronization is pending");
    expect(status.textContent).toContain(
      "reading GitLab: group members — 50 of about 200 GitLab pages read, about 30 s left");
    const bar = document.querySelector("progress")!;
    expect(bar.getAttribute("aria-label")).toBe("Synchronization progress");
    expect(bar.value).toBeCloseTo(0.25);
    expect(document.querySelector("button")!.disabled).toBe(true);
  });

  it("says only that it is pending before the first report", () => {
    show({ current: running(null) });
    expect(document.querySelector("[role=status]")!.textContent).toContain("Synchronization is pending");
    expect(document.querySelector("progress")).toBeNull();
  });

  it("keeps the last finished run visible under a pending one", () => {
    show({ current: running(null), last: finished({ ...nothing, usersCreated: 3 }) });
    const text = document.querySelector("[role=status]")!.textContent!;
    expect(text.indexOf("Synchronization is pending")).toBeLessThan(text.indexOf("Last synchronization succeeded"));
    expect(text).toContain("Users synchronized from GitLab120");
    expect(text).toContain("3 users created");
  });

  it("gives the statistics of a run that changed nothing, then its warnings", () => {
    show({ last: finished(nothing) });
    const statistics = document.querySelector("[aria-label='Statistics of the last synchronization']")!;
    expect([...statistics.querySelectorAll("dt")].map((d) => d.textContent)).toEqual([
      "Users synchronized from GitLab", "Groups synchronized from GitLab", "Projects whose user permissions were synchronized",
    ]);
    expect([...statistics.querySelectorAll("dd")].map((d) => d.textContent)).toEqual(["120", "43", "4"]);
    expect(document.body.textContent).toContain("No changes: everything was already as in GitLab.");
    expect(document.querySelector("details.warnings summary")!.textContent).toBe("Warnings (1)");
    expect(document.querySelector("button")!.disabled).toBe(false);
  });

  it("says why a failed run failed, and nothing about changes it did not make", () => {
    const failed: Task = { ...finished(nothing), status: "FAILED", errorMessage: "The GitLab token was revoked.", totals: null };
    show({ last: failed });
    const text = document.querySelector("[role=status]")!.textContent!;
    expect(text).toContain("Last synchronization failed");
    expect(text).toContain("The GitLab token was revoked.");
    expect(text).not.toContain("No changes");
    expect(document.querySelector(".statistics")).toBeNull();
  });
});
