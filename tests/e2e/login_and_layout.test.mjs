// The login page (local login, its errors, the GitLab button and the message of a failed GitLab
// login), then every page at 1280×800 and at 400 px wide: nothing overflows sideways, and the
// page is usable with the keyboard.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ADMIN_PASSWORD,
  adminApi,
  assertNoHorizontalOverflow,
  gone,
  launchBrowser,
  loginAsAdmin,
  newPage,
  screenshot,
  startGitlabSim,
  startProvisio,
  stopAll,
  visible,
} from "./support.mjs";

let sim, server, browser, api;

before(async () => {
  [sim, server] = await Promise.all([startGitlabSim(), startProvisio()]);
  api = adminApi(server);
  await api.post("/api/v2/dop-translation/gitlab-configurations", {
    enabled: true, applicationId: "sim-client-id", url: sim, secret: "sim-client-secret",
  });
  await api.patch("/api/v2/dop-translation/gitlab-configurations/gitlab-configuration", { allowedGroups: ["acme", "umbrella"] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

test("the login page", async (t) => {
  const page = await newPage(browser, server);

  await t.test("a page asked for while logged out leads to the login page, and back after", async () => {
    await page.goto("/runs");
    await visible(page.getByRole("heading", { name: "Log in to Provisio" }));
    assert.match(page.url(), /\/login\?return_to=%2Fruns$/);
    await screenshot(page, "login");
  });

  await t.test("a wrong password is refused with a clear message", async () => {
    await page.getByLabel("Login", { exact: true }).fill("admin");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Log in" }).click();
    await visible(page.getByRole("alert").getByText("Wrong login or password."));
  });

  await t.test("the GitLab button follows the providers endpoint", async () => {
    const providers = await api.raw("/api/v2/authentication/providers");
    const button = page.getByRole("link", { name: "Log in with GitLab" });
    if (providers.status === 404) {
      t.diagnostic("GET /api/v2/authentication/providers is not on this server yet: local login only");
      assert.equal(await button.count(), 0);
      return;
    }
    const list = (await providers.json()).providers.filter((p) => p.enabled);
    await page.reload();
    await visible(page.getByRole("heading", { name: "Log in to Provisio" }));
    // The page asks for the providers after it renders: wait for the button before counting.
    if (list.length > 0) await visible(button.first());
    assert.equal(await button.count(), list.length);
    if (list.length > 0) {
      assert.equal(await button.getAttribute("href"), `${list[0].loginUrl}?return_to=%2Fruns`);
    }
  });

  await t.test("the message of a failed GitLab login is shown once, and its cookie cleared", async () => {
    const context = page.context();
    await context.addCookies([
      { name: "provisio_auth_error", value: encodeURIComponent("You are not a member of an allowed group."), url: server },
    ]);
    await page.goto("/login");
    await visible(page.getByRole("alert").getByText("You are not a member of an allowed group."));
    await screenshot(page, "login-error");
    const left = (await context.cookies()).filter((c) => c.name === "provisio_auth_error");
    assert.deepEqual(left, []);
    await page.reload();
    await visible(page.getByRole("heading", { name: "Log in to Provisio" }));
    assert.equal(await page.getByText("You are not a member of an allowed group.").count(), 0);
  });

  await t.test("Log in with GitLab, through GitLab and back, in the browser", async () => {
    const control = (path, body) =>
      fetch(`${sim}/__control/${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...body, hooks: [] }),
      });
    const gitlabPage = await newPage(browser, server);
    // root is in no group: the allowlist (acme, umbrella) refuses them, on the login page.
    await control("oauth/user", { username: "root" });
    await gitlabPage.goto("/login");
    await gitlabPage.getByRole("link", { name: "Log in with GitLab" }).click();
    await visible(gitlabPage.getByRole("alert").getByText(/not a member of any GitLab group allowed/));
    assert.match(new URL(gitlabPage.url()).pathname, /^\/login/);

    // provisioner is in acme: created at this first login and signed in.
    await control("oauth/user", { username: "provisioner" });
    await gitlabPage.getByRole("link", { name: "Log in with GitLab" }).click();
    await gitlabPage.waitForURL((url) => !url.pathname.startsWith("/login") && url.origin === server);
    const me = await gitlabPage.evaluate(() => fetch("/api/users/current").then((r) => r.json()));
    assert.equal(me.isLoggedIn, true);
    assert.equal(me.externalIdentity, "provisioner");
    assert.equal(me.externalProvider, "gitlab");
    await gitlabPage.context().close();
  });

  await t.test("logging in goes to the page asked for; logging out comes back here", async () => {
    await page.goto("/login?return_to=%2Fruns");
    await page.getByLabel("Login", { exact: true }).fill("admin");
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.keyboard.press("Enter");
    await visible(page.getByRole("heading", { name: "Run history", level: 1 }));
    assert.match(page.url(), /\/runs$/);
    await page.getByRole("button", { name: "Log out" }).click();
    await visible(page.getByRole("heading", { name: "Log in to Provisio" }));
  });
  assert.deepEqual(page.problems, []);
});

const PAGES = [
  ["/admin/settings?category=authentication&tab=gitlab", "General Settings", "gitlab"],
  ["/users", "Users", "users"],
  ["/groups", "Groups", "groups"],
  ["/projects", "Projects", "projects"],
  ["/runs", "Run history", "runs"],
];

for (const viewport of [{ width: 1280, height: 800 }, { width: 400, height: 800 }]) {
  test(`every page fits a ${viewport.width}×${viewport.height} window`, async () => {
    const page = await newPage(browser, server, viewport);
    await loginAsAdmin(page, "/login");
    await assertNoHorizontalOverflow(page, "/login");
    for (const [path, heading, name] of PAGES) {
      await page.goto(path);
      await visible(page.getByRole("heading", { name: heading, level: 1 }));
      await page.waitForLoadState("networkidle");
      await assertNoHorizontalOverflow(page, `${path} at ${viewport.width}`);
      if (viewport.width < 500) await screenshot(page, `narrow-${name}`, { fullPage: true });
    }
    // The widest dialog stays inside the window.
    await page.goto("/admin/settings");
    await page.getByRole("radio", { name: "Automatic user, group, and permission provisioning" }).check();
    await page.getByRole("button", { name: "Edit mapping" }).click();
    const dialog = await visible(page.getByRole("dialog", { name: "Global GitLab role mapping" }));
    const box = await dialog.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, `dialog ${JSON.stringify(box)} fits`);
    await assertNoHorizontalOverflow(page, "role mapping dialog");
    await page.keyboard.press("Escape");
    await gone(dialog);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test("the keyboard: skip link, navigation, the Configuration menu, tabs, dialogs", async () => {
  const page = await newPage(browser, server);
  await loginAsAdmin(page, "/admin/settings");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  // Tab through to the Users link and follow it with Enter.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.textContent)) === "Users") break;
  }
  await page.keyboard.press("Enter");
  await visible(page.getByRole("heading", { name: "Users", level: 1 }));
  // Administration, then the Configuration menu from the keyboard: Enter opens it on its first
  // item, Escape closes it and gives the focus back; Enter on General Settings follows it.
  await page.getByRole("link", { name: "Administration", exact: true }).focus();
  await page.keyboard.press("Enter");
  const configuration = page.getByRole("button", { name: "Configuration", exact: true });
  await configuration.focus();
  await page.keyboard.press("Enter");
  const item = page.getByRole("menuitem", { name: "General Settings" });
  await visible(item);
  assert.ok(await item.evaluate((el) => el === document.activeElement), "the menu opens on its first item");
  await page.keyboard.press("Escape");
  await gone(item);
  assert.ok(await configuration.evaluate((el) => el === document.activeElement), "Escape gives the focus back");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await visible(page.getByRole("heading", { name: "General Settings", level: 1 }));
  assert.equal(await page.getByRole("tab", { name: "GitLab" }).getAttribute("aria-selected"), "true");
  // A dialog opened from the keyboard takes the focus, keeps it inside, and Escape closes it.
  const edit = page.getByRole("button", { name: "Edit", exact: true });
  await edit.focus();
  await page.keyboard.press("Enter");
  const dialog = await visible(page.getByRole("dialog", { name: "Edit GitLab Configuration" }));
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    const inside = await dialog.evaluate((d) => d.contains(document.activeElement) || document.activeElement === document.body);
    assert.ok(inside, "focus stays in the dialog");
  }
  await page.keyboard.press("Escape");
  await gone(dialog);
  assert.ok(await edit.evaluate((el) => el === document.activeElement));
  await page.context().close();
});
