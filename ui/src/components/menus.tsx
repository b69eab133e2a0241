// The two controls of SonarQube's administration path: a menu button ("Configuration" with its
// "General Settings"), and tabs ("Authentication", then "GitLab"). Both follow the WAI-ARIA
// patterns, so that assistive technology, keyboards and tests find them by role and name.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { navigate } from "./router";

export interface MenuLink {
  label: string;
  href: string;
}

// A button that opens a menu of links. Enter, Space or a click opens it with the focus on its
// first item; arrows move; Escape closes it and gives the focus back to the button.
export function MenuButton({ label, items }: { label: string; items: MenuLink[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return undefined;
    menu.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const outside = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const entries = [...(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      entries[(at + step + entries.length) % entries.length]?.focus();
    } else if (e.key === "Tab") {
      setOpen(false);
    }
  };

  return (
    <div class="menu-button">
      <button
        ref={button}
        type="button"
        class="button link menu-trigger"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul ref={menu} id={id} role="menu" aria-label={label} class="menu" onKeyDown={onKey}>
          {items.map((item) => (
            <li role="none" key={item.href}>
              <a
                role="menuitem"
                href={item.href}
                tabIndex={-1}
                onClick={(e) => {
                  e.preventDefault();
                  setOpen(false);
                  navigate(item.href);
                }}
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface TabItem {
  key: string;
  label: string;
}

// A row of tabs and the panel of the selected one. Arrows move between tabs (and select them).
export function Tabs(p: {
  label: string;
  tabs: TabItem[];
  selected: string;
  onSelect: (key: string) => void;
  children: ComponentChildren;
  vertical?: boolean;
}) {
  const base = useId();
  const list = useRef<HTMLDivElement>(null);
  const onKey = (e: KeyboardEvent) => {
    const next = p.vertical ? "ArrowDown" : "ArrowRight";
    const previous = p.vertical ? "ArrowUp" : "ArrowLeft";
    if (e.key !== next && e.key !== previous) return;
    e.preventDefault();
    const at = p.tabs.findIndex((t) => t.key === p.selected);
    const to = p.tabs[(at + (e.key === next ? 1 : -1) + p.tabs.length) % p.tabs.length]!;
    p.onSelect(to.key);
    list.current?.querySelector<HTMLElement>(`#${CSS.escape(`${base}-${to.key}`)}`)?.focus();
  };
  return (
    <div class={p.vertical ? "tabs tabs-vertical" : "tabs"}>
      <div ref={list} role="tablist" aria-label={p.label} aria-orientation={p.vertical ? "vertical" : "horizontal"} onKeyDown={onKey}>
        {p.tabs.map((t) => (
          <button
            key={t.key}
            id={`${base}-${t.key}`}
            type="button"
            role="tab"
            aria-selected={t.key === p.selected}
            aria-controls={`${base}-panel`}
            tabIndex={t.key === p.selected ? 0 : -1}
            class="tab"
            onClick={() => p.onSelect(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${p.selected}`} class="tab-panel">
        {p.children}
      </div>
    </div>
  );
}
