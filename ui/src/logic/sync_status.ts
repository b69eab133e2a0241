// What the provisioning status panel says, from the latest full synchronization tasks: the run
// queued or in progress, and the last finished one with its statistics and changes.
import type { PlanChange, SyncCounts, SyncTotals, Task, TaskProgress } from "../api/types";

// The runs the panel shows, from the newest full synchronizations (newest first): the one queued
// or in progress, if any, and the last that ended (still shown under the pending message).
export interface PanelRuns {
  current: Task | undefined;
  last: Task | undefined;
}

export function panelRuns(newestFirst: readonly Task[]): PanelRuns {
  const active = (t: Task) => t.status === "PENDING" || t.status === "IN_PROGRESS";
  return { current: newestFirst.find(active), last: newestFirst.find((t) => !active(t)) };
}

// The seed's statistics: how much a run covered, changed or not.
export function totalsLines(t: SyncTotals): { label: string; value: string }[] {
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    { label: "Users synchronized from GitLab", value: n(t.users) },
    { label: "Groups synchronized from GitLab", value: n(t.groups) },
    { label: "Projects whose user permissions were synchronized", value: n(t.projects) },
  ];
}

const CHANGE_WORDS: [keyof SyncCounts, string, string][] = [
  ["usersCreated", "user created", "users created"],
  ["usersUpdated", "user updated", "users updated"],
  ["usersReactivated", "user reactivated", "users reactivated"],
  ["usersDeactivated", "user deactivated", "users deactivated"],
  ["groupsCreated", "group created", "groups created"],
  ["groupsAdopted", "local group adopted", "local groups adopted"],
  ["groupsRenamed", "group renamed", "groups renamed"],
  ["groupsDeleted", "group deleted", "groups deleted"],
  ["membershipsAdded", "membership added", "memberships added"],
  ["membershipsRemoved", "membership removed", "memberships removed"],
  ["projectsSynced", "project with changes", "projects with changes"],
  ["permissionsGranted", "permission granted", "permissions granted"],
  ["permissionsRevoked", "permission revoked", "permissions revoked"],
  ["visibilitiesChanged", "visibility changed", "visibilities changed"],
];

// What a run changed (or would change), one line per kind of change; empty when nothing.
export function changeLines(c: SyncCounts): string[] {
  const out: string[] = [];
  for (const [key, one, many] of CHANGE_WORDS) {
    const n = c[key] ?? 0;
    if (n > 0) out.push(`${n.toLocaleString("en-US")} ${n === 1 ? one : many}`);
  }
  return out;
}

const ACTION_LABELS: Record<string, string> = {
  "user.create": "Create user",
  "user.update": "Update user",
  "user.reactivate": "Reactivate user",
  "user.deactivate": "Deactivate user",
  "group.create": "Create group",
  "group.adopt": "Adopt local group",
  "group.rename": "Rename group",
  "group.delete": "Delete group",
  "membership.add": "Add to group",
  "membership.remove": "Remove from group",
  "permission.grant": "Grant permission",
  "permission.revoke": "Revoke permission",
  "project.visibility": "Change visibility",
};

// A change of a plan in words: what is done, to what, from what to what.
export function describeChange(c: PlanChange): { action: string; entity: string; change: string } {
  // "Jane <j@x>" → "Jane <j@x> (deactivated)" says it twice: the new value alone says it all.
  const change =
    c.before !== null && c.after !== null
      ? c.after.startsWith(c.before)
        ? c.after
        : `${c.before} → ${c.after}`
      : (c.after ?? c.before ?? "");
  return { action: ACTION_LABELS[c.action] ?? c.action, entity: c.entity, change };
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
