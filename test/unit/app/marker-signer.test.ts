import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appMarkerSigner, markerSigner } from "../../../src/app/marker-signer.js";
import { renderInboxIssue } from "../../../src/render/inbox-issue-markdown.js";
import { parseMarker, splitSignature, writeMarker } from "../../../src/render/marker.js";
import { TEST_APP_PRIVATE_KEY, testAppSigner } from "../../helpers/app-key.js";

const K = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const PLACE = { owner: "Owner", repo: "Repo", issueNumber: 7 };
const marker = writeMarker({
  kind: "review",
  v: 1,
  key: K,
  cid: "bafyreviewed",
  result: "bafyresult",
  target: K,
  state: "refused",
  author: "stranger",
});
const BODY = `${marker}\n### Patch request\n\n\`\`\`diff\n- old\n+ new\n\`\`\`\n`;

describe("the comment signer", () => {
  it("signs a comment so that it verifies, and its marker still reads as written", () => {
    const signed = testAppSigner.sign(BODY, PLACE);
    expect(signed).not.toBe(BODY);
    expect(signed.split("\n")[0]).toMatch(/,"sig":"[A-Za-z0-9_-]{43}"\} -->$/);
    expect(signed.split("\n").slice(1)).toEqual(BODY.split("\n").slice(1));
    expect(testAppSigner.verify(signed, PLACE)).toBe(true);
    expect(parseMarker(signed)).toEqual(parseMarker(BODY));
    expect(splitSignature(signed).unsigned).toBe(BODY);
  });

  it("signs the same text the same way, and signing a signed text again changes nothing", () => {
    const signed = testAppSigner.sign(BODY, PLACE);
    expect(testAppSigner.sign(BODY, PLACE)).toBe(signed);
    expect(testAppSigner.sign(signed, PLACE)).toBe(signed);
  });

  it("fails on any edit of the marker: author, CID, state", () => {
    const signed = testAppSigner.sign(BODY, PLACE);
    for (const [from, to] of [
      ['"author":"stranger"', '"author":"the-admin"'],
      ['"cid":"bafyreviewed"', '"cid":"bafyswapped1"'],
      ['"state":"refused"', '"state":"ready"'],
    ] as const) {
      const edited = signed.replace(from, to);
      expect(edited).not.toBe(signed);
      expect(parseMarker(edited)).toBeDefined();
      expect(testAppSigner.verify(edited, PLACE)).toBe(false);
    }
  });

  it("fails on an edit of the text a reader sees, however small", () => {
    const signed = testAppSigner.sign(BODY, PLACE);
    expect(testAppSigner.verify(signed.replace("+ new", "+ nEw"), PLACE)).toBe(false);
    expect(testAppSigner.verify(`${signed}\nappended`, PLACE)).toBe(false);
    expect(testAppSigner.verify(signed.replace("- old\n", ""), PLACE)).toBe(false);
  });

  it("still verifies after a web edit that only changed the line endings", () => {
    const signed = testAppSigner.sign(BODY, PLACE);
    expect(testAppSigner.verify(signed.replace(/\n/g, "\r\n"), PLACE)).toBe(true);
  });

  it("still verifies when only whitespace at the very end changed, and not when text was added after it", () => {
    const signed = testAppSigner.sign(BODY, PLACE);
    expect(signed.endsWith("\n")).toBe(true);
    expect(testAppSigner.verify(signed.trimEnd(), PLACE)).toBe(true);
    expect(testAppSigner.verify(`${signed}\n\n  `, PLACE)).toBe(true);
    expect(testAppSigner.verify(`${signed.trimEnd()} `, PLACE)).toBe(true);
    expect(testAppSigner.verify(`${signed}.`, PLACE)).toBe(false);
  });

  it("binds a signature to its repository and issue: copied elsewhere, it fails", () => {
    const signed = testAppSigner.sign(BODY, PLACE);
    expect(testAppSigner.verify(signed, { ...PLACE, issueNumber: 8 })).toBe(false);
    expect(testAppSigner.verify(signed, { ...PLACE, repo: "other" })).toBe(false);
    expect(testAppSigner.verify(signed, { ...PLACE, owner: "someone" })).toBe(false);
    // GitHub's names are case-insensitive: the same issue, however it is spelled.
    expect(testAppSigner.verify(signed, { owner: "owner", repo: "REPO", issueNumber: 7 })).toBe(true);
  });

  it("trusts no marker without a signature, nor one with a signature of the wrong form", () => {
    expect(testAppSigner.verify(BODY, PLACE)).toBe(false);
    const signed = testAppSigner.sign(BODY, PLACE);
    const sig = splitSignature(signed).sig ?? "";
    expect(testAppSigner.verify(signed.replace(sig, sig.slice(1)), PLACE)).toBe(false);
    // Every other last character, including those that decode to the same bytes (base64url's spare bits).
    for (const last of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".replace(
      sig.at(-1) ?? "",
      "",
    ))
      expect(testAppSigner.verify(signed.replace(sig, `${sig.slice(0, -1)}${last}`), PLACE)).toBe(false);
    expect(testAppSigner.verify("no marker at all", PLACE)).toBe(false);
    expect(testAppSigner.sign("no marker at all", PLACE)).toBe("no marker at all");
  });

  it("derives its key from the app's private key: another key's signatures fail", () => {
    const other = appMarkerSigner(
      generateKeyPairSync("rsa", { modulusLength: 2048 })
        .privateKey.export({ type: "pkcs1", format: "pem" })
        .toString(),
    );
    expect(other.verify(testAppSigner.sign(BODY, PLACE), PLACE)).toBe(false);
    expect(testAppSigner.verify(other.sign(BODY, PLACE), PLACE)).toBe(false);
  });

  it("derives the same key from the same private key in PKCS#1 or PKCS#8 form", async () => {
    const { createPrivateKey } = await import("node:crypto");
    const pkcs8 = createPrivateKey(TEST_APP_PRIVATE_KEY).export({ type: "pkcs8", format: "pem" }).toString();
    expect(appMarkerSigner(pkcs8).verify(testAppSigner.sign(BODY, PLACE), PLACE)).toBe(true);
  });

  it("refuses a secret too short to be a key", () => {
    expect(() => markerSigner(new Uint8Array(16))).toThrow(/at least 32 bytes/);
  });

  it("signs every kind of marker the bot writes", () => {
    const status = `${writeMarker({ kind: "status", v: 1, state: "applied", key: K, cid: "bafyreviewed" })}\nApplied.`;
    const signed = testAppSigner.sign(status, PLACE);
    expect(testAppSigner.verify(signed, PLACE)).toBe(true);
    expect(testAppSigner.verify(signed.replace('"applied"', '"rejected"'), PLACE)).toBe(false);
  });
});

