// The users, groups and projects pages of a managed instance: entries provisioned from GitLab
// carry the "from GitLab" badge, and what the managed instance forbids is disabled or hidden
// with its reason, while what it still allows works. Set up through the API (the GitLab page
// itself is walked by gitlab_provisioning.test.mjs).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  adminApi,
  eventually,
  gone,
  launchBrowser,
  loginAsAdmin,
  newPage,
  screenshot,
  startGitlabSim,
  startProvisio,
  stopAll,
  syncSucceeded,
  visible,
} from "./support.mjs";

let sim, server, browser, page, api;
let bound; // the GitLab project the project "shop" is bound to
let other; // another GitLab project, bound through the UI

async function gitlabProjects() {
  const r = await fetch(`${sim}/api/v4/projects?per_page=100&order_by=id&sort=asc`, {
    headers: { "PRIVATE-TOKEN": "sim-admin-token" },
  });
  assert.equal(r.status, 200);
  return (await r.json()).filter((p) => p.path_with_namespace.startsWith("acme/"));
}

before(async () => {
  [sim, server] = await Promise.all([startGitlabSim(), startProvisio()]);
  api = adminApi(server);
  [bound, other] = await gitlabProjects();
  assert.ok(bound && other, "world S has projects under acme");

  // Local things made before the instance is managed.
  await api.post("/api/v2/users-management/users", { login: "alice", name: "Alice Local", password: "alice-password-123" });
  const alice = (await api.get("/api/v2/users-management/users?q=alice")).users[0];
  const qa = await api.post("/api/v2/authorizations/groups", { name: "qa-team", description: "Testers" });
  await api.post("/api/v2/authorizations/group-memberships", { groupId: qa.id, userId: alice.id });
  await api.form("/api/projects/create", { project: "shop", name: "Shop", visibility: "private" });
  await api.form("/api/projects/create", { project: "intranet", name: "Intranet", visibility: "private" });
  await api.form("/api/alm_settings/set_gitlab_binding", { project: "shop", repository: String(bound.id) });
  await api.form("/api/permissions/add_user", { projectKey: "shop", login: "alice", permission: "user" });
  await api.form("/api/permissions/add_user", { projectKey: "shop", login: "alice", permission: "codeviewer" });
  await api.form("/api/permissions/add_group", { projectKey: "shop", groupName: "qa-team", permission: "issueadmin" });

  // Then automatic provisioning, and its first synchronization.
  await api.post("/api/v2/dop-translation/gitlab-configurations", {
    enabled: true, applicationId: "sim-client-id", url: sim, secret: "sim-client-secret",
  });
  await api.patch("/api/v2/dop-translation/gitlab-configurations/gitlab-configuration", {
    provisioningType: "AUTO_PROVISIONING", provisioningToken: "sim-admin-token", allowedGroups: ["acme", "umbrella"],
  });
  await syncSucceeded(api);

  browser = await launchBrowser();
  page = await newPage(browser, server);
  await loginAsAdmin(page, "/users");
});

after(async () => {
  await browser?.close();
  await stopAll();
});

test("users: managed badges; creating and changing provisioned users refused with the reason", async () => {
  await visible(page.getByRole("heading", { name: "Users", level: 1 }));
  await visible(page.getByText("Automatic provisioning is on"));
  assert.ok(await page.getByRole("button", { name: "Create user" }).isDisabled());
  await visible(page.getByText("Managed by GitLab: users are created by the automatic provisioning."));
  const managedRow = page.getByRole("row").filter({ has: page.getByText("from GitLab") }).first();
  await visible(managedRow);
  assert.ok(await managedRow.getByRole("button", { name: /^Deactivate/ }).isDisabled());
  assert.ok(await managedRow.getByRole("button", { name: /^Edit/ }).isDisabled());
  await screenshot(page, "users");

  await page.getByRole("searchbox", { name: /Search users/ }).fill("alice");
  await page.getByRole("button", { name: "Search" }).click();
  const alice = await visible(page.getByRole("row", { name: /Alice Local/ }));
  assert.equal(await alice.getByText("from GitLab").count(), 0);
  assert.ok(await alice.getByRole("button", { name: "Deactivate alice" }).isEnabled(), "local users can be deactivated");
});

