// Cookies the page reads: the CSRF token and the message of a failed GitLab login. Over https the
// server gives them the __Host- prefix (a browser then takes them only from this host, over
// https), so each is read under either name.

export const AUTH_ERROR_COOKIE = "provisio_auth_error";
export const HOST_PREFIX = "__Host-";

// The decoded value of a cookie in a `document.cookie` string; null when absent.
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.replace(/\+/g, " "));
    } catch {
      return raw;
    }
  }
  return null;
}

// The value of the server's cookie `name`, prefixed or not, and the name it was found under.
export function readServerCookie(
  cookies: string,
  name: string,
): { name: string; value: string } | null {
  for (const candidate of [HOST_PREFIX + name, name]) {
    const value = readCookie(cookies, candidate);
    if (value !== null) return { name: candidate, value };
  }
  return null;
}

// The line that deletes a cookie set for the whole site (a __Host- one only goes with Secure).
export function expireCookie(name: string): string {
  const secure = name.startsWith(HOST_PREFIX) ? "; Secure" : "";
  return `${name}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
}
