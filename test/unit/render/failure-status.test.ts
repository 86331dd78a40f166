import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { renderNothingToApproveMarkdown } from "../../../src/render/nothing-to-approve-markdown.js";
import { renderStatusFailureMarkdown } from "../../../src/render/status-failure-markdown.js";
import { probeMarkdown, withoutCodeSpans } from "./markdown-probe.js";
import { fakeCid, PATCH_KEY } from "./review-builder.js";

describe("failure statuses", () => {
  it("says an apply failed, that the journal shows nothing published, and how to retry", () => {
    const markdown = renderStatusFailureMarkdown({
      during: "apply",
      code: "KUBO_UNAVAILABLE",
      message: "The bot's IPFS node cannot be reached right now.",
      key: PATCH_KEY,
      cid: fakeCid("patch"),
      retryCommand: "/apply",
    });
    expect(markdown).toMatchInlineSnapshot(`
      "<!-- nomad-patch:status {"v":1,"state":"failed","key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk"} -->

      ### ❌ Apply failed

      The bot's IPFS node cannot be reached right now. \`KUBO_UNAVAILABLE\`

      Nothing was published: the apply stopped before writing the bot's event stream or the target. Comment \`/apply\` to try again."
    `);
    expect(parseMarker(markdown)).toEqual({
      kind: "status",
      v: 1,
      state: "failed",
      key: PATCH_KEY,
      cid: fakeCid("patch"),
    });
  });

  it("says what was published when the journal shows the bot's stream holds the entries", () => {
    const base = {
      during: "apply" as const,
      code: "TIMEOUT",
      message: "IPFS did not answer in time.",
      key: PATCH_KEY,
      cid: fakeCid("patch"),
      retryCommand: "/apply",
    };
    const partly = renderStatusFailureMarkdown({
      ...base,
      progress: { state: "local-published", streamCid: fakeCid("stream"), entries: 3 },
    });
    expect(partly).toContain(
      `**Partly published:** the bot's event stream \`${fakeCid("stream")}\` already holds the patch's 3 entries, but the target's roaming value was not republished with them. Comment \`/apply\` to finish`,
    );
    expect(partly).not.toMatch(/nothing/i);
    const unsure = renderStatusFailureMarkdown({ ...base, progress: { state: "planned" } });
    expect(unsure).toContain("it may already hold the entries");
    expect(unsure).not.toMatch(/nothing/i);
    for (const state of ["none", "failed"] as const) {
      expect(renderStatusFailureMarkdown({ ...base, progress: { state } })).toContain(
        "Nothing was published",
      );
    }
  });

  it("never says nothing changed when only reporting an apply failed", () => {
    const markdown = renderStatusFailureMarkdown({
      during: "work",
      code: "GITHUB",
      message: "GitHub answered 502 to the bot.",
      key: PATCH_KEY,
      cid: fakeCid("patch"),
      appliedRoamingCid: fakeCid("result"),
      retryCommand: "/apply",
    });
    expect(markdown).toMatchInlineSnapshot(`
      "<!-- nomad-patch:status {"v":1,"state":"failed","key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk"} -->

      ### ❌ The bot could not finish

      GitHub answered 502 to the bot. \`GITHUB\`

      The patch \`bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk\` **was applied**: the target's roaming value is now \`bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi\`. Only reporting it here failed; comment \`/apply\` to report it again (nothing is written twice)."
    `);
    expect(markdown).not.toContain("Nothing was applied");
  });

  it("keeps a hostile message inert and a malformed key out of the marker", () => {
    const markdown = renderStatusFailureMarkdown({
      during: "work",
      code: "INTERNAL",
      message: "boom </details> @everyone ![x](y)",
      hint: "<img src=x>",
      key: "k51 --> not a key",
      retryCommand: "/refresh",
    });
    expect(parseMarker(markdown)).toEqual({ kind: "status", v: 1, state: "failed", key: null, cid: null });
    expect(withoutCodeSpans(markdown)).not.toMatch(/@everyone|<\/details>|<img/);
    expect(markdown).toContain("Nothing was applied. Comment `/refresh` to try again.");
    expect(probeMarkdown(markdown).unclosed).toBe(false);
  });
});

describe("renderNothingToApproveMarkdown", () => {
  it("tells an approval on a held issue which label to remove", () => {
    const markdown = renderNothingToApproveMarkdown({ reason: "held", heldLabel: "nomad-patch: held" });
    expect(markdown).toMatchInlineSnapshot(`
      "<!-- nomad-patch:status {"v":1,"state":"held","key":null,"cid":null} -->

      ℹ️ **Nothing applied:** this issue is on hold. Remove the label \`nomad-patch: held\` first, then approve again."
    `);
    expect(parseMarker(markdown)).toEqual({ kind: "status", v: 1, state: "held", key: null, cid: null });
  });

  it("tells an approval with no applicable review what to do first, with the configured command", () => {
    const markdown = renderNothingToApproveMarkdown({ reason: "no-review", commands: ["/ship", "/apply"] });
    expect(markdown).toContain("there is no reviewed patch on this issue that can be applied");
    expect(markdown).toContain("then approve with `/ship`");
    expect(parseMarker(markdown)).toEqual({ kind: "status", v: 1, state: "failed", key: null, cid: null });
  });
});
