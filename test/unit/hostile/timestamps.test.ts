import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../src/errors.js";
import { formatTimestamp, parseTimestampDetailed } from "../../../src/nomad/index.js";
import corpus from "../../fixtures/hostile/timestamps.json" with { type: "json" };

/** Extreme and malformed `TimestampUtc` values, from the crafted corpus: each accepted as .NET would, or refused. */
describe("extreme and malformed timestamps", () => {
  for (const { text, form, why, ...rest } of corpus.accepted) {
    it(`accepts ${JSON.stringify(text)} (${why})`, () => {
      const parsed = parseTimestampDetailed(text, "entry/TimestampUtc");
      expect(parsed.form).toBe(form);
      // The corpus writes them without trailing zeros, as Newtonsoft does: they re-encode unchanged, or as
      // the `utc` spelling the corpus gives (the next midnight for hour 24, `Z` for `z`).
      const utc = "utc" in rest ? rest.utc : text;
      if (form === "utc") expect(formatTimestamp(parsed.ticks)).toBe(utc);
    });
  }

  for (const { text, why } of corpus.refused) {
    it(`refuses ${JSON.stringify(text)} (${why})`, () => {
      const refuse = () => parseTimestampDetailed(text, "entry/TimestampUtc");
      expect(refuse).toThrow(DecodeError);
      expect(refuse).toThrow(/\(at entry\/TimestampUtc\)$/);
    });
  }

  it("refuses values that are not strings, saying what came", () => {
    expect(() => parseTimestampDetailed(1748772000, "t")).toThrow("got number");
    expect(() => parseTimestampDetailed(null, "t")).toThrow("got object");
  });

  it("orders the extremes: year 0001 before the epoch before year 9999", () => {
    const ticks = ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z"].map(
      (t) => parseTimestampDetailed(t).ticks,
    );
    expect(ticks[0]! < ticks[1]! && ticks[1]! < ticks[2]!).toBe(true);
    expect(ticks[1]).toBe(0n);
  });
});
