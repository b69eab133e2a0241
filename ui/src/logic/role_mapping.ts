// The role permission mapping: the order of its rows, the rules for custom roles, and the calls
// that save an edited matrix (behaviour.md §1).
import type { PermissionKey, RoleMapping, RolePermissions } from "../api/types";
import { PERMISSION_KEYS } from "../api/types";

export const BASE_ROLES = ["owner", "maintainer", "developer", "reporter", "planner", "guest"];

export const PERMISSION_LABELS: Record<PermissionKey, string> = {
  user: "Browse",
  codeViewer: "See source code",
  issueAdmin: "Administer issues",
  securityHotspotAdmin: "Administer security hotspots",
  admin: "Administer project",
  scan: "Execute analysis",
};

export function noPermissions(): RolePermissions {
  return { user: false, codeViewer: false, issueAdmin: false, securityHotspotAdmin: false, admin: false, scan: false };
}

// A custom role as "Add" creates it: with Browse, as in SonarQube (a role must give something).
export function newCustomRole(name: string): RoleMapping {
  const role = name.trim();
  return { id: role, role, baseRole: false, permissions: { ...noPermissions(), user: true } };
}

export function hasAnyPermission(p: RolePermissions): boolean {
  return PERMISSION_KEYS.some((k) => p[k]);
}

// Base roles from the highest to the lowest, then custom roles alphabetically.
export function sortMappings(list: readonly RoleMapping[]): RoleMapping[] {
  const rank = (m: RoleMapping) => {
    const i = BASE_ROLES.indexOf(m.role);
    return m.baseRole && i >= 0 ? i : BASE_ROLES.length;
  };
  return [...list].sort((a, b) => rank(a) - rank(b) || (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
}

// Why a new custom role name is refused, or null. Names are compared exactly, except that a
// name equal to a base role ignoring case is refused.
export function newRoleError(name: string, existing: readonly RoleMapping[]): string | null {
  const n = name.trim();
  if (n === "") return "Type the exact name of the custom role in GitLab.";
  if (n.length > 255) return "A role name has at most 255 characters.";
  if (BASE_ROLES.includes(n.toLowerCase())) return `"${n}" is a base role; it is always in the list.`;
  if (existing.some((m) => m.role === n)) return `The role "${n}" is already in the list.`;
  return null;
}

// Custom roles left without any permission: they would give nothing, so they are refused.
export function rolesWithoutPermission(list: readonly RoleMapping[]): string[] {
  return list.filter((m) => !m.baseRole && !hasAnyPermission(m.permissions)).map((m) => m.role);
}

export interface MappingChanges {
  added: RoleMapping[];
  updated: RoleMapping[];
  deleted: string[];
}

// What to send to turn `before` into `after`.
export function mappingChanges(before: readonly RoleMapping[], after: readonly RoleMapping[]): MappingChanges {
  const old = new Map(before.map((m) => [m.role, m]));
  const now = new Map(after.map((m) => [m.role, m]));
  const changes: MappingChanges = { added: [], updated: [], deleted: [] };
  for (const m of after) {
    const was = old.get(m.role);
    if (!was) changes.added.push(m);
    else if (PERMISSION_KEYS.some((k) => was.permissions[k] !== m.permissions[k])) changes.updated.push(m);
  }
  for (const m of before) if (!now.has(m.role)) changes.deleted.push(m.role);
  return changes;
}

export function isDirty(before: readonly RoleMapping[], after: readonly RoleMapping[]): boolean {
  const c = mappingChanges(before, after);
  return c.added.length + c.updated.length + c.deleted.length > 0;
}