describe("the inbox issue's marker signature", () => {
  const TARGET = "k51qzi5uqu5dhaf7bp3ve33l89r82rwc7jz34kvlq1gsaxy7qf67ftoly5exyq";
  const OTHER = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v9";
  const REPOSITORY = { owner: "Owner", repo: "Repo" };
  const issue = renderInboxIssue({ key: K, target: TARGET, title: "Rename", from: "12D3KooWPeer" });
  const signed = testAppSigner.signInboxIssue(issue.body, REPOSITORY);

  it("signs the marker for the repository: it reads back there, in any case of its name, and the text around it may change", () => {
    expect(signed.split("\n").at(-1)).toMatch(/,"sig":"[A-Za-z0-9_-]{43}"\} -->$/);
    expect(signed.split("\n").slice(0, -1)).toEqual(issue.body.split("\n").slice(0, -1));
    expect(testAppSigner.readInboxIssue(signed, REPOSITORY)).toEqual({ key: K, target: TARGET });
    expect(testAppSigner.readInboxIssue(signed, { owner: "owner", repo: "REPO" })).toEqual({
      key: K,
      target: TARGET,
    });
    // A maintainer's note above the marker, saved by the web editor with \r\n: the marker still reads.
    const noted = `A note from a maintainer.\r\n\r\n${signed.replace(/\n/g, "\r\n")}`;
    expect(testAppSigner.readInboxIssue(noted, REPOSITORY)).toEqual({ key: K, target: TARGET });
  });

  it("reads nothing from an edited, unsigned or foreign marker", () => {
    const edits = [
      signed.replace(`"key":"${K}"`, `"key":"${OTHER}"`),
      signed.replace(`"target":"${TARGET}"`, `"target":"${OTHER}"`),
      signed.replace(/,"sig":"[^"]*"/, ""),
      signed.replace(/"sig":"(.)/, (_m, c: string) => `"sig":"${c === "A" ? "B" : "A"}`),
      issue.body,
      signed.replace(/\n<!-- nomad-patch:inbox [^\n]* -->$/, ""),
    ];
    for (const edited of edits) expect(testAppSigner.readInboxIssue(edited, REPOSITORY)).toBeUndefined();
    expect(testAppSigner.readInboxIssue(signed, { owner: "Owner", repo: "Elsewhere" })).toBeUndefined();
    expect(appMarkerSigner(otherPrivateKey()).readInboxIssue(signed, REPOSITORY)).toBeUndefined();
    // A comment's signature and an inbox issue's are made with different labels: neither stands for the other.
    expect(testAppSigner.verify(signed, { ...REPOSITORY, issueNumber: 1 })).toBe(false);
  });

  it("refuses to sign a body without exactly one unsigned marker: a bug, not input", () => {
    expect(() => testAppSigner.signInboxIssue("Patch: k51", REPOSITORY)).toThrow(/inbox marker/);
    expect(() => testAppSigner.signInboxIssue(signed, REPOSITORY)).toThrow(/inbox marker/);
    expect(() => testAppSigner.signInboxIssue(`${issue.body}\n${issue.body}`, REPOSITORY)).toThrow(
      /inbox marker/,
    );
  });
});

function otherPrivateKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
}
