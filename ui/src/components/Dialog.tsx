// A modal dialog on the native <dialog> element: the browser makes the rest of the page inert,
// keeps Tab inside, and closes on Escape (which we route to onClose so state stays in Preact).
// The title names the dialog for assistive technology.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

interface Props {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  // Called on Escape instead of onClose when given (e.g. to validate first).
  onEscape?: () => void;
}

export function Dialog({ title, onClose, children, wide, onEscape }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    const opener = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      // Give the keyboard back where it was before the dialog opened.
      if (opener && document.contains(opener)) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? "dialog dialog-wide" : "dialog"}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        (onEscape ?? onClose)();
      }}
    >
      <h2 id={titleId} class="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
  busy?: boolean;
  children: ComponentChildren;
}

export function ConfirmDialog({ title, confirmLabel, onConfirm, onCancel, danger, busy, children }: ConfirmProps) {
  return (
    <Dialog title={title} onClose={onCancel}>
      <div class="dialog-body">{children}</div>
      <div class="dialog-actions">
        <button type="button" class={danger ? "button danger" : "button primary"} onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" class="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
