// Hooks the list pages share. useManagedInstance: whether automatic provisioning is on (the
// instance is managed by GitLab), for the pages that hide or disable what it forbids; undefined
// while loading.
import { useEffect, useState } from "preact/hooks";
import * as api from "../api/endpoints";

export function useManagedInstance(): boolean | undefined {
  const [managed, setManaged] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    api.gitlabConfiguration().then(
      (c) => setManaged(!!c && c.enabled && c.provisioningType === "AUTO_PROVISIONING"),
      () => setManaged(false),
    );
  }, []);
  return managed;
}

// A paged list fetched again whenever its query changes.
export function useList<T>(fetch: () => Promise<{ items: T[]; total: number }>, deps: unknown[]) {
  const [items, setItems] = useState<T[] | undefined>(undefined);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let stale = false;
    fetch().then(
      (r) => {
        if (stale) return;
        setItems(r.items);
        setTotal(r.total);
        setError(null);
      },
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [...deps, version]);
  return { items, total, error, reload: () => setVersion((v) => v + 1) };
}

