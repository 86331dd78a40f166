import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReviewMarkdown } from "../../../src/render/index.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { createStorageTarget, proposePatch } from "../../helpers/nomad-builders/index.js";

const limits = { maxEntries: 100, maxBytes: 16 * 1024 * 1024, resolveTimeoutMs: 15_000 };
const chapter = (i: number) => `chapter-${String(i + 1).padStart(2, "0")}.md`;
const text = (i: number, words: string) =>
  Array.from({ length: 120 }, (_, line) => `Chapter ${i + 1}, line ${line + 1}: ${words}.`).join("\n");

describe("a 40-file patch: the review reads every file, and the comment says what it leaves out", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let work: string;
  beforeAll(async () => {
    pair = await startKuboPair();
    work = await mkdtemp(join(tmpdir(), "nomad-patch-partial-"));
  });
  afterAll(async () => {
    await pair?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("fetches the text of all 40 files (80 contents), cuts diffs for size only, and headlines the cut", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [chapter(i), text(i, "as it was")]),
    );
    const target = await createStorageTarget(pair.operator, { name: "Handbook", files });
    await mkdir(join(work, "edited"));
    for (let i = 0; i < 40; i += 1)
      await writeFile(join(work, "edited", chapter(i)), text(i, "as it is now"));
    const { key } = await proposePatch(pair.contributor, {
      target: target.id,
      title: "Reword every chapter",
      fromFolder: join(work, "edited"),
    });

    const { review } = await reviewPatch({ store: pair.operator.store }, { key, limits });
    if (review.moduleView.kind !== "storage") throw new Error("expected a Storage view");
    const files40 = review.moduleView.items.filter((item) => item.kind === "file");
    expect(files40).toHaveLength(40);
    // 40 files are fewer than the 50 a review reads: none is left unfetched.
    expect(
      files40.filter((item) => item.textDiffNote !== undefined).map((item) => item.textDiffNote),
    ).toEqual([]);
    expect(files40.every((item) => item.textDiff !== undefined)).toBe(true);

    const markdown = renderReviewMarkdown(review);
    expect(markdown).not.toContain("An approval applies exactly the change shown here");
    const leftOut = markdown.match(/\*\*Not shown here:\*\* (.*)/)?.[1] ?? "";
    expect(leftOut).toMatch(/[\d,]+ of 40 file diffs/);
    expect(leftOut).toContain("the entries table");
    expect(leftOut).toContain(`nomad-patch show ${key}`);
    expect(markdown).not.toContain("#### Entries");
  });
});
