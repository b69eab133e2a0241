// Every server call the pages make, one function each, named after what it does.
import { ApiError, http } from "./client";
import type {
  CurrentUser,
  Explanation,
  GitlabConfiguration,
  Group,
  HeldPlan,
  LoginProvider,
  Membership,
  Page,
  PermissionHolder,
  PlanPreview,
  Project,
  RoleMapping,
  RolePermissions,
  Task,
  User,
  Visibility,
} from "./types";

const CONFIGS = "/api/v2/dop-translation/gitlab-configurations";
const CONFIG = `${CONFIGS}/gitlab-configuration`;
const MAPPINGS = "/api/v2/dop-translation/gitlab-permission-mappings";

// --- sessions
export const login = (loginName: string, password: string) =>
  http.postForm("/api/authentication/login", { login: loginName, password });
export const logout = () => http.postForm("/api/authentication/logout", {});
export const currentUser = () => http.get<CurrentUser>("/api/users/current");

// The login providers; none when the server does not offer the endpoint.
export async function loginProviders(): Promise<LoginProvider[]> {
  try {
    const answer = await http.get<{ providers: LoginProvider[] }>(
      "/api/v2/authentication/providers",
    );
    return answer?.providers ?? [];
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return [];
    throw e;
  }
}

// --- GitLab configuration
export async function gitlabConfiguration(): Promise<GitlabConfiguration | null> {
  const list = await http.get<{ gitlabConfigurations: GitlabConfiguration[] }>(CONFIGS);
  return list.gitlabConfigurations[0] ?? null;
}
export const createGitlabConfiguration = (body: Record<string, unknown>) =>
  http.postJson<GitlabConfiguration>(CONFIGS, body);
export const updateGitlabConfiguration = (patch: Record<string, unknown>) =>
  http.patch<GitlabConfiguration>(CONFIG, patch);
export const deleteGitlabConfiguration = () => http.delete(CONFIG);

export async function roleMappings(): Promise<RoleMapping[]> {
  return (await http.get<{ permissionMappings: RoleMapping[] }>(MAPPINGS)).permissionMappings;
}
export const addRoleMapping = (role: string, permissions: RolePermissions) =>
  http.postJson<RoleMapping>(MAPPINGS, { role, permissions });
export const updateRoleMapping = (role: string, permissions: RolePermissions) =>
  http.patch<RoleMapping>(`${MAPPINGS}/${encodeURIComponent(role)}`, { permissions });
export const deleteRoleMapping = (role: string) =>
  http.delete(`${MAPPINGS}/${encodeURIComponent(role)}`);

export const synchronizeNow = () =>
  http.postJson<{ taskId: string }>("/api/v2/dop-translation/gitlab-synchronization-runs", {});

// --- run history
export interface TaskQuery {
  type?: Task["type"];
  status?: string;
  p?: number;
  ps?: number;
}
export const tasks = (query: TaskQuery = {}) =>
  http.get<{ tasks: Task[]; paging: Page }>("/api/ce/activity", { ...query });
export const heldPlan = (taskId: string, pageIndex = 1, pageSize = 10) =>
  http.get<HeldPlan>(`/api/v2/provisioning/plan/${encodeURIComponent(taskId)}`, { pageIndex, pageSize });
export const confirmHeldPlan = (taskId: string) =>
  http.postJson<{ task: Task }>(`/api/v2/provisioning/plan/${encodeURIComponent(taskId)}/confirm`, {});

// --- users
export interface ListQuery {
  q?: string;
  pageIndex?: number;
  pageSize?: number;
  managed?: boolean;
  active?: boolean;
}
export const users = (query: ListQuery) =>
  http.get<{ users: User[]; page: Page }>("/api/v2/users-management/users", { ...query });
export const createUser = (body: { login: string; name: string; email?: string; password: string }) =>
  http.postJson<User>("/api/v2/users-management/users", body);
export const updateUser = (id: string, patch: { name?: string; email?: string | null }) =>
  http.patch<User>(`/api/v2/users-management/users/${encodeURIComponent(id)}`, patch);
