import { describe, expect, it } from "vitest";
import { botMarkedComments, findReview, isApprovable } from "../../../src/app/bot-comments.js";
import { writeMarker } from "../../../src/render/marker.js";

const T = "2026-01-01T00:00:00Z";
const K = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const review = (cid: string) =>
  `${writeMarker({ kind: "review", v: 1, key: K, cid, result: `${cid}r`, target: K, state: "ready" })}\nbody`;

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
    const marked = botMarkedComments(comments, "nomad-patch[bot]");
    expect(marked.map((c) => c.id)).toEqual([4]);
    expect(findReview(marked, K)?.marker.cid).toBe("bafyreal");
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
