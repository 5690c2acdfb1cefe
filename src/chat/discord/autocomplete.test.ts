import { describe, expect, it } from "vitest";
import { toChoices } from "./autocomplete.ts";

describe("suggestions as Discord choices", () => {
  it("answers at most 25 choices, with values and names Discord accepts", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ label: `s${i}`, value: `s${i}` }));
    const out = toChoices([{ label: "long", value: "x".repeat(101) }, ...many]);
    expect(out).toHaveLength(25);
    expect(out[0]).toEqual({ name: "s0", value: "s0" });
    expect(out.every((c) => c.value.length <= 100)).toBe(true);
    const [named] = toChoices([{ label: "n".repeat(150), value: "v" }]);
    expect(named?.name.length).toBeLessThanOrEqual(100);
  });
});
