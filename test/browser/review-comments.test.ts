import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKuboPair } from "../helpers/kubo.js";
import { type CommentBrowser, openChromium } from "./chromium.js";
import { type PostedComment, postEveryCommentKind } from "./comment-gallery.js";

/** Where the screenshots go, for a person to look at (git-ignored). */
const SCREENSHOTS = join(process.cwd(), "test-output", "screenshots");

/**
 * Every comment the bot posts, rendered as GitHub renders comments (markdown-it with GitHub's
 * settings, github-markdown-css, a 780 px comment column) in Debian's Chromium, read as a maintainer
 * deciding whether to approve: nothing wider than the column, and the first screen says what this is,
 * what it changes, and shows the first change.
 */
describe("the bot's comments in a browser, at GitHub's 780 px comment width", () => {
  let pair: Awaited<ReturnType<typeof startKuboPair>> | undefined;
  let browser: CommentBrowser | undefined;
  let comments: PostedComment[] = [];

  beforeAll(async () => {
    browser = await openChromium();
    pair = await startKuboPair();
    comments = await postEveryCommentKind(pair.operator, pair.contributor);
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  const open = () => {
    if (!browser) throw new Error("Chromium is started in beforeAll");
    return browser;
  };
  afterAll(async () => {
    await browser?.close();
    await pair?.stop();
  });

  it("posts every kind of comment", () => {
    expect(comments.map((c) => c.name)).toEqual([
      "storage-review",
      "applied",
      "project-review",
      "voided",
      "review-of-a-new-version",
      "superseded",
      "refused-by-rule-review",
      "refused-by-rule",
      "approval-refused-by-rule",
      "refused-built-in-review",
      "refused-built-in",
      "nothing-to-approve",
      "denied",
      "large-review",
      "conflict-review",
      "failures",
      "config-missing",
    ]);
  });

  it("fits every comment in the column, and screenshots each", async () => {
    const overflowing: string[] = [];
    for (const comment of comments) {
      const layout = await open().show(comment.markdown, join(SCREENSHOTS, `${comment.name}.png`));
      await writeFile(join(SCREENSHOTS, `${comment.name}.md`), comment.markdown);
      for (const wide of layout.overflowing) overflowing.push(`${comment.name}: ${wide}`);
    }
    expect(overflowing).toEqual([]);
  });

  it("shows the headline, the summary line and the first change in the first 800 px of a review", async () => {
    const reviews = comments.filter((c) => c.name.endsWith("review") || c.name === "review-of-a-new-version");
    const missing: string[] = [];
    for (const review of reviews) {
      const screen = await open().firstScreen(review.markdown);
      if (!screen.headline) missing.push(`${review.name}: the headline`);
      if (!screen.summary) missing.push(`${review.name}: the summary line`);
      if (!screen.firstChange) missing.push(`${review.name}: the first change`);
    }
    expect(missing).toEqual([]);
  });

  it("lists a project's field changes one per row and list item, in the order the entries make them", () => {
    const review = comments.find((c) => c.name === "project-review")?.markdown ?? "";
    const rows = review
      .slice(review.indexOf("#### Field changes"))
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => line.split(" | ")[0]);
    expect(rows).toEqual([
      "| `Name`",
      "| `Features[beta]`",
      "| `Description`",
      "| `Links[source]`",
      "| `Links[docs]`",
    ]);
  });

  it("says what each follow-up is about, in agreement with the review", () => {
    const body = (name: string) => comments.find((c) => c.name === name)?.markdown ?? "";
    // Applied: the check against the prediction, a link to the new version, how to undo.
    expect(body("applied")).toContain("(exactly the predicted result ✔)");
    expect(body("applied")).toContain("[view it](");
    expect(body("applied")).toContain("To undo it, propose a patch");
    // Voided: what changed since the approved version (r1, approved) to the current one (r2).
    expect(body("voided")).toContain("**Changed from r1 to r2:** title changed (entries unchanged).");
    // A new version lists its revisions, this one marked.
    expect(body("review-of-a-new-version")).toMatch(
      /#### Revisions\n- r1 · .*\n- \*\*r2\*\* \(this review\)/,
    );
    // A rule's refusal: the review says it and who may override it, and the refusal of an approval agrees.
    expect(body("refused-by-rule-review")).toContain("**🚫 Refused by a rule.**");
    expect(body("refused-by-rule-review")).toContain(
      "a rule refuses this (`categories are the moderators' call`); only an admin can override it",
    );
    expect(body("approval-refused-by-rule")).toContain("only an admin can override a rule");
    // A built-in refusal: once, in words, what the entry would do; then said to be built in, not a rule.
    const builtIn = body("refused-built-in-review");
    expect(builtIn.split("a device with full write access").length - 1).toBe(1);
    expect(builtIn).not.toContain("Predicted result");
    expect(body("refused-built-in")).toContain("nomad-patch (built-in)");
    expect(body("refused-built-in")).not.toContain("the repository's rules");
    expect(body("nothing-to-approve")).toContain("was refused by nomad-patch (built-in): see the review");
    // No config file yet: says it is missing and shows what to commit, not a list of problems.
    expect(body("config-missing")).toContain("### ⚙️ `.github/nomad-patch.yml` is missing");
    expect(body("config-missing")).toContain("```yaml\ntargets:\n  - id: k51…");
    expect(body("config-missing")).not.toContain("is not valid");
  });

  it("headlines a conflict: what approving removes, first", async () => {
    const conflict = comments.find((c) => c.name === "conflict-review");
    const screen = await open().firstScreen(conflict?.markdown ?? "");
    expect(screen.conflictHeadline).toBe(true);
  });

  it("headlines a partial view: what was left out, before any change", async () => {
    const large = comments.find((c) => c.name === "large-review");
    const screen = await open().firstScreen(large?.markdown ?? "");
    expect(screen.partialNotice).toBe(true);
  });
});
