// Cookies the page reads: the CSRF token and the message of a failed GitLab login.

export const AUTH_ERROR_COOKIE = "provisio_auth_error";

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

// The line that deletes a cookie set for the whole site.
export function expireCookie(name: string): string {
  return `${name}=; Path=/; Max-Age=0; SameSite=Lax`;
}
