import { describe, expect, it } from "vitest";
import { AVATAR_COLORS, avatarColor, initials } from "./avatar";

describe("avatar", () => {
  it("takes the first letters of the first and last words", () => {
    expect(initials("Vera Visitor")).toBe("VV");
    expect(initials("ada")).toBe("A");
    expect(initials("Jean-Luc de la Tour")).toBe("JT");
    expect(initials("Visitor 2939")).toBe("V2");
    expect(initials("  Łukasz   Żak ")).toBe("ŁŻ");
    expect(initials("(no name) ")).toBe("NN");
    expect(initials("")).toBe("?");
    expect(initials("🙂")).toBe("?");
  });

  it("gives one person one colour, from the palette", () => {
    const id = "01a2363d-82fc-73fd-810a-75312566bc2a";
    expect(avatarColor(id)).toBe(avatarColor(id));
    expect(AVATAR_COLORS).toContain(avatarColor(id));
    const spread = new Set(Array.from({ length: 50 }, (_, i) => avatarColor(`visitor-${i}`)));
    expect(spread.size).toBeGreaterThan(5);
  });
});
