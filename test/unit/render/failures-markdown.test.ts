import { describe, expect, it } from "vitest";
import { renderFailureMarkdown } from "../../../src/render/failure-markdown.js";
import { renderFailuresMarkdown } from "../../../src/render/failures-markdown.js";
import { parseMarker } from "../../../src/render/marker.js";
import { renderSlowDownMarkdown } from "../../../src/render/slow-down-markdown.js";

const A = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const B = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";
const missing = { code: "NOT_FOUND", message: "The key does not resolve.", hint: "Publish it first." };

describe("the one reply for a comment's keys that could not be reviewed", () => {
  it("is the key's own sticky failure comment when there is one key", () => {
    const one = { key: A, ...missing, refreshCommand: "/refresh" };
    expect(renderFailuresMarkdown([one])).toBe(renderFailureMarkdown(one));
  });

  it("lists several keys in one status comment, each with its reason, hints once", () => {
    const markdown = renderFailuresMarkdown([
      { key: A, ...missing },
      { key: B, ...missing },
    ]);
    expect(parseMarker(markdown)).toEqual({ kind: "status", v: 1, state: "failed", key: null, cid: null });
    expect(markdown).toContain("Could not review 2 patch requests");
    expect(markdown).toContain(`- \`${A}\`: The key does not resolve. \`NOT_FOUND\``);
    expect(markdown).toContain(`- \`${B}\`: The key does not resolve. \`NOT_FOUND\``);
    expect(markdown.match(/Publish it first/g)).toHaveLength(1);
    expect(markdown).toContain("Nothing was applied.");
  });

  it("tells a person over the hourly keys what the limit is", () => {
    const markdown = renderSlowDownMarkdown({ keysPerHour: 30 });
    expect(parseMarker(markdown)).toMatchObject({ kind: "status", state: "failed" });
    expect(markdown).toContain("at most 30 patch keys per person per hour");
  });
});
