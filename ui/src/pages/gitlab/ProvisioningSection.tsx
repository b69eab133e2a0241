// How users arrive: Just-in-Time at their first GitLab login, or automatic provisioning of users,
// groups and permissions from GitLab. Save asks for confirmation when the mode changes or when
// the configuration would let anyone in.
import { useEffect, useState } from "preact/hooks";
import * as api from "../../api/endpoints";
import type { GitlabConfiguration } from "../../api/types";
import { ConfirmDialog } from "../../components/Dialog";
import { Checkbox, Field, Notice } from "../../components/widgets";
import { editBox, slugError } from "../../logic/allowed_groups";
import {
  type Confirmation,
  confirmationsFor,
  provisioningFormOf,
  provisioningPatch,
  provisioningSavable,
  validateProvisioning,
} from "../../logic/gitlab_form";
import { RoleMappingDialog } from "./RoleMappingDialog";
import { SyncStatus, useLatestSync } from "./SyncStatus";

interface Props {
  config: GitlabConfiguration;
  onSaved: (c: GitlabConfiguration) => void;
}

export function ProvisioningSection({ config, onSaved }: Props) {
  const [form, setForm] = useState(() => provisioningFormOf(config));
  const [pending, setPending] = useState<Confirmation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [mapping, setMapping] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [syncing, setSyncing] = useState(false);
  const [latest, setLatest, loaded] = useLatestSync(reloadKey);

  useEffect(() => setForm(provisioningFormOf(config)), [config]);

  const errors = validateProvisioning(form, config);
  const dirty = Object.keys(provisioningPatch(form, config)).length > 0 || form.editingToken !== !config.isProvisioningTokenSet;
  const auto = form.type === "AUTO_PROVISIONING";

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await api.updateGitlabConfiguration(provisioningPatch(form, config));
      setSaved("Provisioning settings saved.");
      onSaved(next);
      setReloadKey((k) => k + 1);
    } catch (e) {
      setError((e as Error).message);
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
      setLatest({
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
          <legend>How users, groups and permissions arrive</legend>
          <label class="choice">
            <input type="radio" name="provisioning-type" checked={!auto} onChange={() => setForm({ ...form, type: "JIT" })} />
            <span>
              <strong>Just-in-Time provisioning</strong>
              <span class="help">
                A user's account is created at their first GitLab login. Users, groups and permissions are managed here.
              </span>
            </span>
          </label>
          <label class="choice">
            <input
              type="radio"
              name="provisioning-type"
              checked={auto}
              onChange={() => setForm({ ...form, type: "AUTO_PROVISIONING" })}
            />
            <span>
              <strong>Automatic user, group and permission provisioning</strong>
              <span class="help">
                Users, groups, memberships and the permissions on bound projects are read from GitLab every hour and on
                demand. They can no longer be changed here.
              </span>
            </span>
          </label>
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
              <p>
                A provisioning token is set.{" "}
                <button type="button" class="button" onClick={() => setForm({ ...form, editingToken: true, token: "" })}>
                  Update token
                </button>
              </p>
            ) : (
              <div class="token-field">
                <Field
                  label="Provisioning token"
                  type="password"
                  value={form.token}
                  onInput={(v) => setForm({ ...form, token: v })}
                  error={form.token !== "" || config.isProvisioningTokenSet ? errors.token : undefined}
                  autoComplete="new-password"
                  required
                  help="A personal, group or service-account access token with the read_api scope, able to see the allowed groups. It is stored encrypted and never shown."
                />
                {config.isProvisioningTokenSet && (
                  <button type="button" class="button link" onClick={() => setForm({ ...form, editingToken: false, token: "" })}>
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
              ? "Root groups (their slugs) whose members, subgroups and projects are provisioned. At least one."
              : "When set, only members of these root groups or their subgroups may log in. Empty: no restriction."}
          </p>
          {form.groupBoxes.map((value, i) => (
            <div class="group-box" key={i}>
              <input
                type="text"
                value={value}
                aria-label={`Allowed group ${i + 1}`}
                aria-invalid={slugError(value) ? true : undefined}
                placeholder={i === form.groupBoxes.length - 1 ? "Add a root group" : undefined}
                onInput={(e) => setForm({ ...form, groupBoxes: editBox(form.groupBoxes, i, (e.target as HTMLInputElement).value) })}
              />
            </div>
          ))}
          {errors.groups && (form.groupBoxes.some((g) => g.trim() !== "") || auto) && <p class="field-error">{errors.groups}</p>}
        </fieldset>

        {auto && (
          <p>
            <button type="button" class="button" onClick={() => setMapping(true)}>
              Edit role mapping
            </button>{" "}
            <span class="help">Which project permissions each GitLab role gives.</span>
          </p>
        )}

        {error && <Notice kind="error">{error}</Notice>}
        {saved && !dirty && <Notice kind="success">{saved}</Notice>}
        <div class="form-actions">
          <button type="submit" class="button primary" disabled={busy || !provisioningSavable(form, config)}>
            Save
          </button>
          <button type="button" class="button" disabled={busy || !dirty} onClick={() => setForm(provisioningFormOf(config))}>
            Cancel
          </button>
        </div>
      </form>

      {config.provisioningType === "AUTO_PROVISIONING" && config.enabled && (
        <SyncStatus latest={latest} loaded={loaded} onSyncNow={syncNow} syncing={syncing} />
      )}

      {mapping && <RoleMappingDialog onClose={() => setMapping(false)} />}
      {pending && pending.length > 0 && <ConfirmationDialog kind={pending[0]!} onConfirm={accept} onCancel={() => setPending(null)} busy={busy} />}
    </section>
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
      <ConfirmDialog title="Switch to Just-in-Time provisioning?" confirmLabel="Switch to Just-in-Time provisioning" onConfirm={onConfirm} onCancel={onCancel} busy={busy}>
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
