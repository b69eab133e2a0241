// Local login, and "Log in with GitLab" when GitLab authentication is enabled. A failed GitLab
// login comes back here with its message in the provisio_auth_error cookie, shown once.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import * as api from "../api/endpoints";
import type { LoginProvider } from "../api/types";
import { Field, Notice } from "../components/widgets";
import { AUTH_ERROR_COOKIE, expireCookie, readServerCookie } from "../logic/cookies";
import { safeReturnPath } from "../logic/routes";

// Read and cleared once per page load, so a reload does not show an old message again.
function takeAuthError(): string | null {
  const found = readServerCookie(document.cookie, AUTH_ERROR_COOKIE);
  if (found === null) return null;
  document.cookie = expireCookie(found.name);
  return found.value;
}

export function LoginPage({ onLoggedIn }: { onLoggedIn: () => Promise<void> }) {
  const [loginName, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [oauthError] = useState(takeAuthError);
  const [providers, setProviders] = useState<LoginProvider[]>([]);
  const [busy, setBusy] = useState(false);
  const returnTo = safeReturnPath(new URLSearchParams(location.search).get("return_to"));

  useEffect(() => {
    api.loginProviders().then(setProviders, () => setProviders([]));
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(loginName, password);
      await onLoggedIn(); // the shell then goes to return_to
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? "Wrong login or password."
          : (err as Error).message,
      );
      setBusy(false);
    }
  };

  const gitlab = providers.filter((p) => p.enabled);
  return (
    <main class="login-page" id="main">
      <div class="login-card">
        <h1>Log in to Provisio</h1>
        {oauthError && (
          <Notice kind="error">
            <strong>GitLab login failed.</strong> {oauthError}
          </Notice>
        )}
        {gitlab.map((p) => (
          <a
            key={p.key}
            class="button primary provider"
            href={`${p.loginUrl}${p.loginUrl.includes("?") ? "&" : "?"}return_to=${encodeURIComponent(returnTo)}`}
          >
            Log in with {p.name}
          </a>
        ))}
        {gitlab.length > 0 && <p class="separator">or with a local account</p>}
        <form onSubmit={submit}>
          <Field label="Login" value={loginName} onInput={setLogin} autoComplete="username" required />
          <Field
            label="Password"
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            required
          />
          {error && <Notice kind="error">{error}</Notice>}
          <button type="submit" class="button primary" disabled={busy || !loginName || !password}>
            Log in
          </button>
        </form>
      </div>
    </main>
  );
}
