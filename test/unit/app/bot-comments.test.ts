import { describe, expect, it } from "vitest";
import { botMarkedComments, findReview, isApprovable } from "../../../src/app/bot-comments.js";
import { writeMarker } from "../../../src/render/marker.js";
import { testAppSigner } from "../../helpers/app-key.js";

const T = "2026-01-01T00:00:00Z";
const K = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const PLACE = { owner: "owner", repo: "repo", issueNumber: 1 };
const review = (cid: string) =>
  testAppSigner.sign(
    `${writeMarker({ kind: "review", v: 1, key: K, cid, result: `${cid}r`, target: K, state: "ready" })}\nbody`,
    PLACE,
  );
const verifies = (body: string) => testAppSigner.verify(body, PLACE);

describe("the bot's marked comments", () => {
  it("trusts a marker only in a comment the bot itself wrote", () => {
    const comments = [
      {
        id: 1,
        body: review("bafyforgedbyaperson"),
        login: "mallory",
        userType: "User",
        writtenAt: T,
        createdAt: T,
      },
      {
        id: 2,
        body: review("bafyimpostorbot"),
        login: "nomad-patch[bot]",
        userType: "User",
        writtenAt: T,
        createdAt: T,
      },
      {
        id: 3,
        body: review("bafyotherbot"),
        login: "other[bot]",
        userType: "Bot",
        writtenAt: T,
        createdAt: T,
      },
      {
        id: 4,
        body: review("bafyreal"),
        login: "nomad-patch[bot]",
        userType: "Bot",
        writtenAt: T,
        createdAt: T,
      },
      { id: 5, body: "no marker", login: "nomad-patch[bot]", userType: "Bot", writtenAt: T, createdAt: T },
    ];
    const { marked } = botMarkedComments(comments, "nomad-patch[bot]", verifies);
    expect(marked.map((c) => c.id)).toEqual([4]);
    expect(findReview(marked, K)?.marker.cid).toBe("bafyreal");
  });

  it("trusts none of the bot's own comments whose signature does not verify, and says which they are", () => {
    const bot = { login: "nomad-patch[bot]", userType: "Bot", writtenAt: T, createdAt: T };
    const signed = review("bafyreal");
    const unsigned = `${writeMarker({ kind: "review", v: 1, key: K, cid: "bafylegacy", result: "bafylegacyr", target: K, state: "ready" })}\nbody`;
    const comments = [
      { id: 1, body: signed, ...bot },
      { id: 2, body: signed.replace("bafyreal", "bafyswapd"), ...bot },
      { id: 3, body: signed.replace("\nbody", "\nanother body"), ...bot },
      { id: 4, body: unsigned, ...bot },
      { id: 5, body: testAppSigner.sign(unsigned, { ...PLACE, issueNumber: 2 }), ...bot },
      { id: 6, body: signed.replace(/\n/g, "\r\n"), ...bot },
    ];
    const { marked, untrusted } = botMarkedComments(comments, "nomad-patch[bot]", verifies);
    expect(marked.map((c) => c.id)).toEqual([1, 6]);
    expect(untrusted.map((c) => [c.id, c.claims?.kind === "review" && c.claims.cid])).toEqual([
      [2, "bafyswapd"],
      [3, "bafyreal"],
      [4, "bafylegacy"],
      [5, "bafylegacy"],
    ]);
  });

  it("lets an approval bind only to a review with both CIDs", () => {
    const base = { kind: "review", v: 1, key: K, target: K } as const;
    expect(isApprovable({ ...base, cid: "bafya1", result: "bafyb1", state: "ready" })).toBe(true);
    expect(isApprovable({ ...base, cid: "bafya1", result: "bafyb1", state: "needs-review" })).toBe(true);
    expect(isApprovable({ ...base, cid: "bafya1", result: null, state: "cannot-predict" })).toBe(false);
    expect(isApprovable({ ...base, cid: "bafya1", result: "bafyb1", state: "refused" })).toBe(false);
    expect(isApprovable({ ...base, cid: null, result: null, state: "resolving" })).toBe(false);
  });
});