export const deactivateUser = (id: string) =>
  http.delete(`/api/v2/users-management/users/${encodeURIComponent(id)}`);

// --- groups and memberships
export const groups = (query: ListQuery) =>
  http.get<{ groups: Group[]; page: Page }>("/api/v2/authorizations/groups", { ...query });
export const createGroup = (body: { name: string; description?: string }) =>
  http.postJson<Group>("/api/v2/authorizations/groups", body);
export const updateGroup = (id: string, patch: { name?: string; description?: string }) =>
  http.patch<Group>(`/api/v2/authorizations/groups/${encodeURIComponent(id)}`, patch);
export const deleteGroup = (id: string) =>
  http.delete(`/api/v2/authorizations/groups/${encodeURIComponent(id)}`);
export const memberships = (query: { groupId?: string; userId?: string; pageIndex?: number; pageSize?: number }) =>
  http.get<{ groupMemberships: Membership[]; page: Page }>(
    "/api/v2/authorizations/group-memberships",
    query,
  );
export const addMembership = (groupId: string, userId: string) =>
  http.postJson<Membership>("/api/v2/authorizations/group-memberships", { groupId, userId });
export const removeMembership = (id: string) =>
  http.delete(`/api/v2/authorizations/group-memberships/${encodeURIComponent(id)}`);
export const userById = (id: string) =>
  http.get<User>(`/api/v2/users-management/users/${encodeURIComponent(id)}`);

// --- projects and permissions
export const projects = (query: { q?: string; p?: number; ps?: number }) =>
  http.get<{ components: Project[]; paging: Page }>("/api/projects/search", query);
export const createProject = (key: string, name: string, visibility: Visibility) =>
  http.postForm<{ project: Project }>("/api/projects/create", { project: key, name, visibility });
export const deleteProject = (key: string) =>
  http.postForm("/api/projects/delete", { project: key });
export const updateVisibility = (key: string, visibility: Visibility) =>
  http.postForm("/api/projects/update_visibility", { project: key, visibility });
export const bindProject = (key: string, gitlabProjectId: string) =>
  http.postForm("/api/alm_settings/set_gitlab_binding", { project: key, repository: gitlabProjectId });

export const permissionUsers = (projectKey: string, q = "") =>
  http.get<{ users: PermissionHolder[]; paging: Page }>("/api/permissions/users", {
    projectKey,
    q,
    ps: 100,
  });
export const permissionGroups = (projectKey: string, q = "") =>
  http.get<{ groups: PermissionHolder[]; paging: Page }>("/api/permissions/groups", {
    projectKey,
    q,
    ps: 100,
  });
export const grantToUser = (projectKey: string, loginName: string, permission: string) =>
  http.postForm("/api/permissions/add_user", { projectKey, login: loginName, permission });
export const revokeFromUser = (projectKey: string, loginName: string, permission: string) =>
  http.postForm("/api/permissions/remove_user", { projectKey, login: loginName, permission });
export const grantToGroup = (projectKey: string, groupName: string, permission: string) =>
  http.postForm("/api/permissions/add_group", { projectKey, groupName, permission });
export const revokeFromGroup = (projectKey: string, groupName: string, permission: string) =>
  http.postForm("/api/permissions/remove_group", { projectKey, groupName, permission });

// --- Provisio's own views, offered only when the server lists them in its OpenAPI document.
export async function optionalEndpoints(): Promise<{ plan: boolean; explain: boolean }> {
  try {
    const doc = await http.get<{ paths?: Record<string, unknown> }>("/api/v2/openapi.json");
    const paths = doc.paths ?? {};
    return {
      plan: "/api/v2/provisioning/plan" in paths,
      explain: "/api/v2/provisioning/explain" in paths,
    };
  } catch {
    return { plan: false, explain: false };
  }
}
export const planPreview = (pageIndex = 1, pageSize = 20, refresh = false) =>
  http.get<PlanPreview>("/api/v2/provisioning/plan", { pageIndex, pageSize, refresh: refresh || undefined });
export const explain = (loginName: string, projectKey: string) =>
  http.get<Explanation>("/api/v2/provisioning/explain", { login: loginName, projectKey });
