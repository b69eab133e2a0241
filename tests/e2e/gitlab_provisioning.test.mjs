// SonarQube's page "Managing automatic provisioning", followed click by click with the mouse and
// the keyboard, each control found by the seed's own words: Administration > Configuration >
// General Settings > Authentication > GitLab; the configuration created, then Edit GitLab
// Configuration with Synchronize user groups and Save configuration; Automatic user, group, and
// permission provisioning with a Provisioning token and Allowed groups; Edit mapping in Role
// permission mapping (Global GitLab role mapping: Add custom role, Add, the dustbin, Close);
// Save; "Synchronization is pending"; Synchronize now; Update field value; and back to
// Just-in-time user provisioning.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  adminApi,
  eventually,
  gone,
  launchBrowser,
  newPage,
  recordTexts,
  screenshot,
  seenTexts,
  startGitlabSim,
  startProvisio,
  stopAll,
  visible,
  ADMIN_PASSWORD,
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

test("the seed, step by step, in its own words", async (t) => {
  await t.test("log in", async () => {
    await page.goto("/login");
    await page.getByLabel("Login", { exact: true }).fill("admin");
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await visible(page.getByRole("navigation", { name: "Administration" }));
  });

  await t.test("go to Administration > Configuration > General Settings > Authentication > GitLab", async () => {
    await page.getByRole("link", { name: "Administration", exact: true }).click();
    const configuration = page.getByRole("button", { name: "Configuration", exact: true });
    await configuration.click();
    assert.equal(await configuration.getAttribute("aria-expanded"), "true");
    const menu = await visible(page.getByRole("menu", { name: "Configuration" }));
    await menu.getByRole("menuitem", { name: "General Settings" }).click();
    await gone(menu);
    await visible(page.getByRole("heading", { name: "General Settings", level: 1 }));
    await page.getByRole("tab", { name: "Authentication" }).click();
    await page.getByRole("tab", { name: "GitLab" }).click();
    assert.equal(await page.getByRole("tab", { name: "GitLab" }).getAttribute("aria-selected"), "true");
    assert.match(page.url(), /\/admin\/settings\?category=authentication&tab=gitlab$/);
    await visible(page.getByText("There is no GitLab configuration yet."));
  });

  await t.test("create the configuration", async () => {
    await page.getByRole("button", { name: "Create configuration" }).click();
    const dialog = await visible(page.getByRole("dialog", { name: "Create GitLab Configuration" }));
    assert.equal(await dialog.getByLabel("GitLab URL").inputValue(), "https://gitlab.com");
    const create = dialog.getByRole("button", { name: "Create configuration" });
    assert.ok(await create.isDisabled(), "disabled while the form is incomplete");
    await dialog.getByLabel("Application ID").fill("sim-client-id");
    await dialog.getByLabel("GitLab URL").fill(sim);
    await dialog.getByLabel("Secret").fill("sim-client-secret");
    await create.click();
    await gone(dialog);
    await visible(page.getByText("Configuration valid for Just-in-Time provisioning"));
    await visible(page.getByText(sim));
  });

  await t.test("Edit, Synchronize user groups, Save configuration (the JIT group sync)", async () => {
    const edit = page.getByRole("button", { name: "Edit", exact: true });
    await edit.click();
    const dialog = await visible(page.getByRole("dialog", { name: "Edit GitLab Configuration" }));
    assert.equal(await dialog.getByLabel("Secret").inputValue(), "", "the secret is never shown");
    await dialog.getByRole("checkbox", { name: "Synchronize user groups" }).check();
    await dialog.getByRole("button", { name: "Save configuration" }).click();
    await gone(dialog);
    const config = (await api.get("/api/v2/dop-translation/gitlab-configurations")).gitlabConfigurations[0];
    assert.equal(config.synchronizeGroups, true);
  });

  await t.test("editing the URL asks for the secret again; Escape closes and gives focus back", async () => {
    const edit = page.getByRole("button", { name: "Edit", exact: true });
    await edit.click();
    const dialog = await visible(page.getByRole("dialog", { name: "Edit GitLab Configuration" }));
    await dialog.getByLabel("GitLab URL").fill(`${sim}/other`);
    await visible(dialog.getByText("The URL changed: type the secret again."));
    assert.ok(await dialog.getByRole("button", { name: "Save configuration" }).isDisabled());
    await page.keyboard.press("Escape");
    await gone(dialog);
    assert.ok(await edit.evaluate((el) => el === document.activeElement), "focus returns to Edit");
  });

  await t.test("select Automatic user, group, and permission provisioning; Provisioning token; Allowed groups", async () => {
    await page.getByRole("radio", { name: "Automatic user, group, and permission provisioning" }).check();
    const save = page.getByRole("button", { name: "Save", exact: true });
    assert.ok(await save.isDisabled(), "no token and no group yet");
    await page.getByLabel("Provisioning token").fill("sim-admin-token");
    const allowed = page.getByRole("group", { name: "Allowed groups" });
    await allowed.getByRole("textbox", { name: "Allowed group 1" }).fill("acme");
    // "A new text box is added underneath."
    await allowed.getByRole("textbox", { name: "Allowed group 2" }).fill("umbrella");
    await visible(allowed.getByRole("textbox", { name: "Allowed group 3" }));
    assert.equal(await allowed.getByRole("textbox").count(), 3, "the list grows by one");
    assert.ok(await save.isEnabled());
  });

  await t.test("Role permission mapping > Edit mapping: a checkbox, Add custom role, Add, the dustbin, Close", async () => {
    await page.getByRole("button", { name: "Edit mapping" }).click();
    let dialog = await visible(page.getByRole("dialog", { name: "Global GitLab role mapping" }));
    await visible(dialog.getByRole("checkbox", { name: "Browse for owner" }));
    const roles = await dialog.locator("tbody th[scope=row] .role-name").allInnerTexts();
    assert.deepEqual(roles, ["owner", "maintainer", "developer", "reporter", "planner", "guest"]);

    const scan = dialog.getByRole("checkbox", { name: "Execute analysis for reporter" });
    assert.equal(await scan.isChecked(), false);
    await scan.check();

    const add = dialog.getByRole("region", { name: "Add custom role" });
    await add.getByLabel("Custom role name").fill("Developer");
    await add.getByRole("button", { name: "Add", exact: true }).click();
    await visible(add.getByText('"Developer" is a base role'));
    await add.getByLabel("Custom role name").fill("Security Auditor");
    await add.getByRole("button", { name: "Add", exact: true }).click();
    await visible(dialog.getByRole("row", { name: /Security Auditor/ }));
    assert.ok(await dialog.getByRole("checkbox", { name: "Browse for Security Auditor" }).isChecked(), "starts with Browse");
    await dialog.getByRole("checkbox", { name: "See source code for Security Auditor" }).check();
    await screenshot(page, "role-mapping");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await gone(dialog);

    const mappings = (await api.get("/api/v2/dop-translation/gitlab-permission-mappings")).permissionMappings;
    assert.equal(mappings.find((m) => m.role === "reporter").permissions.scan, true);
    assert.deepEqual(mappings.find((m) => m.role === "Security Auditor")?.permissions, {
      user: true, codeViewer: true, issueAdmin: false, securityHotspotAdmin: false, admin: false, scan: false,
    });

    // The dustbin removes a custom role; Close saves that too.
    await page.getByRole("button", { name: "Edit mapping" }).click();
    dialog = await visible(page.getByRole("dialog", { name: "Global GitLab role mapping" }));
    await dialog.getByRole("button", { name: "Delete the role Security Auditor" }).click();
    await gone(dialog.getByRole("row", { name: /Security Auditor/ }));
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await gone(dialog);
    const after = (await api.get("/api/v2/dop-translation/gitlab-permission-mappings")).permissionMappings;
    assert.equal(after.find((m) => m.role === "Security Auditor"), undefined);

    // A separate way out that discards.
    await page.getByRole("button", { name: "Edit mapping" }).click();
    dialog = await visible(page.getByRole("dialog", { name: "Global GitLab role mapping" }));
    await dialog.getByRole("checkbox", { name: "Administer project for guest" }).check();
    await dialog.getByRole("button", { name: "Discard changes" }).click();
    await gone(dialog);
    const discarded = (await api.get("/api/v2/dop-translation/gitlab-permission-mappings")).permissionMappings;
    assert.equal(discarded.find((m) => m.role === "guest").permissions.admin, false);
  });

  await t.test("Save, confirm: Synchronization is pending, then the first run's statistics", async () => {
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const confirm = await visible(page.getByRole("dialog", { name: "Switch to automatic provisioning?" }));
    await visible(confirm.getByText(/first synchronization starts at once/));
    await recordTexts(page, STATUS);
    await confirm.getByRole("button", { name: "Switch to automatic provisioning" }).click();
    await gone(confirm);
    await visible(page.getByText("Last synchronization succeeded"), 120000);
    const seen = await seenTexts(page);
    t.diagnostic(`statuses shown: ${seen.map((x) => x.slice(0, 40)).join(" → ")}`);
    assert.match(seen[0], /^Synchronization is pending/, "the first run is shown pending before its result");
    const terms = await page.locator(".statistics dt").allInnerTexts();
    assert.deepEqual(terms, [
      "Users synchronized from GitLab", "Groups synchronized from GitLab", "Projects whose user permissions were synchronized",
    ]);
    const changes = await page.getByRole("list", { name: "Changes of the last synchronization" }).innerText();
    assert.match(changes, /\d+ users created/);
    assert.match(changes, /\d+ groups created/);
    await visible(page.getByText("Configuration valid for Just-in-Time provisioning and for automatic provisioning"));
    await screenshot(page, "gitlab-automatic", { fullPage: true });
  });

  await t.test("Synchronize now: Synchronization is pending, the button waits, then success", async () => {
    const button = page.getByRole("button", { name: "Synchronize now" });
    await recordTexts(page, STATUS);
    await button.click();
    await eventually("Synchronize now disabled", () => button.isDisabled());
    await screenshot(page, "gitlab-sync-started", { fullPage: true });
    await eventually("the run finished", async () => {
      const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING&status=SUCCESS");
      return tasks.length === 2;
    }, 120000);
    await eventually("Synchronize now enabled again", () => button.isEnabled());
    const seen = await seenTexts(page);
    assert.match(seen[0], /^Synchronization is pending/, "the queued run is shown pending at once");
    assert.match(seen[0], /Last synchronization succeeded/, "with the last run still under it");
    assert.doesNotMatch(seen[seen.length - 1], /Synchronization is pending/);
  });

  await t.test("disabling is refused while automatic provisioning is on", async () => {
    assert.ok(await page.getByRole("button", { name: "Disable" }).isDisabled());
    await visible(page.getByText("Switch to Just-in-Time provisioning before disabling."));
  });

  await t.test("Provisioning token > Update field value, paste the new token, Save", async () => {
    assert.equal(await page.getByLabel("Provisioning token").count(), 0, "no token field once a token is set");
    await page.getByRole("button", { name: "Update field value" }).click();
    const field = page.getByLabel("Provisioning token");
    assert.ok(await field.evaluate((el) => el === document.activeElement), "the focus is in the new field");
    await field.fill("sim-admin-sudo-token");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await visible(page.getByText("Provisioning settings saved."));
    await visible(page.getByRole("button", { name: "Update field value" }));
    // As on SonarQube's page, a new token is used at once: the save queued a synchronization.
    await visible(page.getByText("Synchronization is pending"));
    const run = await eventually("the synchronization with the new token ended", async () => {
      const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING");
      return tasks.length === 3 && ["SUCCESS", "FAILED"].includes(tasks[0].status) ? tasks[0] : null;
    }, 120000);
    assert.equal(run.status, "SUCCESS", run.errorMessage);
    const html = await page.content();
    for (const secret of ["sim-admin-sudo-token", "sim-admin-token", "sim-client-secret"]) {
      assert.ok(!html.includes(secret), `${secret} must never be shown`);
    }
  });

  await t.test("select Just-in-time user provisioning, Save", async () => {
    await page.getByRole("radio", { name: "Just-in-time user provisioning" }).check();
    await visible(page.getByLabel("Allow users to sign up"));
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const confirm = await visible(page.getByRole("dialog", { name: "Switch to Just-in-time provisioning?" }));
    await visible(confirm.getByText(/no longer managed by GitLab/));
    await confirm.getByRole("button", { name: "Switch to Just-in-time provisioning" }).click();
    await gone(confirm);
    await gone(page.getByRole("button", { name: "Synchronize now" }));
    const config = (await api.get("/api/v2/dop-translation/gitlab-configurations")).gitlabConfigurations[0];
    assert.equal(config.provisioningType, "JIT");
    const users = await api.get("/api/v2/users-management/users?managed=true");
    assert.equal(users.page.total, 0, "nobody is managed any more");
  });

  await t.test("a configuration that lets anyone in asks first", async () => {
    const allowed = page.getByRole("group", { name: "Allowed groups" });
    await allowed.getByRole("button", { name: "Remove allowed group umbrella" }).click();
    await allowed.getByRole("button", { name: "Remove allowed group acme" }).click();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const confirm = await visible(page.getByRole("dialog", { name: "Let anyone in?" }));
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await gone(confirm);
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    assert.equal(await allowed.getByRole("textbox", { name: "Allowed group 1" }).inputValue(), "acme");
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
