import { describe, expect, it } from "vitest";
import { parseParameters, secretProblem, TOOL_NAME } from "./api";

describe("tool integration form rules (the server's, checked before sending)", () => {
  it("accepts an object schema and says what is wrong with anything else", () => {
    expect(parseParameters('{"type": "object", "properties": {}}').error).toBeNull();
    expect(parseParameters("{not json").error).toBe("Not valid JSON.");
    expect(parseParameters("[1]").error).toBe("The schema must be a JSON object.");
    expect(parseParameters('{"type": "string"}').error).toBe('The schema needs "type": "object".');
  });

  it("checks a typed secret but lets an empty one through (Baton generates it)", () => {
    expect(secretProblem("")).toBeNull();
    expect(secretProblem("short")).toBe("Use 16 to 200 characters.");
    expect(secretProblem("has a space in it, sadly")).toBe("No spaces.");
    expect(secretProblem("a-long-enough-secret")).toBeNull();
  });

  it("follows the registry's tool name rule", () => {
    expect(TOOL_NAME.test("get_order_status")).toBe(true);
    expect(TOOL_NAME.test("1st_tool")).toBe(false);
    expect(TOOL_NAME.test("with-dash")).toBe(false);
  });
});
