import { describe, expect, it } from "vitest";
import type { ApplyOutcome } from "../../../src/patch-request/apply-outcome.js";
import { parseMarker } from "../../../src/render/marker.js";
import { renderOutcomeMarkdown } from "../../../src/render/outcome-markdown.js";
import { renderOutcomeText } from "../../../src/render/outcome-text.js";
import { fakeCid, fakeKey, PATCH_KEY, TARGET } from "./review-builder.js";
import { fieldsReview } from "./scenarios.js";

function outcome(parts: Partial<ApplyOutcome> = {}): ApplyOutcome {
  return {
    status: "applied",
    patchKey: PATCH_KEY,
    patchCid: fakeCid("patch"),
    targetId: TARGET,
    roamingCid: fakeCid("result"),
    localStreamCid: fakeCid("stream"),
    localKey: fakeKey("bot-local"),
    entryCids: [fakeCid("w0"), fakeCid("w1")],
    appliedAt: "2026-01-02T04:00:00.000Z",
    ...parts,
  };
}

describe("renderOutcomeMarkdown", () => {
  it("reports the new roaming value, the stream, the entries and that the prediction held", () => {
    expect(renderOutcomeMarkdown(outcome(), fieldsReview())).toMatchInlineSnapshot(`
      "<!-- nomad-patch:status {"v":1,"state":"applied","key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk"} -->

      ### ✅ Applied

      The patch \`bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk\` is now part of **Nomad Tools**. To undo it, propose a patch that changes it back: a Nomad object's history only grows.

      - **Target:** \`k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r\`
      - **New roaming value:** \`bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi\` (exactly the predicted result ✔)
      - **Local stream:** \`bafyrei62qrmgjzf4y3jrhw2gyqxzsxwuenuwmba374ootu2fpiq27azt74\` under the bot's key \`k51qzi5uqu5dns8mrwykzppmfneoa15a5qim3i7sieif1ide24cc63i27cis7w\`
      - **Applied at:** 2026-01-02T04:00:00.000Z

      <details>
      <summary>2 entries written with fresh timestamps</summary>

      0. \`bafyreilaz37w5oz6vrlu7qb4g7wmkqnzwamms6azx3xtxivceqopvegmhm\`
      1. \`bafyrei42opeetuu6xwdftyslkj6ur5ah7ztykso6uaqfhj6ilsy73vpzwo\`

      </details>"
    `);
  });

  it("names the target by its display name, the review's or the one given, and keeps its key in the identifiers", () => {
    const review = fieldsReview();
    const withReview = renderOutcomeMarkdown(outcome(), review);
    expect(review.target.name).toBeTruthy();
    expect(withReview).toContain(`is now part of **${review.target.name}**.`);
    expect(withReview).toContain(`- **Target:** \`${TARGET}\``);
    const given = renderOutcomeMarkdown(outcome(), undefined, { targetName: "Web*site* <b>" });
    expect(given).toContain("is now part of **Web\\*site\\* &lt;b&gt;**.");
    expect(given).toContain(`- **Target:** \`${TARGET}\``);
    // No name known: the key itself.
    expect(renderOutcomeMarkdown(outcome())).toContain(`is now part of the target \`${TARGET}\`.`);
  });

  it("marks the comment as a status the app can recognise", () => {
    expect(parseMarker(renderOutcomeMarkdown(outcome()))).toEqual({
      kind: "status",
      v: 1,
      state: "applied",
      key: PATCH_KEY,
      cid: fakeCid("patch"),
    });
  });

  it("says so loudly when the result differs from the prediction", () => {
    const markdown = renderOutcomeMarkdown(outcome({ roamingCid: fakeCid("other") }), fieldsReview());
    expect(markdown).toContain("⚠️ differs from the predicted result");
  });

  it("names who approved, without pinging them", () => {
    const markdown = renderOutcomeMarkdown(outcome(), undefined, { approvedBy: "maintainer @team" });
    expect(markdown).toContain("- **Approved by:** maintainer @&#8203;team\n- **New roaming value:**");
    expect(parseMarker(markdown)).toMatchObject({ state: "applied", cid: fakeCid("patch") });
  });

  it("says an earlier apply already did it", () => {
    const markdown = renderOutcomeMarkdown(outcome({ status: "already-applied" }));
    expect(markdown).toContain("### ✅ Already applied");
    expect(parseMarker(markdown)).toMatchObject({ state: "already-applied" });
  });

  it("lists a bounded number of entry CIDs", () => {
    const many = Array.from({ length: 5_000 }, (_, i) => fakeCid(`e${i}`));
    const markdown = renderOutcomeMarkdown(outcome({ entryCids: many }));
    expect(markdown.length).toBeLessThan(65_000);
    expect(markdown).toContain("…and 4700 more");
  });
});

describe("renderOutcomeText", () => {
  it("prints the same facts without escape bytes when colour is off", () => {
    const text = renderOutcomeText(outcome(), { color: false }, fieldsReview());
    expect(text).not.toContain("\u001b");
    expect(text).toContain(`Roaming value: ${fakeCid("result")}  (the predicted result)`);
    expect(text).toContain(`    1  ${fakeCid("w1")}`);
  });

  it("colours the headline when asked", () => {
    expect(renderOutcomeText(outcome(), { color: true })).toContain("\u001b[32m");
  });
});
