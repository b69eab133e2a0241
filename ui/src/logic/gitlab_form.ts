// The rules of the GitLab authentication page's two forms, as pure functions: the configuration
// dialog (application, URL, secret) and the provisioning form (mode, token, allowed groups).
// A form's Save is enabled only when it changes something and breaks no rule.
import type { GitlabConfiguration, ProvisioningType } from "../api/types";
import { boxProblems, groupsFromBoxes, sameGroups } from "./allowed_groups";

export const DEFAULT_GITLAB_URL = "https://gitlab.com";

// ---- the configuration dialog

export interface ConfigForm {
  applicationId: string;
  url: string;
  secret: string; // "" = keep the stored one (editing only)
  synchronizeGroups: boolean;
}

export type ConfigErrors = Partial<Record<keyof ConfigForm, string>>;

export function emptyConfigForm(): ConfigForm {
  return { applicationId: "", url: DEFAULT_GITLAB_URL, secret: "", synchronizeGroups: false };
}

export function configFormOf(c: GitlabConfiguration): ConfigForm {
  return { applicationId: c.applicationId, url: c.url, secret: "", synchronizeGroups: c.synchronizeGroups };
}

// The server drops a trailing slash; compare URLs the same way.
export function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

// True when the URL changed, which needs the secret again (a secret must not follow a
// configuration to another server).
export function urlChanged(form: ConfigForm, existing: GitlabConfiguration | null): boolean {
  return existing !== null && normalizeUrl(form.url) !== normalizeUrl(existing.url);
}

export function secretRequired(form: ConfigForm, existing: GitlabConfiguration | null): boolean {
  return existing === null || urlChanged(form, existing);
}

export function validateConfigForm(form: ConfigForm, existing: GitlabConfiguration | null): ConfigErrors {
  const errors: ConfigErrors = {};
  if (form.applicationId.trim() === "") errors.applicationId = "The application ID is required.";
  const url = form.url.trim();
  if (url === "") {
    errors.url = "The GitLab URL is required.";
  } else if (!/^https?:\/\/[^\s/]+/i.test(url)) {
    errors.url = "Give the address of GitLab, starting with https:// (or http://).";
  }
  if (secretRequired(form, existing) && form.secret === "") {
    errors.secret = existing
      ? "The URL changed: type the secret again."
      : "The secret is required.";
  }
  return errors;
}

// The body of the create call, or the merge-patch of an edit (only what changed).
export function configPayload(form: ConfigForm, existing: GitlabConfiguration | null): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const applicationId = form.applicationId.trim();
  const url = normalizeUrl(form.url);
  if (!existing || applicationId !== existing.applicationId) body.applicationId = applicationId;
  if (!existing || url !== normalizeUrl(existing.url)) body.url = url;
  if (!existing || form.synchronizeGroups !== existing.synchronizeGroups) body.synchronizeGroups = form.synchronizeGroups;
  if (form.secret !== "") body.secret = form.secret;
  return body;
}

export function configFormValid(form: ConfigForm, existing: GitlabConfiguration | null): boolean {
  return (
    Object.keys(validateConfigForm(form, existing)).length === 0 &&
    (existing === null || Object.keys(configPayload(form, existing)).length > 0)
  );
}

// ---- the provisioning form

export interface ProvisioningForm {
  type: ProvisioningType;
  allowUsersToSignUp: boolean;
  groupBoxes: string[]; // the text boxes, with the empty one at the end
  token: string; // a new token; "" = keep the stored one
  editingToken: boolean; // the token field is open (always, while no token is stored)
}

// The form for a configuration. After a save, `previous` (the form saved) keeps the order the
// groups were typed in when the server holds the same groups (it keeps them as a sorted set).
export function provisioningFormOf(c: GitlabConfiguration, previous?: ProvisioningForm): ProvisioningForm {
  const typed = previous ? groupsFromBoxes(previous.groupBoxes) : [];
  const groups = previous && sameGroups(typed, c.allowedGroups) ? typed : c.allowedGroups;
  return {
    type: c.provisioningType,
    allowUsersToSignUp: c.allowUsersToSignUp,
    groupBoxes: [...groups, ""],
    token: "",
    editingToken: !c.isProvisioningTokenSet,
  };
}

export interface ProvisioningErrors {
  groups?: string;
  token?: string;
  mode?: string;
}

export function validateProvisioning(form: ProvisioningForm, c: GitlabConfiguration): ProvisioningErrors {
  const errors: ProvisioningErrors = {};
  const bad = [...boxProblems(form.groupBoxes).values()].find((p) => p.blocking);
  if (bad) errors.groups = bad.text;
  if (form.type === "AUTO_PROVISIONING") {
    if (!c.enabled) errors.mode = "Enable GitLab authentication before choosing automatic provisioning.";
    if (!c.isProvisioningTokenSet && form.token.trim() === "") {
      errors.token = "Automatic provisioning needs a provisioning token (scope read_api).";
    } else if (c.isProvisioningTokenSet && form.editingToken && form.token.trim() === "") {
      errors.token = "Type the new token, or cancel the update.";
    }
    if (!errors.groups && groupsFromBoxes(form.groupBoxes).length === 0) {
      errors.groups = "Automatic provisioning needs at least one allowed group.";
    }
  }
  return errors;
}

// The merge-patch that saves the form: only what changed.
export function provisioningPatch(form: ProvisioningForm, c: GitlabConfiguration): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (form.type !== c.provisioningType) patch.provisioningType = form.type;
  const groups = groupsFromBoxes(form.groupBoxes);
  if (!sameGroups(groups, c.allowedGroups)) patch.allowedGroups = groups;
  if (form.type === "JIT" && form.allowUsersToSignUp !== c.allowUsersToSignUp) {
    patch.allowUsersToSignUp = form.allowUsersToSignUp;
  }
  if (form.type === "AUTO_PROVISIONING" && form.token.trim() !== "") {
    patch.provisioningToken = form.token.trim();
  }
  return patch;
}

export function provisioningSavable(form: ProvisioningForm, c: GitlabConfiguration): boolean {
  return (
    Object.keys(validateProvisioning(form, c)).length === 0 &&
    Object.keys(provisioningPatch(form, c)).length > 0
  );
}

// What saving will do that an administrator must confirm first, most serious first.
export type Confirmation = "to-auto" | "to-jit" | "anyone-in";

export function confirmationsFor(form: ProvisioningForm, c: GitlabConfiguration): Confirmation[] {
  const out: Confirmation[] = [];
  if (form.type === "AUTO_PROVISIONING" && c.provisioningType === "JIT") out.push("to-auto");
  if (form.type === "JIT" && c.provisioningType === "AUTO_PROVISIONING") out.push("to-jit");
  if (letsAnyoneIn(form)) out.push("anyone-in");
  return out;
}

// Just-in-Time with sign-up on and no allowed group: anybody with an account on that GitLab
// can log in and gets an account here.
export function letsAnyoneIn(form: ProvisioningForm): boolean {
  return form.type === "JIT" && form.allowUsersToSignUp && groupsFromBoxes(form.groupBoxes).length === 0;
}

// Just-in-Time group sync with no allowlist: a login joins every group here named like one of the
// user's GitLab groups, and anyone can make a GitLab root group with any name (behaviour.md §2).
export function jitGroupSyncUnbounded(c: GitlabConfiguration): boolean {
  return c.enabled && c.provisioningType === "JIT" && c.synchronizeGroups && c.allowedGroups.length === 0;
}
