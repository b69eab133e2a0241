// The shapes of the server's answers that the pages use (api.md).

export type ProvisioningType = "JIT" | "AUTO_PROVISIONING";
export type ProvisioningField = "provisioningToken" | "allowedGroups";

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
  // The setting the error is about ("provisioningToken", "allowedGroups"), and for a group its
  // slug: the page shows the error there too. Absent on older servers.
  errorField?: ProvisioningField | null;
  errorAllowedGroup?: string | null;
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
  // The guard held the run's plan back (status FAILED): it can be reviewed and applied.
  held?: boolean;
  // What the run changed (or, held back, would change); null until it has ended.
  counts?: SyncCounts | null;
  // How much a full synchronization covered, changed or not; null when not recorded.
  totals?: SyncTotals | null;
}

export interface SyncCounts {
  usersCreated: number;
  usersUpdated: number;
  usersReactivated: number;
  usersDeactivated: number;
  groupsCreated: number;
  groupsAdopted?: number; // servers that adopt same-named local groups
  groupsRenamed: number;
  groupsDeleted: number;
  membershipsAdded: number;
  membershipsRemoved: number;
  projectsSynced: number;
  permissionsGranted: number;
  permissionsRevoked: number;
  visibilitiesChanged: number;
  gitlabRequests: number;
  durationMs: number;
}

export interface SyncTotals {
  users: number;
  groups: number;
  projects: number;
}

// One change of a plan, with the GitLab fact that causes it.
export interface PlanChange {
  action: string;
  entityType: string;
  entity: string;
  before: string | null;
  after: string | null;
  cause: string | null;
}

// A plan the guard held back (GET /api/v2/provisioning/plan/{taskId}).
export interface HeldPlan {
  taskId: string;
  held: string | null;
  counts: SyncCounts;
  totals: SyncTotals | null;
  warnings: string[];
  changes: PlanChange[];
  page: Page;
}

// The dry run (GET /api/v2/provisioning/plan): 202 COMPUTING, then READY or FAILED.
export interface PlanPreview {
  status: "COMPUTING" | "READY" | "FAILED";
  computedAt?: string;
  computingSince?: string | null;
  message?: string;
  held?: string | null;
  counts?: SyncCounts;
  totals?: SyncTotals | null;
  warnings?: string[];
  changes?: PlanChange[];
  page?: Page;
}

export interface Explanation {
  login: string;
  projectKey: string | null;
  group: string | null;
  gitlab: {
    userId: number;
    username: string | null;
    path: string | null;
    level: string | null;
    role: string | null;
    roleNote: string | null;
    paths: string[];
  } | null;
  reasons: string[];
  permissions?: { permission: string; held: boolean; fromGitlab: boolean; why: string[] }[];
  member?: boolean;
  memberFromGitlab?: boolean;
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
