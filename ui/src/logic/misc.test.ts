import { describe, expect, it } from "vitest";
import type { Project, Task } from "../api/types";
import { expireCookie, readCookie, readServerCookie } from "./cookies";
import { deleteGroupBlocked, permissionRowMode, untilKnown, visibilityBlocked } from "./managed";
import { matchRoute, safeReturnPath } from "./routes";
import {
  changeLines,
  describeChange,
  describeProgress,
  formatDuration,
  panelRuns,
  parseServerTime,
  timeAgo,
  totalsLines,
} from "./sync_status";

describe("routes", () => {
  it("match the pages", () => {
    expect(matchRoute("/")).toEqual({ page: "settings" });
    expect(matchRoute("/admin/settings")).toEqual({ page: "settings" });
    expect(matchRoute("/gitlab")).toEqual({ page: "settings" });
    expect(matchRoute("/users/")).toEqual({ page: "users" });
    expect(matchRoute("/projects/my%20key/permissions")).toEqual({ page: "project-permissions", projectKey: "my key" });
    expect(matchRoute("/nope")).toEqual({ page: "not-found" });
  });

  it("return only to paths of this site", () => {
    expect(safeReturnPath("/users")).toBe("/users");
    expect(safeReturnPath("//evil.example")).toBe("/");
    expect(safeReturnPath("https://evil.example")).toBe("/");
    expect(safeReturnPath(null)).toBe("/");
  });
});

describe("cookies", () => {
  it("are read and decoded", () => {
    const jar = "a=1; provisio_auth_error=You%20are%20not%20allowed; XSRF-TOKEN=abc";
    expect(readCookie(jar, "provisio_auth_error")).toBe("You are not allowed");
    expect(readCookie(jar, "XSRF-TOKEN")).toBe("abc");
    expect(readCookie(jar, "missing")).toBeNull();
  });

  it("are found under the __Host- prefix the server uses over https", () => {
    const jar = "__Host-XSRF-TOKEN=secure; __Host-provisio_auth_error=Refused";
    expect(readServerCookie(jar, "XSRF-TOKEN")).toEqual({
      name: "__Host-XSRF-TOKEN",
      value: "secure",
    });
    expect(readServerCookie("XSRF-TOKEN=plain", "XSRF-TOKEN")?.value).toBe("plain");
    expect(readServerCookie("", "XSRF-TOKEN")).toBeNull();
    expect(expireCookie("__Host-provisio_auth_error")).toContain("; Secure");
    expect(expireCookie("provisio_auth_error")).not.toContain("Secure");
  });
});