test("groups: mirrored groups badged and kept; local groups deletable; members only removable", async () => {
  await page.getByRole("link", { name: "Groups" }).click();
  await visible(page.getByRole("heading", { name: "Groups", level: 1 }));
  assert.ok(await page.getByRole("button", { name: "Create group" }).isDisabled());
  const acme = await visible(
    page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "acme", exact: true }) }),
  );
  await visible(acme.getByText("from GitLab"));
  assert.ok(await acme.getByRole("button", { name: "Delete acme" }).isDisabled());
  assert.ok(await acme.getByRole("button", { name: "Edit acme" }).isDisabled());
  const qa = await visible(page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /qa-team/ }) }));
  assert.ok(await qa.getByRole("button", { name: "Delete qa-team" }).isEnabled());
  await screenshot(page, "groups");

  await qa.getByRole("button", { name: "Members of qa-team" }).click();
  const dialog = await visible(page.getByRole("dialog", { name: "Members of qa-team" }));
  await visible(dialog.getByText("Managed by GitLab: memberships are added by the provisioning."));
  assert.equal(await dialog.getByLabel("Login of the user to add").count(), 0, "no way to add a member");
  await dialog.getByRole("button", { name: "Remove alice" }).click();
  await visible(dialog.getByText("No members."));
  await dialog.getByRole("button", { name: "Close" }).click();
  await gone(dialog);
});

test("projects: a bound project's visibility follows GitLab; binding through the UI", async () => {
  await page.getByRole("link", { name: "Projects" }).click();
  await visible(page.getByRole("heading", { name: "Projects", level: 1 }));
  const shop = await visible(page.getByRole("row", { name: /Shop/ }));
  await visible(shop.getByText(`#${bound.id}`));
  await visible(shop.getByText("from GitLab"));
  assert.ok(await shop.getByRole("button", { name: "Make shop public" }).isDisabled());
  // In a list the reason is the button's description (and tooltip), not text on every row.
  const reason = shop.getByText("Managed by GitLab: the visibility follows the GitLab project.");
  await reason.waitFor({ state: "attached" });
  assert.equal(
    await shop.getByRole("button", { name: "Make shop public" }).getAttribute("aria-describedby"),
    await reason.getAttribute("id"),
  );
  const intranet = page.getByRole("row", { name: /Intranet/ });
  assert.ok(await intranet.getByRole("button", { name: "Make intranet public" }).isEnabled());

  await intranet.getByRole("button", { name: "Bind intranet to GitLab" }).click();
  const dialog = await visible(page.getByRole("dialog", { name: "Bind intranet to a GitLab project" }));
  await dialog.getByLabel("GitLab project ID").fill("acme/some-path");
  await visible(dialog.getByText("a path is not accepted"));
  assert.ok(await dialog.getByRole("button", { name: "Bind" }).isDisabled());
  await dialog.getByLabel("GitLab project ID").fill(String(other.id));
  await dialog.getByRole("button", { name: "Bind" }).click();
  await gone(dialog);
  await visible(page.getByText(`Project intranet bound to GitLab project #${other.id}`));
  await visible(intranet.getByText(`#${other.id}`));
  await screenshot(page, "projects");
});

test("a bound project's permissions: provisioned users read-only, local holders remove-only", async () => {
  await page.getByRole("row", { name: /Shop/ }).getByRole("link", { name: /Permissions/ }).click();
  await visible(page.getByRole("heading", { name: "Permissions of Shop", level: 1 }));
  await visible(page.getByText(/bound to GitLab project #\d+ and managed by GitLab/));

  // Provisioned users: every box disabled.
  const managedRow = await visible(page.getByRole("row").filter({ has: page.getByText("from GitLab") }).first());
  const boxes = managedRow.getByRole("checkbox");
  assert.equal(await boxes.count(), 6);
  for (let i = 0; i < 6; i++) assert.ok(await boxes.nth(i).isDisabled(), "read-only");

  // Alice (local): what she holds can be removed; nothing can be added.
  const alice = page.getByRole("row", { name: /Alice Local/ });
  assert.ok(await alice.getByRole("checkbox", { name: "Browse for alice" }).isEnabled());
  assert.ok(await alice.getByRole("checkbox", { name: "Administer project for alice" }).isDisabled());
  await visible(page.getByText("permissions of local users and groups can be removed but not added").first());
  assert.equal(await page.getByRole("button", { name: "Grant" }).count(), 0, "no grant form");
  await screenshot(page, "project-permissions");

  await alice.getByRole("checkbox", { name: "See source code for alice" }).uncheck();
  await eventually("the permission revoked", async () => {
    const { users } = await api.get("/api/permissions/users?projectKey=shop&q=alice");
    return users[0] && !users[0].permissions.includes("codeviewer");
  });
  assert.ok(!(await alice.getByRole("checkbox", { name: "See source code for alice" }).isChecked()));
});

test("run history: the synchronization with its summary", async () => {
  await page.getByRole("link", { name: "Run history" }).click();
  await visible(page.getByRole("heading", { name: "Run history", level: 1 }));
  const row = await visible(page.getByRole("row", { name: /Full synchronization/ }).first());
  await visible(row.getByText("Succeeded"));
  await visible(row.getByText(/users created/));
  await screenshot(page, "run-history");
  assert.deepEqual(page.problems, [], "no script errors in the page");
});
