// What the provisioning status line says, from the latest full synchronization task.
import type { Task, TaskProgress } from "../api/types";

export type SyncState =
  | { kind: "never" }
  | { kind: "pending"; task: Task }
  | { kind: "running"; task: Task }
  | { kind: "success"; task: Task }
  | { kind: "failed"; task: Task };

// `latest`: the most recent full sync task, if any.
export function syncState(latest: Task | undefined): SyncState {
  if (!latest) return { kind: "never" };
  switch (latest.status) {
    case "PENDING":
      return { kind: "pending", task: latest };
    case "IN_PROGRESS":
      return { kind: "running", task: latest };
    case "SUCCESS":
      return { kind: "success", task: latest };
    default:
      return { kind: "failed", task: latest };
  }
}

// A sync is queued or running: "Synchronize now" waits.
export function busy(state: SyncState): boolean {
  return state.kind === "pending" || state.kind === "running";
}

// "2025-03-01T10:00:00+0000" (the server's format) -> a Date; null when unreadable.
export function parseServerTime(text: string | null | undefined): Date | null {
  if (!text) return null;
  const iso = text.replace(/([+-]\d\d)(\d\d)$/, "$1:$2");
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t);
}

export function timeAgo(then: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (seconds < 60) return "less than a minute ago";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours === 1 ? "1 hour ago" : `${hours} hours ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "1 day ago" : `${days} days ago`;
}

// "reading GitLab: group members — 340 of about 1,200 GitLab pages, about 2 min left", and a
// fraction for a progress bar when the expected count is known.
export function describeProgress(p: TaskProgress): { text: string; fraction: number | null } {
  const n = (x: number) => x.toLocaleString("en-US");
  let text = `${p.phase} — ${n(p.pagesRead)}`;
  if (p.pagesExpected !== null) text += ` of about ${n(p.pagesExpected)}`;
  text += " GitLab pages read";
  if (p.etaMs !== null) {
    const s = Math.ceil(p.etaMs / 1000);
    text += s < 60 ? `, about ${s} s left` : `, about ${Math.ceil(s / 60)} min left`;
  }
  const fraction =
    p.pagesExpected !== null && p.pagesExpected > 0 ? Math.min(1, p.pagesRead / p.pagesExpected) : null;
  return { text, fraction };
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export const STATUS_LABELS: Record<Task["status"], string> = {
  PENDING: "Pending",
  IN_PROGRESS: "In progress",
  SUCCESS: "Succeeded",
  FAILED: "Failed",
  CANCELED: "Canceled",
};

export const TYPE_LABELS: Record<Task["type"], string> = {
  GITLAB_AUTH_PROVISIONING: "Full synchronization",
  GITLAB_PROJECT_PERMISSIONS_PROVISIONING: "Project permissions",
  GITLAB_EVENT_PROVISIONING: "GitLab events",
};
