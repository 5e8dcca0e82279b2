import { describe, expect, it } from "vitest";
import { addDays, change, daysBetween, formatDuration, formatRate, presetRange, previousRange, rangeProblem, todayIn } from "./range";

describe("date ranges", () => {
  it("moves across months, years and leap days", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-11-01", "2026-11-30")).toBe(30);
  });

  it("gives presets ending today and the previous period of the same length", () => {
    expect(presetRange("7d", "2026-11-10")).toEqual({ from: "2026-11-04", to: "2026-11-10" });
    expect(presetRange("today", "2026-11-10")).toEqual({ from: "2026-11-10", to: "2026-11-10" });
    expect(previousRange("2026-11-04", "2026-11-10")).toEqual({ from: "2026-10-28", to: "2026-11-03" });
    expect(previousRange("2026-11-10", "2026-11-10")).toEqual({ from: "2026-11-09", to: "2026-11-09" });
  });

  it("reads today in the dashboard's timezone", () => {
    const now = new Date("2026-11-03T02:00:00Z");
    expect(todayIn("UTC", now)).toBe("2026-11-03");
    expect(todayIn("America/New_York", now)).toBe("2026-11-02");
  });

  it("explains a bad custom range", () => {
    expect(rangeProblem("2026-11-02", "2026-11-01")).toMatch(/after/);
    expect(rangeProblem("", "2026-11-01")).toMatch(/both/);
    expect(rangeProblem("2026-02-30", "2026-03-01")).toMatch(/both/);
    expect(rangeProblem("2020-01-01", "2026-01-01")).toMatch(/1,100/);
    expect(rangeProblem("2026-11-01", "2026-11-01")).toBeNull();
  });
});

describe("figures", () => {
  it("shows durations and rates plainly", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(125)).toBe("2m 05s");
    expect(formatDuration(3900)).toBe("1h 05m");
    expect(formatDuration(233100)).toBe("2d 16h");
    expect(formatRate(0.5714)).toBe("57.1%");
  });

  it("says whether a change is good for the figure", () => {
    expect(change(12, 10, "count", true)).toEqual({ text: "+20%", tone: "good" });
    expect(change(120, 60, "duration", false)).toEqual({ text: "+100%", tone: "bad" });
    expect(change(0.5, 0.4, "rate", true)).toEqual({ text: "+10.0 pts", tone: "good" });
    expect(change(3, 0, "count", true)).toEqual({ text: "new", tone: "good" });
    expect(change(5, 5, "count", true)).toEqual({ text: "no change", tone: "flat" });
    expect(change(null, 5, "count", true)).toBeNull();
  });
});
