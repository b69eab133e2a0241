import { describe, expect, it } from "vitest";
import type { GitlabConfiguration } from "../api/types";
import {
  configFormOf,
  configFormValid,
  configPayload,
  confirmationsFor,
  emptyConfigForm,
  jitGroupSyncUnbounded,
  provisioningFormOf,
  provisioningPatch,
  provisioningSavable,
  validateConfigForm,
  validateProvisioning,
} from "./gitlab_form";

const config = (over: Partial<GitlabConfiguration> = {}): GitlabConfiguration => ({
  id: "gitlab-configuration",
  enabled: true,
  applicationId: "app",
  url: "https://gitlab.example.com",
  synchronizeGroups: false,
  allowedGroups: [],
  allowUsersToSignUp: true,
  provisioningType: "JIT",
  isProvisioningTokenSet: false,
  errorMessage: null,
  ...over,
});

describe("the configuration dialog", () => {
  it("starts with gitlab.com and needs an application ID and a secret", () => {
    const form = emptyConfigForm();
    expect(form.url).toBe("https://gitlab.com");
    const errors = validateConfigForm(form, null);
    expect(Object.keys(errors).sort()).toEqual(["applicationId", "secret"]);
    expect(configFormValid(form, null)).toBe(false);
    expect(configFormValid({ ...form, applicationId: "a", secret: "s" }, null)).toBe(true);
  });

  it("refuses a URL that is not http(s)", () => {
    const form = { ...emptyConfigForm(), applicationId: "a", secret: "s", url: "gitlab.com" };
    expect(validateConfigForm(form, null).url).toMatch(/https/);
    expect(validateConfigForm({ ...form, url: "" }, null).url).toMatch(/required/);
  });

  it("asks for the secret again when the URL changes, not otherwise", () => {
    const c = config();
    const same = { ...configFormOf(c), applicationId: "other" };
    expect(validateConfigForm(same, c)).toEqual({});
    expect(configPayload(same, c)).toEqual({ applicationId: "other" });
    const moved = { ...configFormOf(c), url: "https://gitlab.other.org" };
    expect(validateConfigForm(moved, c).secret).toMatch(/again/);
    expect(configFormValid(moved, c)).toBe(false);
    expect(configPayload({ ...moved, secret: "x" }, c)).toEqual({ url: "https://gitlab.other.org", secret: "x" });
  });

  it("treats a trailing slash as the same URL", () => {
    const c = config();
    const form = { ...configFormOf(c), url: "https://gitlab.example.com/" };
    expect(validateConfigForm(form, c)).toEqual({});
    expect(configPayload(form, c)).toEqual({});
    expect(configFormValid(form, c)).toBe(false); // nothing to save
  });

  it("sends every field when creating", () => {
    const form = { applicationId: " a ", url: "https://g.example/", secret: "s", synchronizeGroups: true };
    expect(configPayload(form, null)).toEqual({
      applicationId: "a",
      url: "https://g.example",
      synchronizeGroups: true,
      secret: "s",
    });
  });
});