describe("the sync status", () => {
  const task = (status: Task["status"]): Task => ({
    id: "1", type: "GITLAB_AUTH_PROVISIONING", status, submittedAt: "2025-03-01T10:00:00+0000",
    startedAt: null, executedAt: "2025-03-01T10:00:00+0000", executionTimeMs: 1200,
    errorMessage: null, warnings: [], infoMessages: [],
  });

  it("shows the run queued or in progress, and the last one that ended under it", () => {
    const pending = { ...task("PENDING"), id: "3" };
    const done = { ...task("SUCCESS"), id: "2" };
    const failed = { ...task("FAILED"), id: "1" };
    expect(panelRuns([])).toEqual({ current: undefined, last: undefined });
    expect(panelRuns([pending, done, failed])).toEqual({ current: pending, last: done });
    expect(panelRuns([done, failed])).toEqual({ current: undefined, last: done });
    const running = { ...task("IN_PROGRESS"), id: "4" };
    expect(panelRuns([running, failed])).toEqual({ current: running, last: failed });
  });

  it("gives the seed's statistics, and the changes one line per kind", () => {
    expect(totalsLines({ users: 1200, groups: 43, projects: 4 })).toEqual([
      { label: "Users synchronized from GitLab", value: "1,200" },
      { label: "Groups synchronized from GitLab", value: "43" },
      { label: "Projects whose user permissions were synchronized", value: "4" },
    ]);
    const none = {
      usersCreated: 0, usersUpdated: 0, usersReactivated: 0, usersDeactivated: 0, groupsCreated: 0, groupsRenamed: 0,
      groupsDeleted: 0, membershipsAdded: 0, membershipsRemoved: 0, projectsSynced: 0, permissionsGranted: 0,
      permissionsRevoked: 0, visibilitiesChanged: 0, gitlabRequests: 12, durationMs: 300,
    };
    expect(changeLines(none)).toEqual([]);
    expect(changeLines({ ...none, usersCreated: 1, usersDeactivated: 60, groupsAdopted: 2, membershipsAdded: 3 })).toEqual([
      "1 user created", "60 users deactivated", "2 local groups adopted", "3 memberships added",
    ]);
  });

  it("says a plan's change in words", () => {
    expect(describeChange({ action: "user.deactivate", entityType: "user", entity: "jane-1234", before: "Jane <j@x>", after: "Jane <j@x> (deactivated)", cause: "no longer a member" }))
      .toEqual({ action: "Deactivate user", entity: "jane-1234", change: "Jane <j@x> (deactivated)" });
    expect(describeChange({ action: "group.rename", entityType: "group", entity: "acme/new", before: "acme/old", after: "acme/new", cause: "renamed in GitLab" }))
      .toEqual({ action: "Rename group", entity: "acme/new", change: "acme/old → acme/new" });
    expect(describeChange({ action: "membership.remove", entityType: "membership", entity: "umbrella/jane", before: "member", after: null, cause: null }))
      .toEqual({ action: "Remove from group", entity: "umbrella/jane", change: "member" });
  });

  it("reads the server's times and says how long ago", () => {
    const then = parseServerTime("2025-03-01T10:00:00+0000")!;
    expect(then.toISOString()).toBe("2025-03-01T10:00:00.000Z");
    expect(timeAgo(then, new Date("2025-03-01T10:07:30Z"))).toBe("7 minutes ago");
    expect(timeAgo(then, new Date("2025-03-01T10:00:10Z"))).toBe("less than a minute ago");
    expect(timeAgo(then, new Date("2025-03-02T11:00:00Z"))).toBe("1 day ago");
    expect(formatDuration(1500)).toBe("1.5 s");
  });

  it("says how far a running sync has got", () => {
    const reading = describeProgress({
      phase: "reading GitLab: group members", pagesRead: 340, pagesExpected: 1200, etaMs: 95000,
    });
    expect(reading.text).toBe(
      "reading GitLab: group members — 340 of about 1,200 GitLab pages read, about 2 min left");
    expect(reading.fraction).toBeCloseTo(340 / 1200);
    const first = describeProgress({ phase: "reading GitLab: subgroups", pagesRead: 3, pagesExpected: null, etaMs: null });
    expect(first.text).toBe("reading GitLab: subgroups — 3 GitLab pages read");
    expect(first.fraction).toBeNull();
    expect(describeProgress({ phase: "x", pagesRead: 5, pagesExpected: 4, etaMs: 4000 }).fraction).toBe(1);
  });
});

describe("the managed instance", () => {
  const bound: Project = { key: "k", name: "n", visibility: "private", managed: true, gitlabProjectId: 7 };
  const unbound: Project = { ...bound, managed: false, gitlabProjectId: null };

  it("makes provisioned users read-only and local holders remove-only on bound projects", () => {
    expect(permissionRowMode(true, bound, true)).toBe("read-only");
    expect(permissionRowMode(true, bound, false)).toBe("remove-only");
    expect(permissionRowMode(true, unbound, true)).toBe("editable");
    expect(permissionRowMode(false, bound, true)).toBe("editable");
    expect(visibilityBlocked(true, bound)).not.toBeNull();
    expect(visibilityBlocked(true, unbound)).toBeNull();
  });
});

describe("managed actions", () => {
  const mirrored = { id: "1", name: "acme", description: "", managed: true, default: false };
  it("are not offered until the page knows whether the instance is managed", () => {
    expect(untilKnown(undefined, (m) => deleteGroupBlocked(m, mirrored))).toBe("");
    expect(untilKnown(true, (m) => deleteGroupBlocked(m, mirrored))).toMatch(/only the provisioning/);
    expect(untilKnown(false, (m) => deleteGroupBlocked(m, mirrored))).toBeNull();
  });
});
