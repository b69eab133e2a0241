import { describe, expect, it } from "vitest";
import type { RoleMapping } from "../api/types";
import { mappingChanges, newCustomRole, newRoleError, noPermissions, rolesWithoutPermission, sortMappings } from "./role_mapping";

const role = (name: string, base: boolean, browse = true): RoleMapping => ({
  id: name,
  role: name,
  baseRole: base,
  permissions: { ...noPermissions(), user: browse },
});

const defaults = ["guest", "planner", "reporter", "developer", "maintainer", "owner"].map((r) => role(r, true));

describe("the role mapping", () => {
  it("lists base roles from owner down, then custom roles alphabetically", () => {
    const list = sortMappings([role("Zeta", false), ...defaults, role("Auditor", false)]);
    expect(list.map((m) => m.role)).toEqual([
      "owner", "maintainer", "developer", "reporter", "planner", "guest", "Auditor", "Zeta",
    ]);
  });

  it("refuses empty names, base role names in any case, and exact duplicates", () => {
    const list = [...defaults, role("Security Auditor", false)];
    expect(newRoleError("", list)).not.toBeNull();
    expect(newRoleError("Developer", list)).toMatch(/base role/);
    expect(newRoleError("Security Auditor", list)).toMatch(/already/);
    expect(newRoleError("security auditor", list)).toBeNull(); // names are exact
  });

  it("starts a new custom role with Browse, as SonarQube does", () => {
    expect(newCustomRole(" Security Auditor ")).toEqual({
      id: "Security Auditor",
      role: "Security Auditor",
      baseRole: false,
      permissions: { user: true, codeViewer: false, issueAdmin: false, securityHotspotAdmin: false, admin: false, scan: false },
    });
  });

  it("refuses custom roles without a permission", () => {
    expect(rolesWithoutPermission([...defaults, role("Empty", false, false), role("guest2", false)])).toEqual(["Empty"]);
    expect(rolesWithoutPermission([role("guest", true, false)])).toEqual([]);
  });

  it("computes what to add, change and delete", () => {
    const before = [...defaults, role("Old", false)];
    const changed = { ...role("developer", true), permissions: { ...noPermissions(), user: true, scan: true } };
    const after = [...defaults.filter((m) => m.role !== "developer"), changed, role("New", false)];
    const c = mappingChanges(before, after);
    expect(c.added.map((m) => m.role)).toEqual(["New"]);
    expect(c.updated.map((m) => m.role)).toEqual(["developer"]);
    expect(c.deleted).toEqual(["Old"]);
  });
});
