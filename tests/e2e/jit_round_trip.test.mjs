// Issue 19, seen in the web admin: automatic → Just-in-Time → automatic. Every group the first
// synchronization mirrored is managed again after the round trip (adopted, not left local), and
// the run that brought them back says so, with no warning about local groups of the same name.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  adminApi,
  eventually,
  gone,
  launchBrowser,
  loginAsAdmin,
  newPage,
  startGitlabSim,
  startProvisio,
  stopAll,
  syncSucceeded,
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

// Every group of the server, page by page: name → managed.
async function groups() {
  const out = new Map();
  for (let p = 1; ; p++) {
    const { groups: items, page: info } = await api.get(`/api/v2/authorizations/groups?pageSize=100&pageIndex=${p}`);
    for (const g of items) out.set(g.name, g.managed);
    if (p * info.pageSize >= info.total) return out;
  }
}

// The provisioning form's mode, by the words of either label the page may use.
const modeRadio = (mode) =>
  page.getByRole("radio", {
    name: mode === "auto" ? /Automatic user, group,? and permission provisioning/ : /Just-in-time user provisioning|Just-in-Time provisioning/i,
  });

async function switchTo(mode) {
  await modeRadio(mode).check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const confirm = await visible(page.getByRole("dialog", { name: /Switch to/ }));
  await confirm.getByRole("button", { name: /Switch to/ }).click();
  await gone(confirm);
}

test("automatic → Just-in-Time → automatic leaves every mirrored group managed", async (t) => {
  await api.post("/api/v2/dop-translation/gitlab-configurations", {
    enabled: true,
    applicationId: "sim-client-id",
    url: sim,
    secret: "sim-client-secret",
    synchronizeGroups: true,
    provisioningType: "AUTO_PROVISIONING",
    provisioningToken: "sim-admin-token",
    allowedGroups: ["acme", "umbrella"],
  });
  await syncSucceeded(api);
  const mirrored = [...(await groups())].filter(([, managed]) => managed).map(([name]) => name);
  assert.ok(mirrored.length > 10, `the first sync mirrors world S's groups (${mirrored.length})`);

  await loginAsAdmin(page, "/gitlab");
  await t.test("switch to Just-in-Time: the groups stay, local now", async () => {
    await switchTo("jit");
    await eventually("no managed group left", async () => [...(await groups()).values()].every((m) => !m));
  });

  await t.test("back to automatic: the next run adopts them all", async () => {
    const before = (await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING")).tasks.length;
    await switchTo("auto");
    await eventually("the run after the round trip", async () => {
      const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING");
      return tasks.length > before && tasks[0].status === "SUCCESS";
    }, 120000);
    const now = await groups();
    for (const name of mirrored) assert.equal(now.get(name), true, `${name} is managed again`);
    const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING&ps=1");
    assert.equal(tasks[0].warnings.filter((w) => /local group/.test(w)).length, 0, tasks[0].warnings.join("\n"));
    assert.ok(tasks[0].infoMessages.some((m) => m === `${mirrored.length} groups adopted`), tasks[0].infoMessages.join("\n"));
  });

  await t.test("the page shows the adoption in the run's summary, and no warning about names", async () => {
    await page.reload();
    await visible(page.getByText(`${mirrored.length} local groups adopted`), 30000);
    assert.equal(await page.getByText(/a local group has that name/).count(), 0);
  });

  assert.deepEqual(page.problems, [], "no script errors in the page");
});
