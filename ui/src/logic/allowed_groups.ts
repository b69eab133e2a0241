// The allowed groups are typed into a list of text boxes that grows by one as the last one is
// filled: there is always one empty box at the end to type the next group into. Each filled box
// can be removed; the boxes keep the order they were typed in.

// The boxes to show for these values: the non-empty ones in order, then one empty box.
export function growBoxes(values: readonly string[]): string[] {
  const filled = values.filter((v) => v.trim() !== "");
  return [...filled, ""];
}

// The boxes after box `index` changed to `value`. Filling the last box adds an empty one. An
// emptied box in the middle stays while the user may still be typing in it (it is dropped when
// saved, or by growBoxes); only surplus empty boxes at the end go at once.
export function editBox(values: readonly string[], index: number, value: string): string[] {
  const next = [...values];
  next[index] = value;
  if (next[next.length - 1]!.trim() !== "") next.push("");
  while (next.length > 1 && next[next.length - 1]!.trim() === "" && next[next.length - 2]!.trim() === "" && index < next.length - 2) {
    next.pop();
  }
  return next;
}

// The boxes after box `index` is removed: the others in their order, and the empty box last.
export function removeBox(values: readonly string[], index: number): string[] {
  return growBoxes(values.filter((_, i) => i !== index));
}

// The groups to send: trimmed, without empties or exact repeats, in the order typed. (The server
// keeps a set; compare with sameGroups.)
export function groupsFromBoxes(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values.map((x) => x.trim())) {
    if (v !== "" && !seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  return out;
}

// True when both lists name the same groups, whatever their order.
export function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

// Why a slug is refused, or null. A slug names a root group: no '/', no spaces.
export function slugError(value: string): string | null {
  const v = value.trim();
  if (v === "") return null;
  if (v.includes("/")) return `"${v}" has a "/": give the root group only (its slug), not a path.`;
  if (/\s/.test(v)) return `"${v}" has a space: a group slug has none.`;
  if (v.length > 255) return "A group slug has at most 255 characters.";
  return null;
}

// What is wrong with each box, by index: its slug, or a repeat of an earlier box. A repeat that
// differs only in case names the same GitLab group (GitLab paths ignore case) and must go before
// saving; an exact repeat is merged when saved.
export interface BoxProblem {
  text: string;
  blocking: boolean;
}

export function boxProblems(values: readonly string[]): Map<number, BoxProblem> {
  const out = new Map<number, BoxProblem>();
  const first = new Map<string, string>(); // lower case -> the first spelling typed
  values.forEach((raw, i) => {
    const v = raw.trim();
    if (v === "") return;
    const bad = slugError(v);
    if (bad) {
      out.set(i, { text: bad, blocking: true });
      return;
    }
    const earlier = first.get(v.toLowerCase());
    if (earlier === undefined) {
      first.set(v.toLowerCase(), v);
    } else if (earlier === v) {
      out.set(i, { text: `"${v}" is already in the list.`, blocking: false });
    } else {
      out.set(i, {
        text: `"${v}" and "${earlier}" differ only in case: GitLab paths ignore case, so both name the same group. Remove one.`,
        blocking: true,
      });
    }
  });
  return out;
}
