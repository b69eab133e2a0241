// What the managed instance forbids (behaviour.md §5), mirrored so the pages hide or disable an
// action and say why instead of letting it fail. The server decides; these only explain.
// Each function returns the reason an action is not offered, or null when it is.
import type { Group, Project, User } from "../api/types";

const INSTANCE = "Managed by GitLab: ";

// Until the page knows whether the instance is managed, an action is offered by no rule: the
// button stays disabled without a reason, so nobody clicks Delete on a mirrored group before the
// page learns it is one.
export function untilKnown(
  managedInstance: boolean | undefined,
  rule: (managedInstance: boolean) => string | null,
): string | null {
  return managedInstance === undefined ? "" : rule(managedInstance);
}

export function createUserBlocked(managedInstance: boolean): string | null {
  return managedInstance ? `${INSTANCE}users are created by the automatic provisioning.` : null;
}

export function editUserBlocked(managedInstance: boolean, user: User): string | null {
  if (!user.active) return "This user is deactivated.";
  return managedInstance && user.managed ? `${INSTANCE}change this user in GitLab.` : null;
}

export function deactivateUserBlocked(managedInstance: boolean, user: User, self: string | undefined): string | null {
  if (!user.active) return "This user is already deactivated.";
  if (user.login === self) return "You cannot deactivate yourself.";
  return managedInstance && user.managed
    ? `${INSTANCE}only the provisioning deactivates this user.`
    : null;
}

export function createGroupBlocked(managedInstance: boolean): string | null {
  return managedInstance ? `${INSTANCE}groups are created by the automatic provisioning.` : null;
}

export function editGroupBlocked(managedInstance: boolean, group: Group): string | null {
  return managedInstance && group.managed ? `${INSTANCE}change this group in GitLab.` : null;
}

// Local groups keep their description editable on a managed instance, but not their name.
export function renameGroupBlocked(managedInstance: boolean, group: Group): string | null {
  if (group.default) return "The default group cannot be renamed.";
  return managedInstance ? `${INSTANCE}groups cannot be renamed.` : null;
}

export function deleteGroupBlocked(managedInstance: boolean, group: Group): string | null {
  if (group.default) return "The default group cannot be deleted.";
  return managedInstance && group.managed ? `${INSTANCE}only the provisioning deletes this group.` : null;
}

export function addMemberBlocked(managedInstance: boolean, group: Group): string | null {
  if (group.default) return "Every active user is a member of the default group.";
  return managedInstance ? `${INSTANCE}memberships are added by the provisioning.` : null;
}

// A provisioned user may still leave a local group by hand: the sync removes it anyway.
export function removeMemberBlocked(managedInstance: boolean, group: Group, _user: User): string | null {
  if (group.default) return "Nobody can be removed from the default group.";
  if (managedInstance && group.managed) {
    return `${INSTANCE}the members of this group follow GitLab.`;
  }
  return null;
}

// A project is managed while it is bound to a GitLab project and the instance is managed.
export function projectManaged(managedInstance: boolean, project: Project): boolean {
  return managedInstance && project.gitlabProjectId !== null && project.gitlabProjectId !== undefined;
}

export function visibilityBlocked(managedInstance: boolean, project: Project): string | null {
  return projectManaged(managedInstance, project) ? "Managed by GitLab: the visibility follows the GitLab project." : null;
}

// How a row of a project's permissions page may be edited.
export type RowMode = "editable" | "remove-only" | "read-only";

export function permissionRowMode(managedInstance: boolean, project: Project, holderManaged: boolean): RowMode {
  if (!projectManaged(managedInstance, project)) return "editable";
  return holderManaged ? "read-only" : "remove-only";
}

export const ROW_MODE_REASONS: Record<RowMode, string | null> = {
  editable: null,
  "remove-only": "Managed by GitLab: on a bound project, permissions of local users and groups can be removed but not added.",
  "read-only": "Managed by GitLab: permissions of provisioned users follow their GitLab role.",
};
