// Who is logged in, shared by the pages (a tiny store rather than a context: one value).
import type { CurrentUser } from "./api/types";

export interface Session {
  user: CurrentUser;
  admin: boolean;
}

export function sessionOf(user: CurrentUser): Session {
  return { user, admin: user.permissions.global.includes("admin") };
}
