import { describe, expect, it } from "vitest";
import { MAX_LISTED_REVISIONS, parseMarker, type Revision, writeMarker } from "../../../src/render/marker.js";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { fakeCid, fakeKey } from "./review-builder.js";
import { fieldsReview } from "./scenarios.js";

const revision = (n: number, extra: Partial<Revision> = {}): Revision => ({
  n,
  cid: fakeCid(`r${n}`),
  at: `2026-01-0${Math.min(n, 9)}T10:0${n % 10}:00Z`,
  ...extra,
});
const delta = { added: 1, removed: 0, changed: 2, title: true, description: false };

describe("the revision list of a review", () => {
  it("is kept in the review marker, and read back exactly", () => {
    const marker = {
      kind: "review" as const,
      v: 1 as const,
      key: fakeKey("p"),
      cid: fakeCid("r2"),
      result: null,
      target: null,
      state: "ready" as const,
      revs: [revision(1), revision(2, { ch: delta })],
    };
    expect(parseMarker(writeMarker(marker))).toEqual(marker);
  });

  it("holds at most the last revisions, so the marker line stays bounded", () => {
    const full = Array.from({ length: MAX_LISTED_REVISIONS }, (_, i) => revision(i + 100, { ch: delta }));
    const marker = {
      kind: "review" as const,
      v: 1 as const,
      key: fakeKey("p"),
      cid: fakeCid("x"),
      result: fakeCid("y"),
      target: fakeKey("t"),
      state: "ready" as const,
      revs: full,
    };
    expect(parseMarker(writeMarker(marker))).toEqual(marker);
    expect(() => writeMarker({ ...marker, revs: [...full, revision(200)] })).toThrow(/refusing/);
    const forged = writeMarker(marker).replace('"revs":[', `"revs":[${JSON.stringify(revision(99))},`);
    expect(parseMarker(forged)).toBeUndefined();
  });

  it("refuses a revision whose time or CID could carry markup", () => {
    const marker = writeMarker({
      kind: "review",
      v: 1,
      key: fakeKey("p"),
      cid: null,
      result: null,
      target: null,
      state: "ready",
      revs: [revision(1)],
    });
    expect(parseMarker(marker.replace(/"at":"[^"]*"/, '"at":"<b>x</b>"'))).toBeUndefined();
    expect(parseMarker(marker.replace(/"n":1/, '"n":0'))).toBeUndefined();
  });

  it("lists r1, r2 with CIDs, times and what changed, and names the change in the notice on top", () => {
    const review = fieldsReview();
    const revisions = [revision(1), revision(2, { cid: review.patch.cid, ch: delta })];
    const body = renderReviewMarkdown(review, {
      revisions,
      replaces: { cid: revisions[0]?.cid ?? null, result: null },
    });
    expect(body).toContain("#### Revisions");
    expect(body).toContain(`- r1 · \`${fakeCid("r1")}\` · seen 2026-01-01 10:01 UTC`);
    expect(body).toContain(
      `- **r2** (this review) · \`${review.patch.cid}\` · seen 2026-01-02 10:02 UTC · 1 entry added, 2 entries changed; title changed`,
    );
    expect(body).toContain(
      "This patch changed since the review above** (r1 → r2: 1 entry added, 2 entries changed; title changed;",
    );
    expect(parseMarker(body)).toMatchObject({ revs: revisions });
  });

  it("shows no list for a first version, and names older revisions that fell off the list", () => {
    const review = fieldsReview();
    expect(
      renderReviewMarkdown(review, { revisions: [revision(1, { cid: review.patch.cid })] }),
    ).not.toContain("#### Revisions");
    const late = [revision(22), revision(23, { ch: undefined })];
    const body = renderReviewMarkdown(review, { revisions: late });
    expect(body).toContain("- r1–r21: earlier versions, no longer listed");
    expect(body).toContain("changes unknown (the earlier version could not be read)");
  });
});
