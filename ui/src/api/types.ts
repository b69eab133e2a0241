// The shapes of the server's answers that the pages use (api.md).

export type ProvisioningType = "JIT" | "AUTO_PROVISIONING";

export interface GitlabConfiguration {
  id: string;
  enabled: boolean;
  applicationId: string;
  url: string;
  synchronizeGroups: boolean;
  allowedGroups: string[];
  allowUsersToSignUp: boolean;
  // "JIT may manage these privileged groups": group names (none by default).
  jitPrivilegedGroups?: string[];
  provisioningType: ProvisioningType;
  isProvisioningTokenSet: boolean;
  errorMessage: string | null;
  // What will stop the configuration working soon (the provisioning token expires within 14 days).
  warnings?: string[];
}

export const PERMISSION_KEYS = [
  "user",
  "codeViewer",
  "issueAdmin",
  "securityHotspotAdmin",
  "admin",
  "scan",
] as const;
export type PermissionKey = (typeof PERMISSION_KEYS)[number];
export type RolePermissions = Record<PermissionKey, boolean>;

export interface RoleMapping {
  id: string;
  role: string;
  baseRole: boolean;
  permissions: RolePermissions;
}

export interface Page {
  pageIndex: number;
  pageSize: number;
  total: number;
}

export interface User {
  id: string;
  login: string;
  name: string;
  email: string | null;
  active: boolean;
  local: boolean;
  managed: boolean;
  externalLogin: string | null;
  externalProvider: string;
  sonarQubeLastConnectionDate: string | null;
}

export interface Group {
  id: string;
  name: string;
  description: string;
  managed: boolean;
  default: boolean;
}

export interface Membership {
  id: string;
  groupId: string;
  userId: string;
}

export type Visibility = "public" | "private";

export interface Project {
  key: string;
  name: string;
  visibility: Visibility;
  managed: boolean;
  gitlabProjectId: string | number | null;
}

export type TaskStatus = "PENDING" | "IN_PROGRESS" | "SUCCESS" | "FAILED" | "CANCELED";

export interface Task {
  id: string;
  type:
    | "GITLAB_AUTH_PROVISIONING"
    | "GITLAB_PROJECT_PERMISSIONS_PROVISIONING"
    | "GITLAB_EVENT_PROVISIONING";
  status: TaskStatus;
  submittedAt: string;
  startedAt: string | null;
  executedAt: string | null;
  executionTimeMs: number | null;
  errorMessage: string | null;
  warnings: string[];
  infoMessages: string[];
  // How far a task in progress has got; null otherwise (and before its first report).
  progress?: TaskProgress | null;
}

export interface TaskProgress {
  phase: string;
  pagesRead: number;
  pagesExpected: number | null; // the last successful sync's count
  etaMs: number | null; // time left, when it can be estimated
}

export interface CurrentUser {
  isLoggedIn: boolean;
  login?: string;
  name?: string;
  local?: boolean;
  permissions: { global: string[] };
}

export interface LoginProvider {
  key: string;
  name: string;
  enabled: boolean;
  loginUrl: string;
}

export interface PermissionHolder {
  login?: string;
  name: string;
  id?: string;
  email?: string | null;
  managed: boolean;
  permissions: string[];
}
