import { describe, expect, it } from "vitest";
import type { MarkedComment } from "../../../src/app/bot-comments.js";
import { approvedAfter, chooseReview } from "../../../src/app/choose-review.js";
import type { ReviewMarker, ReviewState } from "../../../src/render/marker.js";

const K1 = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const K2 = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";
let id = 0;
const review = (key: string, cid: string, state: ReviewState = "ready"): MarkedComment<ReviewMarker> => ({
  id: ++id,
  writtenAt: "2026-01-01T00:00:10Z",
  createdAt: "2026-01-01T00:00:10Z",
  marker: { kind: "review", v: 1, key, cid, result: `${cid}r`, target: K1, state },
});

describe("chooseReview", () => {
  it("takes the one approvable review, and only the current one per key", () => {
    const old = review(K1, "bafyreiold111111", "superseded");
    const now = review(K1, "bafyreinew222222");
    expect(chooseReview([old, now], undefined)).toEqual({ kind: "chosen", review: now });
    expect(chooseReview([review(K1, "bafyreirefused1", "refused")], undefined)).toEqual({ kind: "none" });
  });

  it("asks when several are approvable and none is named, or a prefix names several", () => {
    const a = review(K1, "bafyreiaaaa1111");
    const b = review(K2, "bafyreiaaab2222");
    expect(chooseReview([a, b], undefined)).toMatchObject({ kind: "ambiguous", reviews: [a, b] });
    expect(chooseReview([a, b], "bafyrei")).toMatchObject({ kind: "unknown-version" });
    expect(chooseReview([a, b], "bafyreiaaa")).toMatchObject({ kind: "ambiguous", reviews: [a, b] });
    expect(chooseReview([a, b], "bafyreiaaab")).toEqual({ kind: "chosen", review: b });
    expect(chooseReview([a, b], "k51qzi5uqu5d")).toMatchObject({ kind: "ambiguous" });
  });

  it("takes the review a CID or key prefix names, and tells an old version from an unknown one", () => {
    const old = review(K1, "bafyreiold111111", "superseded");
    const a = review(K1, "bafyreiaaaa1111");
    const b = review(K2, "bafyreibbbb2222");
    expect(chooseReview([old, a, b], "bafyreibbbb")).toEqual({ kind: "chosen", review: b });
    expect(chooseReview([old, a, b], K1.slice(0, 20))).toEqual({ kind: "chosen", review: a });
    expect(chooseReview([old, a, b], "bafyreiold1")).toMatchObject({ kind: "not-current", reviews: [a, b] });
    expect(chooseReview([old, a, b], "bafyreizzzz")).toMatchObject({ kind: "unknown-version" });
  });

  it("takes no version from a prefix that also starts a superseded one: it may be that one's approval", () => {
    const old = review(K1, "bafyreiaold11111", "superseded");
    const now = review(K1, "bafyreianew22222");
    expect(chooseReview([old, now], "bafyreia")).toMatchObject({ kind: "not-current", reviews: [now] });
    expect(chooseReview([old, now], "bafyreian")).toEqual({ kind: "chosen", review: now });
    expect(chooseReview([old, now], "bafyreiao")).toMatchObject({ kind: "not-current", reviews: [now] });
  });
});

describe("chooseReview by revision number", () => {
  const withRevs = (
    key: string,
    cid: string,
    revs: { n: number; cid: string }[],
    state: ReviewState = "ready",
  ): MarkedComment<ReviewMarker> => {
    const base = review(key, cid, state);
    const at = "2026-01-01T00:00:00Z";
    return { ...base, marker: { ...base.marker, revs: revs.map((r) => ({ ...r, at })) } };
  };
  const r1 = { n: 1, cid: "bafyreione111111" };
  const r2 = { n: 2, cid: "bafyreitwo222222" };

  it("takes the key's current revision, and names the older one an approval asked for", () => {
    const old = withRevs(K1, r1.cid, [r1], "superseded");
    const now = withRevs(K1, r2.cid, [r1, r2]);
    expect(chooseReview([old, now], "r2")).toEqual({ kind: "chosen", review: now });
    expect(chooseReview([old, now], "R2")).toEqual({ kind: "chosen", review: now });
    expect(chooseReview([old, now], "r1")).toMatchObject({
      kind: "not-current",
      older: { key: K1, named: { n: 1, cid: r1.cid }, current: { n: 2, cid: r2.cid } },
    });
    // A CID prefix of r1 names r1 as well.
    expect(chooseReview([old, now], "bafyreione")).toMatchObject({
      kind: "not-current",
      older: { named: { n: 1 }, current: { n: 2 } },
    });
  });

  it("refuses numbers no revision has, and more than one version named", () => {
    const now = withRevs(K1, r2.cid, [r1, r2]);
    for (const named of ["r3", "r0", "r01", "r99999999999", "r1234567890"])
      expect(chooseReview([now], named)).toMatchObject({ kind: "unknown-version" });
    expect(chooseReview([now], "r1 r2")).toMatchObject({ kind: "several-named" });
    expect(chooseReview([now], "bafyreitwo2 bafyreitwo22")).toMatchObject({ kind: "several-named" });
  });

  it("asks which when two keys are at the same revision, and counts a review without a list as r1", () => {
    const a = withRevs(K1, r2.cid, [r1, r2]);
    const b = withRevs(K2, "bafyreiother3333", [
      { n: 1, cid: "bafyreiother1111" },
      { n: 2, cid: "bafyreiother3333" },
    ]);
    expect(chooseReview([a, b], "r2")).toMatchObject({ kind: "ambiguous", reviews: [a, b] });
    const legacy = review(K2, "bafyreilegacy111");
    expect(chooseReview([legacy], "r1")).toEqual({ kind: "chosen", review: legacy });
    // r1 is K1's older revision: it names no current version, even though it is K2's current one.
    expect(chooseReview([a, legacy], "r1")).toMatchObject({ kind: "not-current" });
  });

  it("says nothing can be approved when the named revision is current but refused", () => {
    const refused = withRevs(K1, r2.cid, [r1, r2], "refused");
    expect(chooseReview([refused], "r2")).toEqual({ kind: "none" });
  });
});

describe("approvedAfter", () => {
  it("counts an approval only strictly after the review, by GitHub's times, and never without one", () => {
    const written = "2026-01-01T00:00:10Z";
    expect(approvedAfter("2026-01-01T00:00:11Z", written)).toBe(true);
    expect(approvedAfter("2026-01-01T00:00:10Z", written)).toBe(false);
    expect(approvedAfter("2026-01-01T00:00:09Z", written)).toBe(false);
    expect(approvedAfter(undefined, written)).toBe(false);
    expect(approvedAfter("yesterday", written)).toBe(false);
    expect(approvedAfter("2026-01-01T00:00:11Z", "")).toBe(false);
  });
});
