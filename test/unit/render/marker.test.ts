import { describe, expect, it, vi } from "vitest";
import { type Marker, parseMarker, writeMarker } from "../../../src/render/marker.js";
import { fakeCid, fakeKey } from "./review-builder.js";

const review: Marker = {
  kind: "review",
  v: 1,
  key: fakeKey("p"),
  cid: fakeCid("c"),
  result: null,
  target: fakeKey("t"),
  state: "ready",
};
const status: Marker = { kind: "status", v: 1, state: "denied", key: null, cid: null };

describe("writeMarker / parseMarker", () => {
  it("round-trips review and status markers, alone or as a comment's first line", () => {
    expect(parseMarker(writeMarker(review))).toEqual(review);
    expect(parseMarker(`${writeMarker(status)}\n\nsome text`)).toEqual(status);
    expect(parseMarker(`${writeMarker(review)}\r\nwindows line ending`)).toEqual(review);
  });

  it("writes the documented line shape", () => {
    expect(writeMarker(status)).toBe(
      '<!-- nomad-patch:status {"v":1,"state":"denied","key":null,"cid":null} -->',
    );
  });

  it("refuses to write a marker that could not be read back", () => {
    expect(() => writeMarker({ ...review, key: "k51 -->" })).toThrow(/nomad-patch: refusing/);
    expect(() => writeMarker({ ...review, cid: "<img>" })).toThrow(/nomad-patch: refusing/);
  });

  const line = (json: string, kind = "review") => `<!-- nomad-patch:${kind} ${json} -->`;
  const valid = JSON.stringify({
    v: 1,
    key: review.key,
    cid: review.cid,
    result: null,
    target: null,
    state: "ready",
  });

  it.each([
    ["not a string", 42],
    ["empty", ""],
    ["not first", `hello\n${line(valid)}`],
    ["leading space", ` ${line(valid)}`],
    ["unknown kind", line(valid, "other")],
    ["broken JSON", line("{not json}")],
    ["JSON array", line("[1,2]")],
    ["wrong version", line(valid.replace('"v":1', '"v":2'))],
    ["unknown state", line(valid.replace('"ready"', '"applied-by-me"'))],
    ["extra key", line(valid.replace("{", '{"admin":true,'))],
    ["proto pollution", line(valid.replace("{", '{"__proto__":{"polluted":1},'))],
    ["key with markup", line(valid.replace(review.key, "k51<img src=x>"))],
    ["cid too long", line(valid.replace(String(review.cid), `b${"a".repeat(300)}`))],
    ["missing field", line(JSON.stringify({ v: 1, key: review.key, state: "ready" }))],
    [
      "status fields in a review marker",
      line(JSON.stringify({ v: 1, state: "denied", key: null, cid: null })),
    ],
    ["no closing", `<!-- nomad-patch:review ${valid}`],
    ["trailing text on the line", `${line(valid)} x`],
    ["oversized line", line(valid.replace("{", `{"pad":"${"a".repeat(1000)}",`))],
  ])("returns undefined for a hostile or malformed marker: %s", (_name, body) => {
    expect(parseMarker(body)).toBeUndefined();
  });

  it("does not pollute prototypes while parsing", () => {
    parseMarker(line('{"__proto__":{"polluted":1},"v":1}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a huge hostile body before parsing any of it", () => {
    const parse = vi.spyOn(JSON, "parse");
    try {
      expect(parseMarker(`<!-- nomad-patch:review {${'"a":'.repeat(200_000)}`)).toBeUndefined();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
