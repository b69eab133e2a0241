// The allowed groups are typed into a list of text boxes that grows by one as the last one is
// filled: there is always one empty box at the end to type the next group into.

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

// The set the server stores: trimmed, without empties or repeats, sorted (as the API returns it).
export function groupsFromBoxes(values: readonly string[]): string[] {
  const set = new Set(values.map((v) => v.trim()).filter((v) => v !== ""));
  return [...set].sort();
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
