import { describe, expect, it } from "vitest";
import { editBox, groupsFromBoxes, growBoxes, slugError } from "./allowed_groups";

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

  it("become a sorted set of slugs", () => {
    expect(groupsFromBoxes([" umbrella ", "acme", "", "acme"])).toEqual(["acme", "umbrella"]);
  });

  it("refuse paths and spaces", () => {
    expect(slugError("acme")).toBeNull();
    expect(slugError("")).toBeNull();
    expect(slugError("acme/sub")).toMatch(/\//);
    expect(slugError("my group")).toMatch(/space/);
  });
});
