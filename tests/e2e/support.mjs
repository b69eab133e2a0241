// What every browser test needs: the simulator and the server on loopback ports, each with its
// own temporary files; Debian's Chromium driven by playwright-core; and small waiting helpers
// (playwright-core has no `expect`). Everything started here is stopped by stopAll().
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

// playwright-core is a dev dependency of the UI; this folder has no package of its own.
const require = createRequire(new URL("../../ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through ctest (make test)`);
  return value;
};
export const PROVISIO = () => env("PROVISIO_BINARY");
export const GITLAB_SIM = () => env("GITLAB_SIM_BINARY");
export const UI_DIR = () => env("PROVISIO_UI_DIR");
export const CHROMIUM = process.env.PROVISIO_CHROMIUM ?? "/usr/bin/chromium";
export const ADMIN_PASSWORD = "e2e-Admin-password-1";

const children = [];
const dirs = [];

function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `provisio-e2e-${prefix}-`));
  dirs.push(dir);
  return dir;
}

// Starts a program and resolves with the first stdout line matching `ready` (its match).
function start(command, args, { ready, env: extraEnv = {}, timeoutMs = 60000 }) {
  const child = spawn(command, args, {
    env: { ...process.env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start in time:\n${stderr}`)), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready:\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, stderr: () => stderr });
      }
    });
  });
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")}: ${code}\n${err}`))));
  });
}

// gitlab-sim serving the reference world S; its base URL.
export async function startGitlabSim() {
  const dir = tempDir("sim");
  const world = join(dir, "s.json");
  await run(GITLAB_SIM(), ["generate", "--preset", "S", "--output", world]);
  const { match } = await start(GITLAB_SIM(), ["serve", "--world", world, "--port", "0"], {
    ready: /gitlab-sim listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  return match[1];
}

// `provisio serve` on a free loopback port with a fresh data directory; its base URL.
export async function startProvisio() {
  const dir = tempDir("provisio");
  if (!existsSync(join(UI_DIR(), "index.html"))) {
    throw new Error(`${UI_DIR()} has no index.html: build the UI first (make build-dev)`);
  }
  const { match } = await start(
    PROVISIO(),
    ["serve", "--bind", "127.0.0.1", "--port", "0", "--data-dir", join(dir, "data"), "--ui-dir", UI_DIR()],
    { ready: /Provisio is listening on http:\/\/127\.0\.0\.1:(\d+)/, env: { PROVISIO_ADMIN_PASSWORD: ADMIN_PASSWORD } },
  );
  return `http://127.0.0.1:${match[1]}`;
}

// Headless Chromium with the flags this machine needs (no sandbox as root; no background
// traffic, which the closed network refuses). Playwright gives it a fresh profile directory.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

// A page whose console errors and failed page loads fail the test that reads them.
export async function newPage(browser, baseURL, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => {
    // A failed API call the page handles shows up as a console error; those are expected in
    // refusal tests and checked through the page itself.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) page.problems.push(m.text());
  });
  page.on("pageerror", (e) => page.problems.push(String(e)));
  return page;
}

export async function stopAll() {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
          child.on("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

// Whatever happens, no child outlives the test process.
process.on("exit", () => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")));

// Resolves when `check` returns a truthy value; fails with `what` after timeoutMs.
export async function eventually(what, check, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

export async function visible(locator, timeout = 15000) {
  await locator.waitFor({ state: "visible", timeout });
  return locator;
}

export async function gone(locator, timeout = 15000) {
  await locator.waitFor({ state: "hidden", timeout });
}

// Logs in through the login page as the built-in administrator.
export async function loginAsAdmin(page, path = "/") {
  await page.goto(path);
  await page.getByLabel("Login", { exact: true }).fill("admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await visible(page.getByRole("navigation", { name: "Administration" }));
}

// Screenshots go to PROVISIO_E2E_SCREENSHOTS (make screenshots: docs/screenshots), else to the
// build tree.
// The window only, unless fullPage (long lists would make large files).
export async function screenshot(page, name, { fullPage = false } = {}) {
  const dir = process.env.PROVISIO_E2E_SCREENSHOTS ?? join(process.env.PROVISIO_E2E_OUT ?? tmpdir(), "screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage });
}

// The main content is no wider than the window: nothing to scroll sideways.
export async function assertNoHorizontalOverflow(page, where) {
  const sizes = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
    main: document.querySelector("main")?.scrollWidth ?? 0,
    mainBox: document.querySelector("main")?.clientWidth ?? 0,
  }));
  if (sizes.page > sizes.window || sizes.main > sizes.mainBox) {
    throw new Error(`${where}: content overflows sideways ${JSON.stringify(sizes)}`);
  }
}

// The server's API as the administrator (HTTP Basic: no session, so no CSRF token needed).
export function adminApi(baseURL) {
  const auth = "Basic " + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64");
  const call = async (method, path, body, type = "application/json") => {
    const headers = { Authorization: auth };
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = type;
      payload = type.includes("json") ? JSON.stringify(body) : new URLSearchParams(body).toString();
    }
    const r = await fetch(baseURL + path, { method, headers, body: payload });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
    form: (path, body) => call("POST", path, body, "application/x-www-form-urlencoded"),
    patch: (path, body) => call("PATCH", path, body, "application/merge-patch+json"),
    raw: (path) => fetch(baseURL + path),
  };
}

// Waits until the latest full synchronization succeeded; returns it.
export async function syncSucceeded(api) {
  const t = await eventually("a finished synchronization", async () => {
    const { tasks } = await api.get("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING&ps=1");
    return ["SUCCESS", "FAILED", "CANCELED"].includes(tasks[0]?.status) ? tasks[0] : null;
  }, 120000);
  if (t.status !== "SUCCESS") throw new Error(`the synchronization failed: ${t.errorMessage}`);
  return t;
}

// Records every text the element matching `selector` shows from now on, however briefly (a
// state may last less than one of Playwright's polls). Read it back with seenTexts().
export async function recordTexts(page, selector) {
  await page.evaluate((sel) => {
    window.__seen = [];
    const note = () => {
      const el = document.querySelector(sel);
      const text = el?.textContent ?? "";
      if (text && window.__seen[window.__seen.length - 1] !== text) window.__seen.push(text);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, selector);
}

export const seenTexts = (page) => page.evaluate(() => window.__seen);
