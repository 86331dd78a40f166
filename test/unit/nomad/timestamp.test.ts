import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../src/errors.js";
import {
  formatTimestamp,
  parseTimestamp,
  parseTimestampDetailed,
  ticksFromMilliseconds,
} from "../../../src/nomad/timestamp.js";

describe("timestamps", () => {
  it("reads Newtonsoft's forms at 100 ns precision", () => {
    const base = parseTimestamp("2025-06-01T10:00:00Z");
    expect(base).toBe(ticksFromMilliseconds(Date.parse("2025-06-01T10:00:00Z")));
    expect(parseTimestamp("2025-06-01T10:00:00.1234567Z") - base).toBe(1_234_567n);
    expect(parseTimestamp("2025-06-01T10:00:01.5Z") - base).toBe(15_000_000n);
  });

  it("orders .0000001Z after .0000000Z, which a JavaScript Date cannot", () => {
    const a = parseTimestamp("2025-06-02T08:30:00Z");
    const b = parseTimestamp("2025-06-02T08:30:00.0000001Z");
    expect(b - a).toBe(1n);
    expect(Date.parse("2025-06-02T08:30:00.0000001Z")).toBe(Date.parse("2025-06-02T08:30:00Z"));
  });

  it("writes exactly like Newtonsoft: trailing zeros trimmed, Z suffix", () => {
    for (const text of [
      "2025-06-01T10:00:00.1234567Z",
      "2025-06-01T10:00:01.5Z",
      "2025-06-01T10:05:00Z",
      "2025-06-02T08:30:00.0000001Z",
    ]) {
      expect(formatTimestamp(parseTimestamp(text))).toBe(text);
    }
    expect(formatTimestamp(parseTimestamp("2025-06-01T10:00:00.5000000Z"))).toBe("2025-06-01T10:00:00.5Z");
    expect(formatTimestamp(0n)).toBe("1970-01-01T00:00:00Z");
    expect(formatTimestamp(-1n)).toBe("1969-12-31T23:59:59.9999999Z");
  });

  it("round-trips any instant from year 1 to 9999", () => {
    const min = parseTimestamp("0001-01-01T00:00:00Z");
    const max = parseTimestamp("9999-12-31T23:59:59.9999999Z");
    fc.assert(
      fc.property(fc.bigInt({ min, max }), (ticks) => {
        expect(parseTimestamp(formatTimestamp(ticks))).toBe(ticks);
      }),
    );
  });

  it("agrees with Date for millisecond instants", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        expect(parseTimestamp(new Date(ms).toISOString())).toBe(ticksFromMilliseconds(ms));
      }),
    );
  });

  it("normalises an offset or a missing zone to UTC and says so", () => {
    expect(parseTimestampDetailed("2025-06-01T12:00:00+02:00")).toEqual({
      ticks: parseTimestamp("2025-06-01T10:00:00Z"),
      form: "offset",
    });
    expect(parseTimestampDetailed("2025-06-01T10:00:00-00:30").ticks).toBe(
      parseTimestamp("2025-06-01T10:30:00Z"),
    );
    expect(parseTimestampDetailed("2025-06-01T10:00:00").form).toBe("unzoned");
  });

  // Newtonsoft's DateTimeParser (what every C# device reads TimestampUtc with) accepts these; on a UTC
  // machine an offset becomes the UTC instant and unzoned times count as UTC, and ordering compares ticks.
  it.each([
    ["2025-06-01T10:00:00z", "2025-06-01T10:00:00Z", "utc"],
    ["2025-06-01T12:00:00+0200", "2025-06-01T10:00:00Z", "offset"],
    ["2025-06-01T12:00:00+02", "2025-06-01T10:00:00Z", "offset"],
    ["2025-06-01T08:30:00-0130", "2025-06-01T10:00:00Z", "offset"],
    ["2025-06-01T24:00:00Z", "2025-06-02T00:00:00Z", "utc"],
    ["2025-12-31T24:00:00", "2026-01-01T00:00:00Z", "unzoned"],
    ["2025-06-05T14:39:00+99:99", "2025-06-01T10:00:00Z", "offset"],
    ["2025-06-01T10:00:00-99:99", "2025-06-05T14:39:00Z", "offset"],
    ["2025-06-01T12:00:00.5+02:00", "2025-06-01T10:00:00.5Z", "offset"],
  ])("reads %j as C# does: %s", (text, utc, form) => {
    expect(parseTimestampDetailed(text)).toEqual({ ticks: parseTimestamp(utc), form });
  });

  it.each([
    ["2025-06-01T10:00:00.12345678Z", /at most 7 fractional digits/],
    ["2025-02-30T10:00:00Z", /does not exist/],
    ["2025-06-01T24:00:00.5Z", /time of day/],
    ["2025-06-01T24:00:01Z", /time of day/],
    ["2025-06-01T25:00:00Z", /time of day/],
    ["2025-06-01T10:00:00+2", /Expected a timestamp/],
    ["2025-06-01T10:00:00+02:0", /Expected a timestamp/],
    ["2025-06-01 10:00:00Z", /Expected a timestamp/],
    ["2025-06-01t10:00:00z", /Expected a timestamp/],
    ["", /Expected a timestamp/],
  ])("refuses %j", (text, message) => {
    expect(() => parseTimestamp(text, "bafy/TimestampUtc")).toThrow(message);
    expect(() => parseTimestamp(text, "bafy/TimestampUtc")).toThrow(/at bafy\/TimestampUtc/);
  });

  it("refuses non-strings with a DecodeError", () => {
    expect(() => parseTimestamp(1_700_000_000, "x")).toThrow(DecodeError);
    expect(() => parseTimestamp(null, "x")).toThrow(/got object/);
  });
});
