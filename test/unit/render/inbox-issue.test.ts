import { describe, expect, it } from "vitest";
import { findKeys } from "../../../src/app/find-keys.js";
import { parseInboxIssueMarker, renderInboxIssue } from "../../../src/render/inbox-issue-markdown.js";

const KEY = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const TARGET = "k51qzi5uqu5dhaf7bp3ve33l89r82rwc7jz34kvlq1gsaxy7qf67ftoly5exyq";
const PEER = "12D3KooWAbCdEfGhJkLmNpQrStUvWxYz1234567890abcdefghij";

describe("the issue opened for an inbox arrival", () => {
  it("has the patch's title, a Patch: line a person would write, the peer, and a marker read back", () => {
    const { title, body } = renderInboxIssue({ key: KEY, target: TARGET, title: "Rename", from: PEER });
    expect(title).toBe("Patch request: Rename");
    expect(body.startsWith(`Patch: ${KEY}\n`)).toBe(true);
    expect(body).toContain(PEER);
    // The patch key comes first and is offered; the target and the peer are only mentioned.
    const [first, ...rest] = findKeys(body, { offered: false, max: 5 });
    expect(first).toEqual({ key: KEY, offered: true });
    expect(rest.every((found) => !found.offered)).toBe(true);
    expect(parseInboxIssueMarker(body)).toEqual({ key: KEY, target: TARGET });
  });

  it("keeps a stranger's title to one bounded line, invisible characters shown, and its name from mentioning anyone", () => {
    const { title, body } = renderInboxIssue({
      key: KEY,
      target: TARGET,
      targetName: "@octo [x](https://evil)",
      title: `Fix\n\u202Eevil\u0000 ${"x".repeat(500)}`,
      from: PEER,
    });
    expect([...title].some((char) => char === "\n" || char === "\u0000" || char === "\u202E")).toBe(false);
    expect(title).toContain("⟨U+202E⟩");
    expect(title.length).toBeLessThanOrEqual(140);
    expect(body).not.toContain("@octo");
    expect(body).not.toContain("[x](https://evil)");
    expect(renderInboxIssue({ key: KEY, target: TARGET, title: " \n ", from: PEER }).title).toBe(
      "Patch request: (untitled)",
    );
  });

  it("reads no marker from a body without a well-formed one", () => {
    expect(parseInboxIssueMarker(undefined)).toBeUndefined();
    expect(parseInboxIssueMarker(`Patch: ${KEY}`)).toBeUndefined();
    expect(
      parseInboxIssueMarker(`<!-- nomad-patch:inbox {"v":2,"key":"${KEY}","target":"${TARGET}"} -->`),
    ).toBeUndefined();
    expect(
      parseInboxIssueMarker(`<!-- nomad-patch:inbox {"v":1,"key":"x","target":"${TARGET}"} -->`),
    ).toBeUndefined();
    expect(parseInboxIssueMarker("<!-- nomad-patch:inbox {not json} -->")).toBeUndefined();
  });
});
