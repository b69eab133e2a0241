// Create or edit the GitLab configuration: the OAuth application and where GitLab is. The
// secret is write-only: when editing, its box stays empty and is needed only if the URL changes.
import { useState } from "preact/hooks";
import * as api from "../../api/endpoints";
import type { GitlabConfiguration } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { Checkbox, Field, Notice } from "../../components/widgets";
import {
  configFormOf,
  configFormValid,
  configPayload,
  emptyConfigForm,
  secretRequired,
  urlChanged,
  validateConfigForm,
} from "../../logic/gitlab_form";

interface Props {
  existing: GitlabConfiguration | null;
  onSaved: (c: GitlabConfiguration) => void;
  onClose: () => void;
}

export function ConfigurationDialog({ existing, onSaved, onClose }: Props) {
  const [form, setForm] = useState(existing ? configFormOf(existing) : emptyConfigForm());
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errors = validateConfigForm(form, existing);
  const shown = (field: keyof typeof errors) => (touched[field] ? errors[field] : undefined);
  const set = (field: keyof typeof form, value: string | boolean) => {
    setForm({ ...form, [field]: value });
    setTouched({ ...touched, [field]: true });
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = configPayload(form, existing);
      const saved = existing
        ? await api.updateGitlabConfiguration(body)
        : await api.createGitlabConfiguration({ ...body, enabled: true });
      onSaved(saved);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const moved = urlChanged(form, existing);
  return (
    <Dialog title={existing ? "Edit GitLab Configuration" : "Create GitLab Configuration"} onClose={onClose}>
      <form onSubmit={save} class="dialog-body">
        <p class="help">
          Register Provisio as an application in GitLab (Preferences › Applications, or an instance-wide application), with the
          redirect URI <code>{location.origin}/oauth2/callback/gitlab</code>, then copy its ID and secret here.
        </p>
        <Field
          label="Application ID"
          value={form.applicationId}
          onInput={(v) => set("applicationId", v)}
          error={shown("applicationId")}
          required
        />
        <Field
          label="GitLab URL"
          value={form.url}
          onInput={(v) => set("url", v)}
          error={shown("url")}
          help="The address of your GitLab, for example https://gitlab.com or https://gitlab.example.com."
          required
        />
        <Field
          label="Secret"
          type="password"
          value={form.secret}
          onInput={(v) => set("secret", v)}
          error={touched.secret || moved ? errors.secret : undefined}
          autoComplete="new-password"
          required={secretRequired(form, existing)}
          help={
            existing
              ? moved
                ? "The GitLab URL changed: type the application's secret again."
                : "Stored and never shown. Leave empty to keep it, or type a new one."
              : "The application's secret. It is stored encrypted and never shown again."
          }
        />
        <Checkbox
          label="Synchronize user groups"
          checked={form.synchronizeGroups}
          onChange={(v) => set("synchronizeGroups", v)}
          help="At each login, make the user a member of the groups here named like their GitLab groups (full paths)."
        />
        {error && <Notice kind="error">{error}</Notice>}
        <div class="dialog-actions">
          <button type="submit" class="button primary" disabled={busy || !configFormValid(form, existing)}>
            {existing ? "Save configuration" : "Create configuration"}
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
