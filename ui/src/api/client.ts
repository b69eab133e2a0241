// The one place that talks HTTP to the server. Sessions are cookies; state-changing calls echo
// the CSRF cookie in X-XSRF-TOKEN (api.md). Errors come back as ApiError with the server's own
// message, whichever shape (v1 `errors[].msg`, v2 `message`) it used.
import { readServerCookie } from "../logic/cookies";

export const CSRF_COOKIE = "XSRF-TOKEN";
const CSRF_HEADER = "X-XSRF-TOKEN";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    // The setting a refusal is about, when the server names one ("provisioningToken",
    // "allowedGroups"), and for a group its slug.
    readonly field: string | null = null,
    readonly allowedGroup: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function textField(body: unknown, key: string): string | null {
  if (!body || typeof body !== "object") return null;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === "string" && value ? value : null;
}

// Called on any 401, so the app can go back to the login page.
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export function errorMessage(body: unknown, status: number): string {
  if (body && typeof body === "object") {
    const b = body as { errors?: { msg?: unknown }[]; message?: unknown };
    const first = b.errors?.[0]?.msg;
    if (typeof first === "string" && first) return first;
    if (typeof b.message === "string" && b.message) return b.message;
  }
  return `The server answered ${status}.`;
}

type Body =
  | { kind: "form"; fields: Record<string, string> }
  | { kind: "json"; value: unknown }
  | { kind: "merge-patch"; value: unknown };

async function call<T>(method: string, path: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let payload: string | undefined;
  if (body?.kind === "form") {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    payload = new URLSearchParams(body.fields).toString();
  } else if (body) {
    headers["Content-Type"] =
      body.kind === "merge-patch" ? "application/merge-patch+json" : "application/json";
    payload = JSON.stringify(body.value);
  }
  if (method !== "GET") {
    const token = readServerCookie(document.cookie, CSRF_COOKIE)?.value;
    if (token) headers[CSRF_HEADER] = token;
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "The server cannot be reached.");
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && path !== "/api/authentication/login") onUnauthenticated();
    throw new ApiError(
      response.status,
      errorMessage(parsed, response.status),
      textField(parsed, "field"),
      textField(parsed, "allowedGroup"),
    );
  }
  return parsed as T;
}

export const http = {
  get: <T>(path: string, query?: Record<string, string | number | boolean | undefined>) =>
    call<T>("GET", withQuery(path, query)),
  postForm: <T = void>(path: string, fields: Record<string, string>) =>
    call<T>("POST", path, { kind: "form", fields }),
  postJson: <T>(path: string, value: unknown) => call<T>("POST", path, { kind: "json", value }),
  patch: <T>(path: string, value: unknown) => call<T>("PATCH", path, { kind: "merge-patch", value }),
  delete: (path: string) => call<void>("DELETE", path),
};

export function withQuery(
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
