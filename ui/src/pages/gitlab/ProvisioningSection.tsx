// The Provisioning section, in the words of SonarQube's page: "Just-in-time user provisioning"
// or "Automatic user, group, and permission provisioning" with its Provisioning token, Allowed
// groups and Role permission mapping, and the synchronization's status. Save asks for
// confirmation when the mode changes or when the configuration would let anyone in; the server
// checks a new token or new allowed groups against GitLab first, and what GitLab refuses is shown
// next to the field it concerns, with nothing reported as saved.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../api/client";
import * as api from "../../api/endpoints";
import type { GitlabConfiguration } from "../../api/types";
import { ConfirmDialog } from "../../components/Dialog";
import { Checkbox, Field, Notice } from "../../components/widgets";
import { boxProblems, editBox, removeBox } from "../../logic/allowed_groups";
import {
  type Confirmation,
  confirmationsFor,
  provisioningFormOf,
  provisioningPatch,
  provisioningSavable,
  validateProvisioning,
} from "../../logic/gitlab_form";
import { RoleMappingDialog } from "./RoleMappingDialog";
import { SyncStatus, useSyncRuns } from "./SyncStatus";

interface Props {
  config: GitlabConfiguration;
  onSaved: (c: GitlabConfiguration) => void;
}

// What GitLab refused at the last save, for the field it concerns.
interface Refusal {
  field: "provisioningToken" | "allowedGroups";
  group: string | null;
  message: string;
}

