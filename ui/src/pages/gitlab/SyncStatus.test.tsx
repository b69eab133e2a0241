// @vitest-environment jsdom
// The synchronization status while a sync runs: its phase, the pages read, the time left and a
// progress bar, from the task's progress; nothing of the kind before its first report.
import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import type { Task } from "../../api/types";
import { SyncStatus } from "./SyncStatus";

afterEach(() => render(null, document.body));

const running = (progress: Task["progress"]): Task => ({
  id: "7", type: "GITLAB_AUTH_PROVISIONING", status: "IN_PROGRESS", submittedAt: "2025-03-01T10:00:00+0000",
  startedAt: "2025-03-01T10:00:01+0000", executedAt: null, executionTimeMs: null, errorMessage: null,
  warnings: [], infoMessages: [], progress,
});

describe("SyncStatus", () => {
  it("shows how far a running synchronization has got", () => {
    const task = running({ phase: "reading GitLab: group members", pagesRead: 50, pagesExpected: 200, etaMs: 30000 });
    render(<SyncStatus latest={task} loaded={true} onSyncNow={() => {}} syncing={false} />, document.body);
    const status = document.querySelector("[role=status]")!;
    expect(status.textContent).toContain("In progress:");
    expect(status.textContent).toContain(
      "reading GitLab: group members — 50 of about 200 GitLab pages read, about 30 s left");
    const bar = document.querySelector("progress")!;
    expect(bar.getAttribute("aria-label")).toBe("Synchronization progress");
    expect(bar.value).toBeCloseTo(0.25);
    expect(document.querySelector("button")!.disabled).toBe(true);
  });

  it("says only that it runs before the first report", () => {
    render(<SyncStatus latest={running(null)} loaded={true} onSyncNow={() => {}} syncing={false} />, document.body);
    expect(document.querySelector("[role=status]")!.textContent).toContain("In progress:");
    expect(document.querySelector(".sync-progress")).toBeNull();
  });
});
