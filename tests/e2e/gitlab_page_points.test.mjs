// The GitLab page beyond the seed's steps (issue 20, points 2 to 5), in Chromium against a
// provisio serve and a gitlab-sim of their own: the statistics after every run; a plan the guard
// held back, reviewed and applied on the page (and a stale one refused); what GitLab refuses at
// save time said next to its field in the same words as the card and the run; and the rough
// edges (allowed groups, sticky first columns, read-only boxes, tables instead of JSON, focus).
// The tests run in this order, each from the state the previous one left.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  adminApi,
  assertNoHorizontalOverflow,
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
  syncSucceeded,
  visible,
} from "./support.mjs";

const SETTINGS = "/admin/settings?category=authentication&tab=gitlab";
const CONFIG = "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration";
const STATUS = ".sync-status [role=status]";

let sim, server, browser, api;

async function gitlabProjects(root) {
  const r = await fetch(`${sim}/api/v4/projects?per_page=100&order_by=id&sort=asc`, {
    headers: { "PRIVATE-TOKEN": "sim-admin-token" },
  });
  assert.equal(r.status, 200);
  return (await r.json()).filter((p) => p.path_with_namespace.startsWith(`${root}/`));
}

const control = (path, body) =>
  fetch(`${sim}/__control/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...body, hooks: [] }),
  }).then((r) => assert.equal(r.status, 200, path));

// The latest full synchronization once it has ended.
async function lastRunEnded() {
  return eventually("a finished synchronization", async () => {
    const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING&ps=1");
    return ["SUCCESS", "FAILED", "CANCELED"].includes(tasks[0]?.status) ? tasks[0] : null;
  }, 120000);
}

const statistics = (page) => page.locator(".sync-status .statistics dd").allInnerTexts();

before(async () => {
  [sim, server] = await Promise.all([startGitlabSim(), startProvisio()]);
  api = adminApi(server);
  const [shop] = await gitlabProjects("acme");
  const [intranet] = await gitlabProjects("umbrella");
  assert.ok(shop && intranet, "world S has projects under acme and umbrella");
  await api.form("/api/projects/create", { project: "shop", name: "Shop", visibility: "private" });
  await api.form("/api/projects/create", { project: "intranet", name: "Intranet", visibility: "private" });
  await api.form("/api/projects/create", { project: "local", name: "Local", visibility: "private" });
  await api.form("/api/alm_settings/set_gitlab_binding", { project: "shop", repository: String(shop.id) });
  await api.form("/api/alm_settings/set_gitlab_binding", { project: "intranet", repository: String(intranet.id) });
  await api.post("/api/v2/dop-translation/gitlab-configurations", {
    enabled: true, applicationId: "sim-client-id", url: sim, secret: "sim-client-secret",
  });
  await api.patch(CONFIG, { provisioningType: "AUTO_PROVISIONING", provisioningToken: "sim-admin-token", allowedGroups: ["acme", "umbrella"] });
  await syncSucceeded(api);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

test("point 2: the statistics after every run, also one that changed nothing; the last run stays under a pending one", async () => {
  const page = await newPage(browser, server);
  await loginAsAdmin(page, SETTINGS);
  await visible(page.getByText("Last synchronization succeeded"));
  // Independent views of what the run covered: the managed users and groups the API lists, and
  // the two bound projects made above (the third is not bound).
  const users = (await api.get("/api/v2/users-management/users?managed=true&active=true&pageSize=1")).page.total;
  const groups = (await api.get("/api/v2/authorizations/groups?managed=true&pageSize=1")).page.total;
  assert.ok(users > 0 && groups > 0);
  const expected = [users.toLocaleString("en-US"), groups.toLocaleString("en-US"), "2"];
  assert.deepEqual(await statistics(page), expected);

  await recordTexts(page, STATUS);
  await page.getByRole("button", { name: "Synchronize now" }).click();
  await eventually("the second run ended", async () => {
    const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING&status=SUCCESS");
    return tasks.length === 2;
  }, 120000);
  await visible(page.getByText("No changes: everything was already as in GitLab."));
  const seen = await seenTexts(page);
  assert.match(seen[0], /Synchronization is pending.*Last synchronization succeeded.*Users synchronized from GitLab/s,
    "pending, with the last finished run and its statistics under it");
  assert.deepEqual(await statistics(page), expected, "a run that changed nothing says how much it covered");
  await visible(page.locator(".sync-status details.warnings summary"));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("point 3: a held plan, reviewed and applied on the page; a stale one refused", async () => {
  const page = await newPage(browser, server);
  // The page's polling runs on timers this test can stop, to keep a plan on screen while a
  // newer run makes it stale.
  await page.clock.install();
  await loginAsAdmin(page, SETTINGS);
  await visible(page.getByText("Last synchronization succeeded"));
  const managedBefore = (await api.get("/api/v2/users-management/users?managed=true&active=true&pageSize=1")).page.total;

  // Taking umbrella out of the allowed groups would deactivate its members: the save queues a
  // sync (automatic mode), and the guard holds its plan back.
  const allowed = page.getByRole("group", { name: "Allowed groups" });
  await allowed.getByRole("button", { name: "Remove allowed group umbrella" }).click();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await visible(page.getByText("Provisioning settings saved."));
  const held = await visible(page.getByRole("region", { name: "The guard held back the plan of the last synchronization" }), 120000);
  const task = await lastRunEnded();
  assert.equal(task.held, true);
  const deactivations = task.counts.usersDeactivated;
  assert.ok(deactivations > 0);
  await visible(held.getByText(/more than the guard allows/));
  // A held run says what it covered, as every run does.
  const stats = await visible(page.getByLabel("Statistics of the last synchronization"));
  assert.match(await stats.innerText(), new RegExp(`Users synchronized from GitLab\\s+${task.totals.users.toLocaleString("en-US")}`));
  const would = await held.getByRole("list", { name: "What the held plan would do" }).innerText();
  assert.match(would, new RegExp(`${deactivations} users? deactivated`));
  const table = held.getByRole("table", { name: "Changes of the held plan, with their causes in GitLab" });
  await visible(table);
  assert.deepEqual(await table.getByRole("columnheader").allInnerTexts(), ["Change", "Of", "From → to", "Cause in GitLab"]);
  const first = await table.getByRole("row").nth(1).innerText();
  await held.getByRole("button", { name: "Next" }).click();
  await eventually("the second page of changes", async () => (await table.getByRole("row").nth(1).innerText()) !== first);
  const causes = await table.locator("td[data-label='Cause in GitLab']").allInnerTexts();
  assert.ok(causes.every((c) => c !== "—" && c.length > 0), "each change says its GitLab cause");
  await held.getByRole("button", { name: "Previous" }).click();
  await screenshot(page, "held-plan", { fullPage: true });

  const narrow = await newPage(browser, server, { width: 390, height: 844 });
  await loginAsAdmin(narrow, SETTINGS);
  await visible(narrow.getByRole("region", { name: "The guard held back the plan of the last synchronization" }));
  await visible(narrow.getByRole("table", { name: "Changes of the held plan, with their causes in GitLab" }));
  await assertNoHorizontalOverflow(narrow, "the held plan at 390 px");
  await screenshot(narrow, "narrow-held-plan", { fullPage: true });
  await narrow.context().close();

  // A newer run while this page shows the plan: its plan is out of date and is refused. The
  // page's clock stands still (its next look at the runs is 30 s away) but for the short steps
  // its effects need (rendering runs them after a frame).
  await page.clock.pauseAt(Date.now() + 1000);
  const step = () => page.clock.runFor(200);
  await api.post("/api/v2/dop-translation/gitlab-synchronization-runs", {});
  const newer = await lastRunEnded();
  assert.notEqual(newer.id, task.id);
  await held.getByRole("button", { name: "Review and apply" }).click();
  await step();
  let confirm = await visible(page.getByRole("dialog", { name: "Apply the held plan?" }));
  await visible(confirm.getByText(new RegExp(`It deactivates ${deactivations} users?`)));
  await confirm.getByRole("button", { name: `Apply and deactivate ${deactivations} user` }).click();
  await eventually("the refusal", async () => {
    await step();
    return held.getByText(`The plan held back by task ${task.id} is out of date`).isVisible();
  });
  await gone(confirm);
  assert.equal(
    (await api.get("/api/v2/users-management/users?managed=true&active=true&pageSize=1")).page.total,
    managedBefore,
    "nothing was applied",
  );

  // The latest plan, once the page reads it again, is applied.
  await page.clock.resume();
  await page.reload();
  const latest = await visible(page.getByRole("region", { name: "The guard held back the plan of the last synchronization" }));
  await latest.getByRole("button", { name: "Review and apply" }).click();
  confirm = await visible(page.getByRole("dialog", { name: "Apply the held plan?" }));
  await visible(confirm.getByText(`as task ${newer.id} computed it`));
  await confirm.getByRole("button", { name: /^Apply and deactivate/ }).click();
  await gone(confirm);
  await visible(page.getByText("Last synchronization succeeded"));
  await visible(page.getByRole("list", { name: "Changes of the last synchronization" }).getByText(/users? deactivated/));
  assert.equal(
    (await api.get("/api/v2/users-management/users?managed=true&active=true&pageSize=1")).page.total,
    managedBefore - newer.counts.usersDeactivated,
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("point 4: GitLab's refusals at save, next to their field, in the words of the card and the run", async () => {
  const page = await newPage(browser, server);
  await loginAsAdmin(page, SETTINGS);
  await visible(page.getByText("Last synchronization succeeded"));
  const before = (await api.get("/api/v2/dop-translation/gitlab-configurations")).gitlabConfigurations[0];

  // A token GitLab does not know.
  await page.getByRole("button", { name: "Update field value" }).click();
  await page.getByLabel("Provisioning token").fill("sim-no-such-token");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const unknown =
    "GitLab does not accept the token (invalid or unknown). Check that the token was copied whole and belongs to this GitLab.";
  const token = page.getByLabel("Provisioning token");
  await visible(page.locator(".token-field .field-error").getByText(unknown, { exact: true }));
  assert.equal(await token.getAttribute("aria-invalid"), "true");
  await visible(page.getByText("Nothing was saved: GitLab refused the provisioning token."));
  assert.equal(await page.getByText("Provisioning settings saved.").count(), 0);
  await page.getByRole("button", { name: "Keep the current token" }).click();

  // An allowed group GitLab does not have.
  const allowed = page.getByRole("group", { name: "Allowed groups" });
  const next = allowed.getByRole("textbox", { name: "Allowed group 2" });
  await next.fill("no-such-group");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await visible(allowed.getByText("The allowed group 'no-such-group' does not exist in GitLab, or the provisioning token cannot see it."));
  assert.equal(await next.getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByText("Provisioning settings saved.").count(), 0);
  await allowed.getByRole("button", { name: "Remove allowed group no-such-group" }).click();
  const after = (await api.get("/api/v2/dop-translation/gitlab-configurations")).gitlabConfigurations[0];
  assert.deepEqual(after, before, "nothing was saved");

  // The token revoked in GitLab: the card, the field and the run say it in the same words.
  await control("tokens/revoke", { token: "sim-admin-token" });
  await page.reload();
  const revoked =
    "The GitLab token was revoked. Create a new token with the read_api scope and save it as the provisioning token.";
  await visible(page.getByRole("alert").filter({ hasText: "The configuration does not work:" }).getByText(revoked));
  await visible(page.locator("#token-problem").getByText(revoked, { exact: true }));
  await page.getByRole("button", { name: "Synchronize now" }).click();
  const failed = await lastRunEnded();
  assert.equal(failed.status, "FAILED");
  assert.ok(failed.errorMessage.startsWith(revoked), failed.errorMessage);
  await visible(page.getByText("Last synchronization failed"));
  await visible(page.locator(".last-run").getByText(revoked, { exact: false }));
  await screenshot(page, "token-refused", { fullPage: true });

  // A working token again, and the save queues the sync that uses it.
  await page.getByRole("button", { name: "Update field value" }).click();
  await page.getByLabel("Provisioning token").fill("sim-admin-sudo-token");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await visible(page.getByText("Provisioning settings saved."));
  const ok = await lastRunEnded(); // the save queued it before answering
  assert.notEqual(ok.id, failed.id);
  assert.equal(ok.status, "SUCCESS", ok.errorMessage);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("point 5: rough edges of the page", async (t) => {
  const page = await newPage(browser, server);
  await loginAsAdmin(page, SETTINGS);
  await visible(page.getByText("Last synchronization succeeded"));
  const allowed = page.getByRole("group", { name: "Allowed groups" });
  const boxes = () => allowed.getByRole("textbox").evaluateAll((els) => els.map((e) => e.value));

  await t.test("allowed groups: a remove button each, the order typed, a case-different repeat stopped", async () => {
    assert.deepEqual(await boxes(), ["acme", ""]);
    await allowed.getByRole("textbox", { name: "Allowed group 2" }).fill("umbrella");
    await allowed.getByRole("button", { name: "Remove allowed group acme" }).click();
    await allowed.getByRole("textbox", { name: "Allowed group 2" }).fill("acme");
    assert.deepEqual(await boxes(), ["umbrella", "acme", ""]);
    await allowed.getByRole("textbox", { name: "Allowed group 3" }).fill("ACME");
    await visible(allowed.getByText('"ACME" and "acme" differ only in case: GitLab paths ignore case, so both name the same group. Remove one.'));
    assert.ok(await page.getByRole("button", { name: "Save", exact: true }).isDisabled());
    await allowed.getByRole("button", { name: "Remove allowed group ACME", exact: true }).click();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await visible(page.getByText("Provisioning settings saved."));
    assert.deepEqual(await boxes(), ["umbrella", "acme", ""], "the order typed, after saving");
    await lastRunEnded();
    await page.reload();
    await eventually("the order typed, kept by the server", async () =>
      JSON.stringify(await boxes()) === JSON.stringify(["umbrella", "acme", ""]));
  });

  await t.test("focus after Update field value and after its cancel", async () => {
    await page.getByRole("button", { name: "Update field value" }).click();
    assert.ok(await page.getByLabel("Provisioning token").evaluate((el) => el === document.activeElement));
    await page.getByRole("button", { name: "Keep the current token" }).click();
    assert.ok(await page.getByRole("button", { name: "Update field value" }).evaluate((el) => el === document.activeElement));
  });

  await t.test("a custom role's name is not drawn in an error colour", async () => {
    await page.getByRole("button", { name: "Edit mapping" }).click();
    const dialog = await visible(page.getByRole("dialog", { name: "Global GitLab role mapping" }));
    await dialog.getByLabel("Custom role name").fill("Auditor");
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await dialog.getByRole("checkbox", { name: "Browse for Auditor" }).uncheck();
    const row = dialog.getByRole("row", { name: /Auditor/ });
    await visible(row.getByText("needs a permission"));
    const colours = await row.evaluate((tr) => ({
      name: getComputedStyle(tr.querySelector(".role-name")).color,
      owner: getComputedStyle(tr.closest("tbody").querySelector("tr .role-name")).color,
    }));
    assert.equal(colours.name, colours.owner, "drawn like any other role's name");
    await dialog.getByRole("button", { name: "Discard changes" }).click();
    await gone(dialog);
  });

  await t.test("read-only boxes: granted and not granted told apart by contrast and shape", async () => {
    await page.goto("/projects/shop/permissions");
    await visible(page.getByRole("row").filter({ has: page.getByText("from GitLab") }).first());
    const look = (checked) =>
      page.locator(`tr:has(.badge-managed) input[type=checkbox]:disabled${checked ? ":checked" : ":not(:checked)"}`).first().evaluate((el) => {
        const s = getComputedStyle(el);
        return { background: s.backgroundColor, border: s.borderTopStyle };
      });
    const [granted, notGranted] = [await look(true), await look(false)];
    const luminance = (rgb) => {
      const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [a, b] = [luminance(granted.background), luminance(notGranted.background)].sort((x, y) => y - x);
    assert.ok((a + 0.05) / (b + 0.05) >= 3, `contrast ${JSON.stringify({ granted, notGranted })}`);
    assert.notEqual(granted.border, notGranted.border, "and a different outline, for those who see no contrast");
  });

  await t.test("at 390 px the grids keep their first column visible", async () => {
    const narrow = await newPage(browser, server, { width: 390, height: 844 });
    await loginAsAdmin(narrow, "/projects/shop/permissions");
    const firstCellStays = async (scroller, where) => {
      const moved = await scroller.evaluate((el) => {
        el.scrollLeft = el.scrollWidth;
        const cell = el.querySelector("tbody tr > :first-child").getBoundingClientRect();
        return { scrolled: el.scrollLeft, cellLeft: cell.left, boxLeft: el.getBoundingClientRect().left };
      });
      assert.ok(moved.scrolled > 0, `${where} scrolls sideways`);
      assert.ok(Math.abs(moved.cellLeft - moved.boxLeft) < 2, `${where}: first column stays ${JSON.stringify(moved)}`);
    };
    await visible(narrow.getByRole("table", { name: "Permissions on Shop" }));
    await firstCellStays(narrow.locator(".table-scroll").first(), "project permissions");
    await screenshot(narrow, "narrow-project-permissions");
    await narrow.goto(SETTINGS);
    await narrow.getByRole("button", { name: "Edit mapping" }).click();
    const dialog = await visible(narrow.getByRole("dialog", { name: "Global GitLab role mapping" }));
    await visible(dialog.getByRole("checkbox", { name: "Browse for owner" }));
    await firstCellStays(dialog.locator(".table-scroll"), "role mapping");
    await screenshot(narrow, "narrow-role-mapping");
    await narrow.keyboard.press("Escape");
    await gone(dialog);
    assert.deepEqual(narrow.problems, []);
    await narrow.context().close();
  });

  await t.test("the plan preview and explain in Run history are tables with causes", async () => {
    // Something for the next run to do: a user joins an acme subgroup in GitLab.
    await control("members", { source: "group", id: "acme", username: "root", access_level: 30 });
    await page.goto("/runs");
    await page.getByRole("button", { name: "Compute the plan" }).click();
    const plan = await visible(page.getByRole("region", { name: "The plan of the next synchronization" }), 120000);
    const changes = plan.getByRole("table", { name: "Each change of the plan, with its cause in GitLab" });
    await visible(changes);
    const rows = await changes.getByRole("row").allInnerTexts();
    assert.ok(rows.some((r) => /Add to group/.test(r) && /acme/.test(r)), rows.join("\n"));
    assert.equal(await page.locator("pre.json").count(), 0, "no raw JSON");

    const { users } = await api.get("/api/permissions/users?projectKey=shop&ps=100");
    const someone = users.find((u) => u.managed && u.permissions.includes("user"));
    await page.getByLabel("User login").fill(someone.login);
    await page.getByLabel("Project key").fill("shop");
    await page.getByRole("button", { name: "Explain" }).click();
    const why = await visible(page.getByRole("table", { name: `Permissions of ${someone.login} on shop` }));
    const browse = await why.getByRole("row", { name: /Browse/ }).innerText();
    assert.match(browse, /held/);
    assert.doesNotMatch(browse, /—\s*$/, "Browse says why it is held");
    await screenshot(page, "run-history-plan", { fullPage: true });
  });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