export function ProvisioningSection({ config, onSaved }: Props) {
  const [form, setForm] = useState(() => provisioningFormOf(config));
  const [pending, setPending] = useState<Confirmation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [mapping, setMapping] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [syncing, setSyncing] = useState(false);
  const [runs, queued, loaded] = useSyncRuns(reloadKey);
  const tokenInput = useRef<HTMLInputElement>(null);
  const updateButton = useRef<HTMLButtonElement>(null);
  // Where the focus goes once the token block has re-rendered.
  const [focusTo, setFocusTo] = useState<"token" | "update" | null>(null);

  // A new configuration (saved here, or read again): the form follows it, keeping the order the
  // allowed groups were typed in.
  useEffect(() => setForm((previous) => provisioningFormOf(config, previous)), [config]);
  useEffect(() => {
    if (focusTo === "token") tokenInput.current?.focus();
    if (focusTo === "update") updateButton.current?.focus();
    setFocusTo(null);
  }, [focusTo]);

  const errors = validateProvisioning(form, config);
  const dirty = Object.keys(provisioningPatch(form, config)).length > 0 || form.editingToken !== !config.isProvisioningTokenSet;
  const auto = form.type === "AUTO_PROVISIONING";
  const problems = boxProblems(form.groupBoxes);
  const boxBlocked = [...problems.values()].some((p) => p.blocking); // said next to its box

  // The configuration's own check, when it is about a field: shown there too (same words).
  const stored: Refusal | null =
    config.errorMessage && config.errorField && config.provisioningType === "AUTO_PROVISIONING"
      ? { field: config.errorField, group: config.errorAllowedGroup ?? null, message: config.errorMessage }
      : null;
  const about = (field: Refusal["field"]) => (refusal?.field === field ? refusal : stored?.field === field ? stored : null);
  const tokenProblem = about("provisioningToken");
  const groupProblem = about("allowedGroups");

  const save = async () => {
    setBusy(true);
    setError(null);
    setRefusal(null);
    try {
      const next = await api.updateGitlabConfiguration(provisioningPatch(form, config));
      setSaved("Provisioning settings saved.");
      onSaved(next);
      setReloadKey((k) => k + 1);
    } catch (e) {
      if (e instanceof ApiError && (e.field === "provisioningToken" || e.field === "allowedGroups")) {
        setRefusal({ field: e.field, group: e.allowedGroup, message: e.message });
      } else {
        setError((e as Error).message);
      }
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const askOrSave = () => {
    setSaved(null);
    const confirmations = confirmationsFor(form, config);
    if (confirmations.length > 0) setPending(confirmations);
    else void save();
  };

  // Each confirmation in turn; saving once the last is accepted.
  const accept = () => {
    if (!pending || pending.length <= 1) void save();
    else setPending(pending.slice(1));
  };

  const syncNow = async () => {
    setSyncing(true);
    setError(null);
    try {
      const { taskId } = await api.synchronizeNow();
      // Shown at once as queued; polling takes over from here.
      queued({
        id: taskId, type: "GITLAB_AUTH_PROVISIONING", status: "PENDING", submittedAt: new Date().toISOString(),
        startedAt: null, executedAt: null, executionTimeMs: null, errorMessage: null, warnings: [], infoMessages: [],
      });
      setReloadKey((k) => k + 1);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSyncing(false);
    }
  };

  const edit = (changes: Partial<typeof form>, clears?: Refusal["field"]) => {
    setForm({ ...form, ...changes });
    if (clears && refusal?.field === clears) setRefusal(null);
  };

  return (
    <section class="card" aria-labelledby="provisioning-title">
      <h2 id="provisioning-title">Provisioning</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (provisioningSavable(form, config)) askOrSave();
        }}
      >
        <fieldset class="choices">
          <legend class="visually-hidden">Provisioning mode</legend>
          <Choice
            id="provisioning-jit"
            checked={!auto}
            onSelect={() => edit({ type: "JIT" })}
            title="Just-in-time user provisioning"
            help="A user's account is created at their first GitLab login. Users, groups and permissions are managed here."
          />
          <Choice
            id="provisioning-auto"
            checked={auto}
            onSelect={() => edit({ type: "AUTO_PROVISIONING" })}
            title="Automatic user, group, and permission provisioning"
            help="Users, groups, memberships and the permissions on bound projects are read from GitLab every hour and on demand. They can no longer be changed here."
          />
          {errors.mode && <p class="field-error">{errors.mode}</p>}
        </fieldset>

        {!auto && (
          <Checkbox
            label="Allow users to sign up"
            checked={form.allowUsersToSignUp}
            onChange={(v) => setForm({ ...form, allowUsersToSignUp: v })}
            help="When off, only users who already have an account here can log in with GitLab."
          />
        )}

        {auto && (
          <div class="token">
            {config.isProvisioningTokenSet && !form.editingToken ? (
              <div class="field">
                <span class="label" id="token-label">
                  Provisioning token
                </span>
                <p class="token-set">
                  <span>A provisioning token is set; it is stored encrypted and never shown.</span>{" "}
                  <button
                    ref={updateButton}
                    type="button"
                    class="button"
                    aria-describedby={tokenProblem ? "token-label token-problem" : "token-label"}
                    onClick={() => {
                      edit({ editingToken: true, token: "" }, "provisioningToken");
                      setFocusTo("token");
                    }}
                  >
                    Update field value
                  </button>
                </p>
                {tokenProblem && (
                  <p class="field-error" id="token-problem">
                    {tokenProblem.message}
                  </p>
                )}
              </div>
            ) : (
              <div class="token-field">
                <Field
                  label="Provisioning token"
                  type="password"
                  value={form.token}
                  inputRef={tokenInput}
                  onInput={(v) => edit({ token: v }, "provisioningToken")}
                  error={
                    refusal?.field === "provisioningToken"
                      ? refusal.message
                      : form.token !== "" || config.isProvisioningTokenSet
                        ? errors.token
                        : undefined
                  }
                  autoComplete="new-password"
                  required
                  help="A personal, group or service-account access token with the read_api scope, able to see the allowed groups. It is stored encrypted and never shown."
                />
                {config.isProvisioningTokenSet && (
                  <button
                    type="button"
                    class="button link"
                    onClick={() => {
                      edit({ editingToken: false, token: "" }, "provisioningToken");
                      setFocusTo("update");
                    }}
                  >
                    Keep the current token
                  </button>
                )}
              </div>
            )}
          </div>
        )}

        <fieldset class="allowed-groups">
          <legend>Allowed groups</legend>
          <p class="help">
            {auto
              ? "Root groups (their slugs, as in the GitLab URL) whose members, subgroups and projects are provisioned. At least one."
              : "When set, only members of these root groups or their subgroups may log in. Empty: no restriction."}
          </p>
          {form.groupBoxes.map((value, i) => {
            const problem = problems.get(i);
            const refused = groupProblem && groupProblem.group !== null && groupProblem.group === value.trim() ? groupProblem : null;
            const messageId = `allowed-group-${i}-message`;
            return (
              <div class="group-box" key={i}>
                <div class="group-box-row">
                  <input
                    type="text"
                    value={value}
                    aria-label={`Allowed group ${i + 1}`}
                    aria-invalid={problem?.blocking || refused ? true : undefined}
                    aria-describedby={problem || refused ? messageId : undefined}
                    placeholder={i === form.groupBoxes.length - 1 ? "Add a root group" : undefined}
                    onInput={(e) =>
                      edit({ groupBoxes: editBox(form.groupBoxes, i, (e.target as HTMLInputElement).value) }, "allowedGroups")
                    }
                  />
                  {value.trim() !== "" && (
                    <button
                      type="button"
                      class="icon-button"
                      aria-label={`Remove allowed group ${value.trim()}`}
                      title={`Remove ${value.trim()}`}
                      onClick={() => edit({ groupBoxes: removeBox(form.groupBoxes, i) }, "allowedGroups")}
                    >
                      <CrossIcon />
                    </button>
                  )}
                </div>
                {(refused || problem) && (
                  <p class={refused || problem?.blocking ? "field-error" : "field-warning"} id={messageId}>
                    {refused ? refused.message : problem!.text}
                  </p>
                )}
              </div>
            );
          })}
          {groupProblem && !form.groupBoxes.some((v) => groupProblem.group !== null && v.trim() === groupProblem.group) && (
            <p class="field-error">{groupProblem.message}</p>
          )}
          {errors.groups && !boxBlocked && (form.groupBoxes.some((g) => g.trim() !== "") || auto) && (
            <p class="field-error">{errors.groups}</p>
          )}
        </fieldset>

        {auto && (
          <div class="field">
            <span class="label" id="mapping-label">
              Role permission mapping
            </span>
            <p class="mapping">
              <button type="button" class="button" aria-describedby="mapping-label mapping-help" onClick={() => setMapping(true)}>
                Edit mapping
              </button>{" "}
              <span class="help" id="mapping-help">
                Which project permissions each GitLab role gives on the projects bound to GitLab.
              </span>
            </p>
          </div>
        )}

        {error && <Notice kind="error">{error}</Notice>}
        {refusal && (
          <Notice kind="error">
            Nothing was saved: GitLab refused {refusal.field === "provisioningToken" ? "the provisioning token" : "an allowed group"}.
          </Notice>
        )}
        {saved && !dirty && !refusal && <Notice kind="success">{saved}</Notice>}
        <div class="form-actions">
          <button type="submit" class="button primary" disabled={busy || !provisioningSavable(form, config)}>
            Save
          </button>
          <button
            type="button"
            class="button"
            disabled={busy || !dirty}
            onClick={() => {
              setForm(provisioningFormOf(config));
              setRefusal(null);
            }}
          >
            Cancel
          </button>
        </div>
      </form>

      {config.provisioningType === "AUTO_PROVISIONING" && config.enabled && (
        <SyncStatus runs={runs} loaded={loaded} onSyncNow={syncNow} syncing={syncing} onApplied={() => setReloadKey((k) => k + 1)} />
      )}

      {mapping && <RoleMappingDialog onClose={() => setMapping(false)} onSaved={() => setReloadKey((k) => k + 1)} />}
      {pending && pending.length > 0 && <ConfirmationDialog kind={pending[0]!} onConfirm={accept} onCancel={() => setPending(null)} busy={busy} />}
    </section>
  );
}

