import { describe, expect, it } from "vitest";
import { boxProblems, editBox, groupsFromBoxes, growBoxes, removeBox, sameGroups, slugError } from "./allowed_groups";

describe("the allowed groups boxes", () => {
  it("always end with one empty box", () => {
    expect(growBoxes([])).toEqual([""]);
    expect(growBoxes(["acme", "", "umbrella"])).toEqual(["acme", "umbrella", ""]);
  });

  it("grow by one as the last box is filled", () => {
    let boxes = [""];
    boxes = editBox(boxes, 0, "a");
    expect(boxes).toEqual(["a", ""]);
    boxes = editBox(boxes, 0, "acme");
    expect(boxes).toEqual(["acme", ""]);
    boxes = editBox(boxes, 1, "u");
    expect(boxes).toEqual(["acme", "u", ""]);
  });

  it("keep a box being emptied, and drop surplus empty boxes at the end", () => {
    expect(editBox(["acme", "u", ""], 0, "")).toEqual(["", "u", ""]);
    expect(editBox(["acme", "u", ""], 1, "")).toEqual(["acme", "", ""]);
    expect(editBox(["acme", "", "", ""], 0, "acm")).toEqual(["acm", ""]);
  });

  it("become slugs in the order typed, without repeats", () => {
    expect(groupsFromBoxes([" umbrella ", "acme", "", "acme"])).toEqual(["umbrella", "acme"]);
    expect(sameGroups(["umbrella", "acme"], ["acme", "umbrella"])).toBe(true);
    expect(sameGroups(["umbrella"], ["acme", "umbrella"])).toBe(false);
  });

  it("lose a box to its remove button, keeping the others' order and the empty box", () => {
    expect(removeBox(["umbrella", "acme", "zeta", ""], 1)).toEqual(["umbrella", "zeta", ""]);
    expect(removeBox(["acme", ""], 0)).toEqual([""]);
  });

  it("warn about a repeat, and stop one that differs only in case", () => {
    const problems = boxProblems(["acme", "umbrella", "ACME", "acme", "a/b", ""]);
    expect(problems.get(0)).toBeUndefined();
    expect(problems.get(1)).toBeUndefined();
    expect(problems.get(2)).toEqual({
      text: '"ACME" and "acme" differ only in case: GitLab paths ignore case, so both name the same group. Remove one.',
      blocking: true,
    });
    expect(problems.get(3)).toEqual({ text: '"acme" is already in the list.', blocking: false });
    expect(problems.get(4)?.blocking).toBe(true);
    expect(problems.get(5)).toBeUndefined();
  });

  it("refuse paths and spaces", () => {
    expect(slugError("acme")).toBeNull();
    expect(slugError("")).toBeNull();
    expect(slugError("acme/sub")).toMatch(/\//);
    expect(slugError("my group")).toMatch(/space/);
  });
});
