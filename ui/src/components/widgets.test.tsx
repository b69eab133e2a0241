// @vitest-environment jsdom
// The accessible wiring of the form widgets: labels name their inputs, errors and help are
// announced with them, and a blocked action says why.
import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import { Field, GuardedButton } from "./widgets";

afterEach(() => render(null, document.body));

describe("Field", () => {
  it("labels its input and describes it with its error and help", () => {
    render(<Field label="Application ID" value="" onInput={() => {}} error="Required." help="From GitLab." />, document.body);
    const input = document.querySelector("input")!;
    const label = document.querySelector("label")!;
    expect(label.htmlFor).toBe(input.id);
    expect(label.textContent).toBe("Application ID");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const described = input.getAttribute("aria-describedby")!.split(" ").map((id) => document.getElementById(id)!.textContent);
    expect(described).toEqual(["Required.", "From GitLab."]);
  });
});

describe("GuardedButton", () => {
  it("is disabled and described by its reason when blocked", () => {
    render(<GuardedButton label="Create user" blocked="Managed by GitLab." onClick={() => {}} />, document.body);
    const button = document.querySelector("button")!;
    expect(button.disabled).toBe(true);
    expect(document.getElementById(button.getAttribute("aria-describedby")!)!.textContent).toBe("Managed by GitLab.");
  });

  it("is a plain button otherwise", () => {
    let clicked = 0;
    render(<GuardedButton label="Create user" blocked={null} onClick={() => clicked++} />, document.body);
    const button = document.querySelector("button")!;
    expect(button.disabled).toBe(false);
    expect(button.hasAttribute("aria-describedby")).toBe(false);
    button.click();
    expect(clicked).toBe(1);
  });
});
