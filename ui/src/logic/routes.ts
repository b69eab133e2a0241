// The pages and their paths (history routing: the server answers index.html for any path that
// is not an API or a file). Pure, so the matching is unit-tested.

export type Route =
  | { page: "login" }
  | { page: "settings" }
  | { page: "users" }
  | { page: "groups" }
  | { page: "projects" }
  | { page: "project-permissions"; projectKey: string }
  | { page: "runs" }
  | { page: "not-found" };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  switch (path) {
    // SonarQube's Administration lands on General Settings; "/" and "/gitlab" (older links)
    // show the same page.
    case "/":
    case "/gitlab":
    case "/admin":
    case SETTINGS_PATH:
      return { page: "settings" };
    case "/login":
      return { page: "login" };
    case "/users":
      return { page: "users" };
    case "/groups":
      return { page: "groups" };
    case "/projects":
      return { page: "projects" };
    case "/runs":
      return { page: "runs" };
  }
  const m = /^\/projects\/([^/]+)\/permissions$/.exec(path);
  if (m) {
    try {
      return { page: "project-permissions", projectKey: decodeURIComponent(m[1]!) };
    } catch {
      return { page: "not-found" };
    }
  }
  return { page: "not-found" };
}

export const SETTINGS_PATH = "/admin/settings";

// General Settings with a category and a tab selected, as SonarQube writes it.
export function settingsPath(category: string, tab: string): string {
  return `${SETTINGS_PATH}?category=${encodeURIComponent(category)}&tab=${encodeURIComponent(tab)}`;
}

export function projectPermissionsPath(key: string): string {
  return `/projects/${encodeURIComponent(key)}/permissions`;
}

// Where to go after logging in: only a path on this site, never another origin.
export function safeReturnPath(value: string | null): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (value.startsWith("/login")) return "/";
  return value;
}
