// Small pieces every page uses: badges, notices, form fields, paging, a search box, and a
// button that is disabled with its reason shown.
import type { ComponentChildren, JSX, Ref } from "preact";
import { useId, useState } from "preact/hooks";

export function ManagedBadge() {
  return (
    <span class="badge badge-managed" title="Created and kept in step by the GitLab provisioning">
      from GitLab
    </span>
  );
}

export function Badge({ children, tone }: { children: ComponentChildren; tone?: "muted" | "warn" | "ok" | "error" }) {
  return <span class={`badge badge-${tone ?? "muted"}`}>{children}</span>;
}

// An error is announced at once (role=alert); information politely (role=status).
export function Notice({ kind, children }: { kind: "error" | "info" | "success" | "warning"; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

interface FieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  help?: ComponentChildren;
  type?: string;
  required?: boolean;
  autoComplete?: string;
  disabled?: boolean;
  placeholder?: string;
  inputMode?: JSX.HTMLAttributes["inputMode"];
  inputRef?: Ref<HTMLInputElement>; // to give the field the focus
}

export function Field(p: FieldProps) {
  const id = useId();
  const described = [p.error ? `${id}-error` : "", p.help ? `${id}-help` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        ref={p.inputRef}
        id={id}
        type={p.type ?? "text"}
        value={p.value}
        required={p.required}
        disabled={p.disabled}
        placeholder={p.placeholder}
        inputMode={p.inputMode}
        autoComplete={p.autoComplete ?? "off"}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => p.onInput((e.target as HTMLInputElement).value)}
      />
      {p.help && (
        <p class="help" id={`${id}-help`}>
          {p.help}
        </p>
      )}
      {p.error && (
        <p class="field-error" id={`${id}-error`}>
          {p.error}
        </p>
      )}
    </div>
  );
}

export function Checkbox(p: { label: string; checked: boolean; onChange: (v: boolean) => void; help?: ComponentChildren; disabled?: boolean }) {
  const id = useId();
  return (
    <div class="field field-checkbox">
      <input
        id={id}
        type="checkbox"
        checked={p.checked}
        disabled={p.disabled}
        aria-describedby={p.help ? `${id}-help` : undefined}
        onChange={(e) => p.onChange((e.target as HTMLInputElement).checked)}
      />
      <label for={id}>{p.label}</label>
      {p.help && (
        <p class="help" id={`${id}-help`}>
          {p.help}
        </p>
      )}
    </div>
  );
}

// A button that, when `blocked` holds a reason, is disabled and says why right next to it.
// `compact` (rows of a list, where the page already explains): the reason is the button's
// description and tooltip instead of visible text repeated on every row.
export function GuardedButton(p: {
  label: string;
  blocked: string | null;
  onClick: () => void;
  kind?: "primary" | "danger" | "plain" | "link";
  ariaLabel?: string;
  compact?: boolean;
}) {
  const id = useId();
  return (
    <span class="guarded" title={p.compact && p.blocked ? p.blocked : undefined}>
      <button
        type="button"
        class={`button ${p.kind ?? "plain"}`}
        onClick={p.onClick}
        disabled={p.blocked !== null}
        aria-label={p.ariaLabel}
        aria-describedby={p.blocked ? id : undefined}
      >
        {p.label}
      </button>
      {p.blocked && (
        <span class={p.compact ? "visually-hidden" : "reason"} id={id}>
          {p.blocked}
        </span>
      )}
    </span>
  );
}

export function SearchBox({ label, onSearch, initial }: { label: string; onSearch: (q: string) => void; initial?: string }) {
  const [q, setQ] = useState(initial ?? "");
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(q.trim());
      }}
    >
      <input
        type="search"
        aria-label={label}
        placeholder={label}
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="button">
        Search
      </button>
    </form>
  );
}

export function Pager({ index, size, total, onPage }: { index: number; size: number; total: number; onPage: (i: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="button" disabled={index <= 1} onClick={() => onPage(index - 1)}>
        Previous
      </button>
      <span aria-live="polite">
        Page {index} of {pages} · {total} in all
      </span>
      <button type="button" class="button" disabled={index >= pages} onClick={() => onPage(index + 1)}>
        Next
      </button>
    </nav>
  );
}