// A radio choice named by its title alone (its help describes it), in a box that is all clickable.
function Choice(p: { id: string; checked: boolean; onSelect: () => void; title: string; help: string }) {
  return (
    <label class="choice" for={p.id}>
      <input
        id={p.id}
        type="radio"
        name="provisioning-type"
        checked={p.checked}
        aria-labelledby={`${p.id}-title`}
        aria-describedby={`${p.id}-help`}
        onChange={p.onSelect}
      />
      <span>
        <strong id={`${p.id}-title`}>{p.title}</strong>
        <span class="help" id={`${p.id}-help`}>
          {p.help}
        </span>
      </span>
    </label>
  );
}

function CrossIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
      <path d="M3 3l8 8M11 3l-8 8" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
    </svg>
  );
}

function ConfirmationDialog({ kind, onConfirm, onCancel, busy }: { kind: Confirmation; onConfirm: () => void; onCancel: () => void; busy: boolean }) {
  if (kind === "to-auto") {
    return (
      <ConfirmDialog title="Switch to automatic provisioning?" confirmLabel="Switch to automatic provisioning" onConfirm={onConfirm} onCancel={onCancel} busy={busy}>
        <ul>
          <li>A first synchronization starts at once, then one every hour.</li>
          <li>Users with access to the allowed groups or their projects in GitLab get an account; provisioned users who lose it are deactivated.</li>
          <li>GitLab groups become groups here, with their members. The first synchronization replaces the group memberships and project permissions that provisioned users were given by hand.</li>
          <li>Permissions on projects bound to GitLab follow the role mapping.</li>
          <li>Until you switch back, users, groups and memberships can no longer be created or changed here. Local users and groups stay.</li>
        </ul>
      </ConfirmDialog>
    );
  }
  if (kind === "to-jit") {
    return (
      <ConfirmDialog title="Switch to Just-in-time provisioning?" confirmLabel="Switch to Just-in-time provisioning" onConfirm={onConfirm} onCancel={onCancel} busy={busy}>
        <ul>
          <li>Synchronization with GitLab stops.</li>
          <li>All users, groups, memberships and permissions stay as they are, but are no longer managed by GitLab: they can be edited here again.</li>
          <li>New users get an account at their first GitLab login, if sign-up is allowed.</li>
        </ul>
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog title="Let anyone in?" confirmLabel="Save anyway" danger onConfirm={onConfirm} onCancel={onCancel} busy={busy}>
      <p>
        Sign-up is allowed and no allowed group is set: <strong>anyone with an account on this GitLab</strong> can log in and
        gets an account here. On gitlab.com that is anybody. Set allowed groups to restrict who may log in.
      </p>
    </ConfirmDialog>
  );
}
