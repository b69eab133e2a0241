// The seed, with the mouse and keyboard only: an administrator creates the GitLab configuration,
// turns on automatic provisioning with a token and two allowed groups, edits the role mapping,
// saves and confirms, watches the first synchronization, synchronizes again, changes the token,
// and switches back to Just-in-Time.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  adminApi,
  eventually,
  gone,
  launchBrowser,
  loginAsAdmin,
  newPage,
  recordTexts,
  screenshot,
  seenTexts,
  startGitlabSim,
  startProvisio,
  stopAll,
  visible,
} from "./support.mjs";

let sim, server, browser, page, api;

before(async () => {
  [sim, server] = await Promise.all([startGitlabSim(), startProvisio()]);
  api = adminApi(server);
  browser = await launchBrowser();
  page = await newPage(browser, server);
});

after(async () => {
  await browser?.close();
  await stopAll();
});

const STATUS = ".sync-status [role=status]";

test("the seed, step by step", async (t) => {
  await t.test("log in and reach the GitLab page", async () => {
    await loginAsAdmin(page, "/gitlab");
    await visible(page.getByRole("heading", { name: "GitLab authentication", level: 1 }));
    await visible(page.getByText("There is no GitLab configuration yet."));
  });

  await t.test("create the configuration", async () => {
    await page.getByRole("button", { name: "Create configuration" }).click();
    const dialog = await visible(page.getByRole("dialog", { name: "Create a GitLab configuration" }));
    assert.equal(await dialog.getByLabel("GitLab URL").inputValue(), "https://gitlab.com");
    const create = dialog.getByRole("button", { name: "Create configuration" });
    assert.ok(await create.isDisabled(), "Save is disabled while the form is incomplete");
    await dialog.getByLabel("Application ID").fill("sim-client-id");
    await dialog.getByLabel("GitLab URL").fill(sim);
    await dialog.getByLabel("Secret").fill("sim-client-secret");
    await dialog.getByLabel("Synchronize user groups").check();
    await create.click();
    await gone(dialog);
    await visible(page.getByText("Configuration valid for Just-in-Time provisioning"));
    await visible(page.getByText(sim));
  });

  await t.test("editing the URL asks for the secret again; Escape closes and gives focus back", async () => {
    const edit = page.getByRole("button", { name: "Edit", exact: true });
    await edit.click();
    const dialog = await visible(page.getByRole("dialog", { name: "Edit the GitLab configuration" }));
    assert.equal(await dialog.getByLabel("Secret").inputValue(), "", "the secret is never shown");
    await dialog.getByLabel("GitLab URL").fill(`${sim}/other`);
    await visible(dialog.getByText("The URL changed: type the secret again."));
    assert.ok(await dialog.getByRole("button", { name: "Save configuration" }).isDisabled());
    await page.keyboard.press("Escape");
    await gone(dialog);
    assert.ok(await edit.evaluate((el) => el === document.activeElement), "focus returns to Edit");
    await visible(page.getByText(sim));
  });

  await t.test("choose automatic provisioning with a token and two allowed groups", async () => {
    await page.getByRole("radio", { name: /Automatic user, group and permission provisioning/ }).check();
    const save = page.getByRole("button", { name: "Save", exact: true });
    assert.ok(await save.isDisabled(), "no token and no group yet");
    await page.getByLabel("Provisioning token").fill("sim-admin-token");
    await page.getByLabel("Allowed group 1").fill("acme");
    await visible(page.getByLabel("Allowed group 2"));
    await page.getByLabel("Allowed group 2").fill("umbrella");
    await visible(page.getByLabel("Allowed group 3"));
    assert.equal(await page.getByRole("textbox", { name: /Allowed group/ }).count(), 3, "the list grows by one");
    assert.ok(await save.isEnabled());
  });

  await t.test("edit the role mapping: a checkbox, a custom role added then deleted", async () => {
    await page.getByRole("button", { name: "Edit role mapping" }).click();
    let dialog = await visible(page.getByRole("dialog", { name: "Role permission mapping" }));
    await visible(dialog.getByRole("checkbox", { name: "Browse for owner" }));
    const roles = await dialog.locator("tbody th[scope=row]").allInnerTexts();
    assert.deepEqual(roles.map((r) => r.trim()), ["owner", "maintainer", "developer", "reporter", "planner", "guest"]);

    const scan = dialog.getByRole("checkbox", { name: "Execute analysis for reporter" });
    assert.equal(await scan.isChecked(), false);
    await scan.check();

    // Refusals: a base role's name in another case, then a custom role without a permission.
    await dialog.getByLabel("Custom role name").fill("Developer");
    await dialog.getByRole("button", { name: "Add custom role" }).click();
    await visible(dialog.getByText('"Developer" is a base role'));
    await dialog.getByLabel("Custom role name").fill("Security Auditor");
    await dialog.getByRole("button", { name: "Add custom role" }).click();
    await visible(dialog.getByRole("row", { name: /Security Auditor/ }));
    await dialog.getByRole("button", { name: "Save and close" }).click();
    await visible(dialog.getByText(/Give at least one permission to "Security Auditor"/));
    await dialog.getByRole("checkbox", { name: "Browse for Security Auditor" }).check();
    await dialog.getByRole("checkbox", { name: "See source code for Security Auditor" }).check();
    await screenshot(page, "role-mapping");
    await dialog.getByRole("button", { name: "Save and close" }).click();
    await gone(dialog);

    const mappings = (await api.get("/api/v2/dop-translation/gitlab-permission-mappings")).permissionMappings;
    assert.equal(mappings.find((m) => m.role === "reporter").permissions.scan, true);
    assert.deepEqual(mappings.find((m) => m.role === "Security Auditor")?.permissions, {
      user: true, codeViewer: true, issueAdmin: false, securityHotspotAdmin: false, admin: false, scan: false,
    });

    await page.getByRole("button", { name: "Edit role mapping" }).click();
    dialog = await visible(page.getByRole("dialog", { name: "Role permission mapping" }));
    assert.ok(await dialog.getByRole("checkbox", { name: "Execute analysis for reporter" }).isChecked());
    await dialog.getByRole("button", { name: "Delete the role Security Auditor" }).click();
    await gone(dialog.getByRole("row", { name: /Security Auditor/ }));
    await dialog.getByRole("button", { name: "Save and close" }).click();
    await gone(dialog);
    const after = (await api.get("/api/v2/dop-translation/gitlab-permission-mappings")).permissionMappings;
    assert.equal(after.find((m) => m.role === "Security Auditor"), undefined);
  });

  await t.test("save, confirm, see pending then a success with counts", async () => {
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const confirm = await visible(page.getByRole("dialog", { name: "Switch to automatic provisioning?" }));
    await visible(confirm.getByText(/first synchronization starts at once/));
    await recordTexts(page, STATUS);
    await confirm.getByRole("button", { name: "Switch to automatic provisioning" }).click();
    await gone(confirm);
    await visible(page.getByText("Last synchronization succeeded"), 120000);
    // Saving queued the first sync at once. The worker claims a queued task within a second,
    // so the page's first look may already find it in progress: either shows it was queued.
    const seen = await seenTexts(page);
    t.diagnostic(`statuses shown: ${seen.map((x) => x.split(":")[0]).join(" → ")}`);
    assert.match(seen[0], /^(Pending|In progress)/, "the sync is shown queued or running before its result");
    const summary = await page.getByRole("list", { name: "Summary of the last synchronization" }).innerText();
    assert.match(summary, /\d+ users created/);
    assert.match(summary, /\d+ groups created/);
    assert.match(summary, /GitLab requests/);
    await visible(page.getByText("Configuration valid for Just-in-Time provisioning and for automatic provisioning"));
    await screenshot(page, "gitlab-automatic", { fullPage: true });
  });

  await t.test("synchronize now: pending, button disabled, then success", async () => {
    const button = page.getByRole("button", { name: "Synchronize now" });
    await recordTexts(page, STATUS);
    await button.click();
    await eventually("Synchronize now disabled", () => button.isDisabled());
    await screenshot(page, "gitlab-sync-started", { fullPage: true });
    await visible(page.getByText("Last synchronization succeeded"), 120000);
    const seen = await seenTexts(page);
    assert.match(seen[0], /^Pending/, "the queued run is shown pending at once");
    assert.match(seen[seen.length - 1], /^Last synchronization succeeded/);
    await eventually("Synchronize now enabled again", () => button.isEnabled());
    const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING");
    assert.equal(tasks.filter((x) => x.status === "SUCCESS").length, 2);
  });

  await t.test("disabling is refused while automatic provisioning is on", async () => {
    assert.ok(await page.getByRole("button", { name: "Disable" }).isDisabled());
    await visible(page.getByText("Switch to Just-in-Time provisioning before disabling."));
  });

  await t.test("change the token: write-only, an update button replaces the field", async () => {
    assert.equal(await page.getByLabel("Provisioning token").count(), 0, "no token field once a token is set");
    await page.getByRole("button", { name: "Update token" }).click();
    await page.getByLabel("Provisioning token").fill("sim-owner-token");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await visible(page.getByText("Provisioning settings saved."));
    await visible(page.getByText("A provisioning token is set."));
    const html = await page.content();
    for (const secret of ["sim-owner-token", "sim-admin-token", "sim-client-secret"]) {
      assert.ok(!html.includes(secret), `${secret} must never be shown`);
    }
  });

  await t.test("switch back to Just-in-Time and confirm", async () => {
    await page.getByRole("radio", { name: /Just-in-Time provisioning/ }).check();
    await visible(page.getByLabel("Allow users to sign up"));
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const confirm = await visible(page.getByRole("dialog", { name: "Switch to Just-in-Time provisioning?" }));
    await visible(confirm.getByText(/no longer managed by GitLab/));
    await confirm.getByRole("button", { name: "Switch to Just-in-Time provisioning" }).click();
    await gone(confirm);
    await gone(page.getByRole("button", { name: "Synchronize now" }));
    const config = (await api.get("/api/v2/dop-translation/gitlab-configurations")).gitlabConfigurations[0];
    assert.equal(config.provisioningType, "JIT");
    const users = await api.get("/api/v2/users-management/users?managed=true");
    assert.equal(users.page.total, 0, "nobody is managed any more");
  });

  await t.test("a configuration that lets anyone in asks first", async () => {
    for (const box of ["Allowed group 2", "Allowed group 1"]) await page.getByLabel(box).fill("");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const confirm = await visible(page.getByRole("dialog", { name: "Let anyone in?" }));
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await gone(confirm);
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    assert.equal(await page.getByLabel("Allowed group 1").inputValue(), "acme");
  });

  await t.test("disable, then delete the configuration", async () => {
    await page.getByRole("button", { name: "Disable" }).click();
    await visible(page.getByText("Not checked while disabled."));
    await page.getByRole("button", { name: "Delete" }).click();
    const confirm = await visible(page.getByRole("dialog", { name: "Delete the GitLab configuration?" }));
    await confirm.getByRole("button", { name: "Delete" }).click();
    await visible(page.getByText("There is no GitLab configuration yet."));
  });

  assert.deepEqual(page.problems, [], "no script errors in the page");
});