describe("the provisioning form", () => {
  it("needs a token and an allowed group for automatic provisioning", () => {
    const c = config();
    const form = { ...provisioningFormOf(c), type: "AUTO_PROVISIONING" as const };
    const errors = validateProvisioning(form, c);
    expect(errors.token).toBeDefined();
    expect(errors.groups).toMatch(/at least one/);
    expect(provisioningSavable(form, c)).toBe(false);
    const filled = { ...form, token: "t", groupBoxes: ["acme", "umbrella", ""] };
    expect(validateProvisioning(filled, c)).toEqual({});
    expect(provisioningSavable(filled, c)).toBe(true);
    expect(provisioningPatch(filled, c)).toEqual({
      provisioningType: "AUTO_PROVISIONING",
      allowedGroups: ["acme", "umbrella"],
      provisioningToken: "t",
    });
  });

  it("refuses automatic provisioning while GitLab authentication is disabled", () => {
    const c = config({ enabled: false, isProvisioningTokenSet: true, allowedGroups: ["acme"] });
    const form = { ...provisioningFormOf(c), type: "AUTO_PROVISIONING" as const };
    expect(validateProvisioning(form, c).mode).toMatch(/Enable/);
  });

  it("keeps a stored token unless an update is typed", () => {
    const c = config({ provisioningType: "AUTO_PROVISIONING", isProvisioningTokenSet: true, allowedGroups: ["acme"] });
    const form = provisioningFormOf(c);
    expect(form.editingToken).toBe(false);
    expect(validateProvisioning(form, c)).toEqual({});
    expect(provisioningSavable(form, c)).toBe(false); // unchanged
    const updating = { ...form, editingToken: true };
    expect(validateProvisioning(updating, c).token).toMatch(/new token/);
    expect(provisioningPatch({ ...updating, token: "new" }, c)).toEqual({ provisioningToken: "new" });
  });

  it("refuses a path where a root group slug is expected", () => {
    const c = config();
    const form = { ...provisioningFormOf(c), groupBoxes: ["acme/sub", ""] };
    expect(validateProvisioning(form, c).groups).toMatch(/root group/);
  });

  it("saves sign-up only in Just-in-Time mode, and allowed groups in the order typed without repeats", () => {
    const c = config();
    const form = { ...provisioningFormOf(c), allowUsersToSignUp: false, groupBoxes: ["b", " a", "b", ""] };
    expect(provisioningPatch(form, c)).toEqual({ allowUsersToSignUp: false, allowedGroups: ["b", "a"] });
  });

  it("keeps the order typed once the server holds those groups (sorted)", () => {
    const typed = { ...provisioningFormOf(config()), groupBoxes: ["umbrella", "acme", ""] };
    const saved = config({ allowedGroups: ["acme", "umbrella"] });
    expect(provisioningFormOf(saved, typed).groupBoxes).toEqual(["umbrella", "acme", ""]);
    expect(provisioningPatch(provisioningFormOf(saved, typed), saved)).toEqual({});
    // Other groups on the server (changed elsewhere): the server's.
    const other = config({ allowedGroups: ["acme", "zeta"] });
    expect(provisioningFormOf(other, typed).groupBoxes).toEqual(["acme", "zeta", ""]);
  });

  it("refuses two groups that differ only in case", () => {
    const c = config();
    const form = { ...provisioningFormOf(c), groupBoxes: ["acme", "Acme", ""] };
    expect(validateProvisioning(form, c).groups).toMatch(/differ only in case/);
  });

  it("asks to confirm a change of mode and a configuration that lets anyone in", () => {
    const jit = config({ allowedGroups: ["acme"] });
    const toAuto = { ...provisioningFormOf(jit), type: "AUTO_PROVISIONING" as const, token: "t" };
    expect(confirmationsFor(toAuto, jit)).toEqual(["to-auto"]);
    const auto = config({ provisioningType: "AUTO_PROVISIONING", isProvisioningTokenSet: true, allowedGroups: ["acme"] });
    const toJit = { ...provisioningFormOf(auto), type: "JIT" as const };
    expect(confirmationsFor(toJit, auto)).toEqual(["to-jit"]);
    const open = { ...provisioningFormOf(jit), groupBoxes: [""], allowUsersToSignUp: true };
    expect(confirmationsFor(open, jit)).toEqual(["anyone-in"]);
    expect(confirmationsFor({ ...open, allowUsersToSignUp: false }, jit)).toEqual([]);
  });
});

describe("the warning about Just-in-Time group sync without allowed groups", () => {
  it("is shown when group sync is on in Just-in-Time mode with no allowed groups", () => {
    expect(jitGroupSyncUnbounded(config({ provisioningType: "JIT", synchronizeGroups: true, allowedGroups: [] }))).toBe(true);
  });
  it("is not shown with allowed groups, with group sync off, in automatic mode or when disabled", () => {
    expect(jitGroupSyncUnbounded(config({ provisioningType: "JIT", synchronizeGroups: true, allowedGroups: ["acme"] }))).toBe(false);
    expect(jitGroupSyncUnbounded(config({ provisioningType: "JIT", synchronizeGroups: false, allowedGroups: [] }))).toBe(false);
    expect(jitGroupSyncUnbounded(config({ provisioningType: "AUTO_PROVISIONING", synchronizeGroups: true, allowedGroups: [] }))).toBe(false);
    expect(
      jitGroupSyncUnbounded(config({ enabled: false, provisioningType: "JIT", synchronizeGroups: true, allowedGroups: [] })),
    ).toBe(false);
  });
});
