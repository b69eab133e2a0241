// The shell: finds out who is logged in, shows the login page or the admin pages with their
// navigation, and sends the browser back to the login page when the session ends.
import { useCallback, useEffect, useState } from "preact/hooks";
import { setUnauthenticatedHandler } from "./api/client";
import * as api from "./api/endpoints";
import { Link, navigate, useLocation } from "./components/router";
import { Notice } from "./components/widgets";
import { matchRoute, type Route, SETTINGS_PATH, safeReturnPath } from "./logic/routes";
import { GeneralSettingsPage } from "./pages/admin/GeneralSettingsPage";
import { GroupsPage } from "./pages/GroupsPage";
import { LoginPage } from "./pages/LoginPage";
import { ProjectPermissionsPage } from "./pages/ProjectPermissionsPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { RunsPage } from "./pages/RunsPage";
import { UsersPage } from "./pages/UsersPage";
import { type Session, sessionOf } from "./session";

const NAV: { href: string; label: string; pages: Route["page"][] }[] = [
  { href: SETTINGS_PATH, label: "Administration", pages: ["settings"] },
  { href: "/users", label: "Users", pages: ["users"] },
  { href: "/groups", label: "Groups", pages: ["groups"] },
  { href: "/projects", label: "Projects", pages: ["projects", "project-permissions"] },
  { href: "/runs", label: "Run history", pages: ["runs"] },
];

export function App() {
  const path = useLocation();
  const route = matchRoute(path);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const user = await api.currentUser();
      setSession(user.isLoggedIn ? sessionOf(user) : null);
    } catch (e) {
      setLoadError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => setSession(null));
    void refresh();
  }, [refresh]);

  // Logged out (or never in): the login page, which comes back here afterwards.
  useEffect(() => {
    if (session === null && route.page !== "login") {
      navigate(`/login?return_to=${encodeURIComponent(path + location.search)}`, true);
    }
    if (session && route.page === "login") {
      navigate(safeReturnPath(new URLSearchParams(location.search).get("return_to")), true);
    }
  }, [session, route.page, path]);

  if (loadError) return <Notice kind="error">The server cannot be reached: {loadError}</Notice>;
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null || route.page === "login") {
    return <LoginPage onLoggedIn={refresh} />;
  }

  const logout = async () => {
    try {
      await api.logout();
    } finally {
      setSession(null);
    }
  };

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">Provisio</span>
        <nav aria-label="Administration" class="nav">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} current={n.pages.includes(route.page)}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="who">{session.user.name ?? session.user.login}</span>
          <button type="button" class="button link" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" class="content" tabIndex={-1}>
        {session.admin ? <Page route={route} session={session} /> : <NotAdmin />}
      </main>
    </div>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case "settings": {
      const query = new URLSearchParams(location.search);
      return <GeneralSettingsPage category={query.get("category")} tab={query.get("tab")} />;
    }
    case "users":
      return <UsersPage session={session} />;
    case "groups":
      return <GroupsPage />;
    case "projects":
      return <ProjectsPage />;
    case "project-permissions":
      return <ProjectPermissionsPage projectKey={route.projectKey} />;
    case "runs":
      return <RunsPage />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            There is no page here. <Link href={SETTINGS_PATH}>Go to Administration</Link>.
          </p>
        </>
      );
  }
}

function NotAdmin() {
  return (
    <>
      <h1>Administrators only</h1>
      <p>These pages need the global "Administer System" permission, which your account does not have.</p>
    </>
  );
}
