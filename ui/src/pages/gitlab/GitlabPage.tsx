// Administration › Configuration › General Settings › Authentication › GitLab: the single
// configuration (create, edit, check, enable, disable, delete) and, once it exists, its
// provisioning settings.
import { useEffect, useState } from "preact/hooks";
import * as api from "../../api/endpoints";
import type { GitlabConfiguration } from "../../api/types";
import { ConfirmDialog } from "../../components/Dialog";
import { Badge, GuardedButton, Notice } from "../../components/widgets";
import { jitGroupSyncUnbounded } from "../../logic/gitlab_form";
import { ConfigurationDialog } from "./ConfigurationDialog";
import { ProvisioningSection } from "./ProvisioningSection";

export function GitlabPage() {
  const [config, setConfig] = useState<GitlabConfiguration | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = () =>
    api.gitlabConfiguration().then(
      (c) => setConfig(c),
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void load();
  }, []);

  const setEnabled = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setConfig(await api.updateGitlabConfiguration({ enabled }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.deleteGitlabConfiguration();
      setConfig(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      setDeleting(false);
    }
  };

  const auto = config?.provisioningType === "AUTO_PROVISIONING";
  return (
    <>
      <p class="lead">
        Let people log in with their GitLab account, and choose how their accounts, groups and permissions are provisioned.
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      {config === undefined && !error && <p class="loading">Loading…</p>}

      {config === null && (
        <section class="card empty" aria-labelledby="config-title">
          <h2 id="config-title">Configuration</h2>
          <p>There is no GitLab configuration yet.</p>
          <button type="button" class="button primary" onClick={() => setEditing(true)}>
            Create configuration
          </button>
        </section>
      )}

      {config && (
        <section class="card" aria-labelledby="config-title">
          <h2 id="config-title">
            Configuration {config.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>}
          </h2>
          <dl class="facts">
            <dt>Application ID</dt>
            <dd>{config.applicationId}</dd>
            <dt>GitLab URL</dt>
            <dd>{config.url}</dd>
            <dt>Synchronize user groups</dt>
            <dd>{config.synchronizeGroups ? "Yes" : "No"}</dd>
            <dt>Provisioning</dt>
            <dd>{auto ? "Automatic" : "Just-in-Time"}</dd>
          </dl>
          {jitGroupSyncUnbounded(config) && (
            <Notice kind="warning">
              Synchronize user groups is on with no allowed groups: at each login, a user joins every group here named
              like one of their GitLab groups, and anyone can create a GitLab group with any name. Set the allowed
              groups to limit it to your GitLab root groups.
            </Notice>
          )}
          <CheckResult config={config} />
          <div class="form-actions">
            <button type="button" class="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            {config.enabled ? (
              <GuardedButton
                label="Disable"
                blocked={auto ? "Switch to Just-in-Time provisioning before disabling." : busy ? "" : null}
                onClick={() => setEnabled(false)}
              />
            ) : (
              <button type="button" class="button" disabled={busy} onClick={() => setEnabled(true)}>
                Enable
              </button>
            )}
            <GuardedButton
              label="Delete"
              kind="danger"
              blocked={config.enabled ? "Disable the configuration before deleting it." : null}
              onClick={() => setDeleting(true)}
            />
          </div>
        </section>
      )}

      {config && <ProvisioningSection config={config} onSaved={setConfig} />}

      {editing && (
        <ConfigurationDialog
          existing={config ?? null}
          onClose={() => setEditing(false)}
          onSaved={(c) => {
            setConfig(c);
            setEditing(false);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog title="Delete the GitLab configuration?" confirmLabel="Delete" danger busy={busy} onConfirm={remove} onCancel={() => setDeleting(false)}>
          <p>
            Nobody can log in with GitLab any more. Users and groups stay, and the ones provisioned from GitLab are no longer
            marked as managed by it. The secret and the provisioning token are erased.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

// The live check the server runs against GitLab each time the configuration is read.
function CheckResult({ config }: { config: GitlabConfiguration }) {
  if (!config.enabled) return <p class="check muted">Not checked while disabled.</p>;
  if (config.errorMessage) {
    return (
      <Notice kind="error">
        <strong>The configuration does not work:</strong> {config.errorMessage}
      </Notice>
    );
  }
  const auto = config.isProvisioningTokenSet && config.allowedGroups.length > 0;
  return (
    <>
      <Notice kind="success">
        Configuration valid for Just-in-Time provisioning{auto ? " and for automatic provisioning" : ""}.
      </Notice>
      {(config.warnings ?? []).map((w) => (
        <Notice kind="warning" key={w}>
          {w}
        </Notice>
      ))}
    </>
  );
}
