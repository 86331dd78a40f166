import { describe, expect, it } from "vitest";
import type { RevisionDelta } from "../../../src/patch-request/compare-revisions.js";
import { renderConfigErrorsMarkdown } from "../../../src/render/config-errors-markdown.js";
import {
  isRulesRejection,
  RULESET,
  renderHeldMarkdown,
  renderLiftedMarkdown,
  renderRejectedMarkdown,
} from "../../../src/render/decision-markdown.js";
import { renderDenialMarkdown } from "../../../src/render/denial-markdown.js";
import { renderFailureMarkdown } from "../../../src/render/failure-markdown.js";
import { parseMarker } from "../../../src/render/marker.js";
import { renderVoidedMarkdown } from "../../../src/render/voided-markdown.js";
import { probeMarkdown, withoutCodeSpans } from "./markdown-probe.js";
import { fakeCid, PATCH_KEY, TARGET } from "./review-builder.js";

describe("status comments", () => {
  it("turns a failure for a valid key into the sticky comment, in state failed", () => {
    const markdown = renderFailureMarkdown({
      key: PATCH_KEY,
      code: "RESOLVE_TIMEOUT",
      message: "The key did not resolve within 60 s.",
      hint: "Is the contributor's node online? Their patch request must be reachable over IPFS.",
    });
    expect(markdown).toMatchInlineSnapshot(`
      "<!-- nomad-patch:review {"v":1,"key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":null,"result":null,"target":null,"state":"failed"} -->

      ### ⚠️ Could not review patch request \`k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`

      The key did not resolve within 60 s. \`RESOLVE_TIMEOUT\`

      Is the contributor's node online? Their patch request must be reachable over IPFS.

      Nothing was applied. Comment \`/refresh\` to try again."
    `);
    expect(parseMarker(markdown)).toMatchObject({ kind: "review", state: "failed", cid: null });
  });

  it("makes a failure for a malformed key a one-off status with no key in the marker", () => {
    const markdown = renderFailureMarkdown({
      key: "k51<img src=x> @octocat",
      code: "NOT_A_KEY",
      message: "This is not an IPNS name.",
    });
    expect(parseMarker(markdown)).toEqual({ kind: "status", v: 1, state: "failed", key: null, cid: null });
    expect(withoutCodeSpans(markdown)).not.toContain("<img");
  });

  it("explains a denial without pinging the user", () => {
    const markdown = renderDenialMarkdown({
      user: "triager",
      needed: "write",
      actual: "triage",
      via: "label",
      key: PATCH_KEY,
    });
    expect(markdown).toMatchInlineSnapshot(`
      "<!-- nomad-patch:status {"v":1,"state":"denied","key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":null} -->

      🔒 The approval label from **triager** was not accepted: approving needs \`write\` access to this repository, and they have \`triage\`.

      Nothing was applied. Someone with that access can approve instead."
    `);
    expect(parseMarker(markdown)).toMatchObject({ kind: "status", state: "denied", key: PATCH_KEY });
    expect(markdown).not.toContain("@triager");
  });

  it("fails closed, and says so, when the permission could not be read", () => {
    const markdown = renderDenialMarkdown({
      user: "someone",
      needed: "write",
      actual: "unknown",
      via: "command",
    });
    expect(markdown).toContain("could not be checked, so the bot refuses to be safe");
    expect(parseMarker(markdown)).toMatchObject({ key: null });
  });

  it("records a rejection with the reason quoted and neutralised", () => {
    const markdown = renderRejectedMarkdown({
      key: PATCH_KEY,
      user: "maintainer",
      reason: "Not now </details> @everyone ![x](y)",
      cid: fakeCid("patch"),
    });
    expect(markdown).toMatchInlineSnapshot(`
      "<!-- nomad-patch:status {"v":1,"state":"rejected","key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk"} -->

      🚫 **Rejected** by **maintainer**: patch \`k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\` will not be applied.

      > Not now &lt;/details&gt; @&#8203;everyone !\\[x\\](y)

      A new version published under the same key can be reviewed again."
    `);
    expect(parseMarker(markdown)).toMatchObject({ state: "rejected", cid: fakeCid("patch") });
    expect(markdown).not.toMatch(/@everyone|<\/details>/);
  });

  it("puts a patch on hold and says that removing the held label resumes it", () => {
    const markdown = renderHeldMarkdown({ key: PATCH_KEY, user: "maintainer", heldLabel: "wait: <b>" });
    expect(markdown).toContain("not even by a rule or an approval, until the label `wait: <b>` is removed");
    expect(parseMarker(markdown)).toMatchObject({ state: "held", key: PATCH_KEY });
  });

  it("decides about the issue's patch when no single key is known, with none in the marker", () => {
    const markdown = renderRejectedMarkdown({ user: "the repository's rules", reason: "one\ntwo" });
    expect(markdown).toContain("🚫 **Rejected** by **the repository's rules**: the patch on this issue");
    expect(markdown).toContain("> one\n> two");
    expect(parseMarker(markdown)).toEqual({ kind: "status", v: 1, state: "rejected", key: null, cid: null });
  });

  it("tells the rules' rejections and built-in refusals, which may be lifted, from a person's /reject", () => {
    const cid = fakeCid("lifted");
    const rules = renderRejectedMarkdown({ key: PATCH_KEY, cid, user: RULESET, reason: "no" });
    const builtIn = renderRejectedMarkdown({ key: PATCH_KEY, user: "nomad-patch (built-in)", builtIn: true });
    // A reason a person wrote cannot make their rejection read as the rules': only the headline counts.
    const person = renderRejectedMarkdown({
      key: PATCH_KEY,
      user: "maintainer",
      reason: "🚫 **Rejected** by **the repository's rules**: spoofed",
    });
    expect([rules, builtIn, person].map(isRulesRejection)).toEqual([true, true, false]);
    expect(isRulesRejection(rules.replace(/\n/g, "\r\n"))).toBe(true);

    const lifted = renderLiftedMarkdown({ key: PATCH_KEY, cid });
    expect(parseMarker(lifted)).toEqual({ kind: "status", v: 1, state: "lifted", key: PATCH_KEY, cid });
    expect(lifted).toContain(`↩️ **Rejection lifted**: the rules rejected patch \`${PATCH_KEY}\``);
    expect(isRulesRejection(lifted)).toBe(false);
  });

  it("names the refused command when a reject or a hold is denied", () => {
    const markdown = renderDenialMarkdown({
      user: "reader",
      needed: "maintain",
      actual: "read",
      via: "command",
      action: "reject",
    });
    expect(markdown).toContain(
      "🔒 The reject command from **reader** was not accepted: rejecting needs `maintain` access",
    );
    expect(markdown).toContain("they have `read`");
    expect(markdown).toContain("Someone with that access can reject it instead.");
  });

  it("voids an approval whose target moved, naming the target", () => {
    const markdown = renderVoidedMarkdown({
      key: PATCH_KEY,
      approvedCid: fakeCid("v1"),
      moved: "target",
      targetId: TARGET,
    });
    expect(markdown).toContain(`but the target \`${TARGET}\` changed since the review`);
    expect(parseMarker(markdown)).toMatchObject({ state: "voided", key: PATCH_KEY, cid: fakeCid("v1") });
  });

  it("voids an approval whose key moved and asks for a fresh one", () => {
    const markdown = renderVoidedMarkdown({
      key: PATCH_KEY,
      approvedCid: fakeCid("v1"),
      currentCid: fakeCid("v2"),
    });
    expect(markdown).toMatchInlineSnapshot(`
      "<!-- nomad-patch:status {"v":1,"state":"voided","key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyrei2jjrbqotliouut2l2goqubpyrvelg6556m6o6pvloeotnp2nm4rv"} -->

      🔁 **Approval voided:** it was for \`bafyrei2jjrbqotliouut2l2goqubpyrvelg6556m6o6pvloeotnp2nm4rv\`, but patch key \`k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\` now points at \`bafyreitegd2xhjucjiuqroe76vodyvtkvwctysxvcl4cj65cjgwwyrsewc\`.

      Nothing was applied. The review above shows the new version; approve again if it is still good."
    `);
    expect(parseMarker(markdown)).toMatchObject({ state: "voided", cid: fakeCid("v1") });
  });

  it("says what changed since the approved version: title only, or entries, or that it cannot tell", () => {
    const voided = (changes?: RevisionDelta) =>
      renderVoidedMarkdown({
        key: PATCH_KEY,
        approvedCid: fakeCid("v1"),
        currentCid: fakeCid("v2"),
        changes,
      });
    const delta = { added: 0, removed: 0, changed: 0, title: true, description: false };
    expect(voided(delta)).toContain(
      "**Changed since the approved version:** title changed (entries unchanged).",
    );
    expect(voided({ ...delta, added: 1, changed: 2, title: false })).toContain(
      "**Changed since the approved version:** 1 entry added, 2 entries changed.",
    );
    expect(voided({ ...delta, title: false })).toContain(
      "**Changed since the approved version:** same entries, title and description.",
    );
    expect(voided(undefined)).not.toContain("Changed since");
  });

  it("names the approved revision and the current one when the review kept its revision list", () => {
    const markdown = renderVoidedMarkdown({
      key: PATCH_KEY,
      approvedCid: fakeCid("v1"),
      currentCid: fakeCid("v2"),
      changes: { added: 1, removed: 0, changed: 0, title: true, description: false },
      revisions: { approved: 1, current: 2 },
    });
    expect(markdown).toContain(`it was for r1 (\`${fakeCid("v1")}\`)`);
    expect(markdown).toContain(`now points at r2 (\`${fakeCid("v2")}\`)`);
    expect(markdown).toContain("**Changed from r1 to r2:** 1 entry added; title changed.");
  });

  it("lists config errors with their paths, escaped and bounded", () => {
    const errors = [
      { path: "targets.0.module", message: 'Expected one of storage, wac-project; got "<b>x</b>".' },
      { path: "", message: "Unknown key `extra`." },
      ...Array.from({ length: 40 }, (_, i) => ({ path: `rules.${i}`, message: "Invalid." })),
    ];
    const markdown = renderConfigErrorsMarkdown(errors);
    expect(parseMarker(markdown)).toEqual({
      kind: "status",
      v: 1,
      state: "config-error",
      key: null,
      cid: null,
    });
    expect(markdown).toContain(
      '- `targets.0.module`: Expected one of storage, wac-project; got "&lt;b&gt;x&lt;/b&gt;".',
    );
    expect(markdown).toContain("- `(root)`: Unknown key \\`extra\\`.");
    expect(markdown).toContain("- …and 12 more.");
    expect(probeMarkdown(markdown).unclosed).toBe(false);
  });

  it("gives each config error its line and column when the file was read as text", () => {
    const markdown = renderConfigErrorsMarkdown(
      [{ path: "permissions.approve", message: "Expected read, triage, write.", line: 6, column: 12 }],
      { file: ".github/nomad-patch.yml" },
    );
    expect(markdown).toContain("- `permissions.approve` (line 6, column 12): Expected read, triage, write.");
    expect(probeMarkdown(markdown).unclosed).toBe(false);
  });

  it("says a missing file is missing, with what to commit, in the same sticky comment", () => {
    const markdown = renderConfigErrorsMarkdown([{ path: "", message: "is missing" }], { missing: true });
    expect(parseMarker(markdown)).toMatchObject({ kind: "status", state: "config-error" });
    expect(markdown).toContain("### ⚙️ `.github/nomad-patch.yml` is missing");
    expect(markdown).toContain("targets:\n  - id: k51…");
    expect(markdown).not.toContain("(root)");
    expect(probeMarkdown(markdown).unclosed).toBe(false);
  });
});
