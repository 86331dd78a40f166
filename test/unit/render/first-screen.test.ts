import { describe, expect, it } from "vitest";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { probeMarkdown } from "./markdown-probe.js";
import { bigDiff, buildReview, entry, fakeCid, storageItem, TARGET } from "./review-builder.js";
import { fieldsReview, storageReview } from "./scenarios.js";

const options = { approveLabel: "nomad-patch: approve", commands: ["/apply", "/approve"] };

/** The Markdown before the first `####` heading: what GitHub shows above the first change. */
function headerOf(markdown: string): string {
  return markdown.slice(0, markdown.indexOf("\n#### "));
}

/** The header as GitHub shows it: without the marker comment and the collapsed identifiers block. */
function visibleHeader(markdown: string): string {
  return headerOf(markdown)
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<details>[\s\S]*?<\/details>/g, "");
}

describe("the review's first screen (issue 16 §3)", () => {
  it("leads with one human line for the target: its name, module and counts", () => {
    const markdown = renderReviewMarkdown(storageReview(), options);
    const lines = visibleHeader(markdown).split("\n");
    const title = lines.findIndex((line) => line.startsWith("### Patch request:"));
    const summary = lines.findIndex((line) => line.startsWith("**Website** (storage): "));
    expect(title).toBeGreaterThanOrEqual(0);
    expect(summary).toBeGreaterThan(title);
    expect(lines[summary]).toBe(
      "**Website** (storage): 2 added · 2 changed · 1 removed · 1 binary · 1 no effect",
    );
  });

  it("ends the target's line with the net size of file content added, from the sizes the review has", () => {
    const summaryOf = (items: Parameters<typeof storageItem>[2][]) => {
      const review = buildReview({
        module: "storage",
        name: "Website",
        entries: items.map((_, i) => entry(i, "FileUpdateEvent", "changed")),
        moduleView: {
          kind: "storage",
          items: items.map((extra, i) => storageItem(`f${i}.bin`, extra?.change ?? "changed", extra)),
        },
      });
      return renderReviewMarkdown(review)
        .split("\n")
        .find((line) => line.startsWith("**Website**"));
    };
    const kb = 1024;
    expect(
      summaryOf([
        { change: "added", beforeSize: null, afterSize: 150 * kb, textDiffNote: "binary file" },
        { change: "changed", beforeSize: 40 * kb, afterSize: 60 * kb, textDiffNote: "binary file" },
        { change: "removed", beforeSize: 2 * kb, afterSize: null, textDiff: "" },
        { change: "changed", beforeSize: 1 * kb, afterSize: 3 * kb, textDiff: "" },
      ]),
    ).toBe("**Website** (storage): 1 added · 2 changed · 1 removed · 2 binary, +170 KB");
    expect(summaryOf([{ change: "removed", beforeSize: 12 * kb, afterSize: null, textDiff: "" }])).toBe(
      "**Website** (storage): 1 removed, −12.0 KB",
    );
    // A size the review does not know makes the net unknown: it is left out, not guessed.
    expect(
      summaryOf([
        { change: "added", beforeSize: null, afterSize: 5 * kb, textDiff: "" },
        { change: "changed", textDiffNote: "content unreachable" },
      ]),
    ).toBe("**Website** (storage): 1 added · 1 changed");
  });

  it("keeps identifiers (target, patch key, CIDs, base, sources) in a collapsed block", () => {
    const review = storageReview();
    const markdown = renderReviewMarkdown(review, options);
    const visible = visibleHeader(markdown);
    for (const id of [
      review.target.id,
      review.patch.cid,
      review.predictedResultCid ?? "",
      review.patch.base ?? "",
    ])
      expect(visible).not.toContain(id);
    const identifiers = /<details>\n<summary>Identifiers<\/summary>([\s\S]*?)<\/details>/.exec(
      headerOf(markdown),
    );
    expect(identifiers?.[1]).toContain(`**Target:** \`${review.target.id}\``);
    expect(identifiers?.[1]).toContain(`**Patch key:** \`${review.patch.key}\``);
    expect(identifiers?.[1]).toContain(`**Patch CID:** \`${review.patch.cid}\``);
    expect(identifiers?.[1]).toContain(`**Predicted result:** \`${review.predictedResultCid}\``);
    expect(identifiers?.[1]).toContain(`**Base:** \`${review.patch.base}\``);
    expect(identifiers?.[1]).toContain(`**Proposed by:** \`${review.patch.sources[0]}\``);
  });

  it("says how to approve in one short sentence that names this version", () => {
    const markdown = renderReviewMarkdown(storageReview(), options);
    const approve = visibleHeader(markdown)
      .split("\n")
      .find((line) => line.startsWith("**To approve**"));
    expect(approve).toBe(
      "**To approve** this version, comment `/apply bafyreijbk7bzh4i62bb` or add the label `nomad-patch: approve`.",
    );
  });

  it("marks changed items of the tree with ! so GitHub colours them, as + and - are", () => {
    const { fenced } = probeMarkdown(renderReviewMarkdown(storageReview(), options));
    expect(fenced).toContain("!   logo.png  (binary)");
    expect(fenced).toContain("! readme.md");
    expect(fenced.some((line) => line.startsWith("~"))).toBe(false);
  });

  it("opens the file diffs in the tree's order up to 150 lines, the rest collapsed", () => {
    const review = buildReview({
      module: "storage",
      name: "Site",
      entries: [entry(0, "FileUpdateEvent", "changed", { targetId: `${TARGET}/b.md` })],
      moduleView: {
        kind: "storage",
        items: [
          storageItem("z.md", "changed", { textDiff: bigDiff(40) }),
          storageItem("docs/a.md", "changed", { textDiff: bigDiff(100) }),
          storageItem("b.md", "changed", { textDiff: bigDiff(40) }),
          storageItem("c.md", "added", { afterContent: fakeCid("c"), textDiff: bigDiff(10) }),
        ],
      },
    });
    const markdown = renderReviewMarkdown(review, options);
    const summaries = [...markdown.matchAll(/<details( open)?>\n<summary><code>([^<]+)<\/code>/g)].map(
      (m) => `${m[2]}${m[1] ? " open" : ""}`,
    );
    // docs/a.md (103 lines) and b.md (43) fit in 150; c.md would pass it, so it and z.md stay closed.
    expect(summaries).toEqual(["docs/a.md open", "b.md open", "c.md", "z.md"]);
  });
});

describe("a conflicted review's first screen", () => {
  it("headlines the conflict above the title, and shows both sides after the summary line", () => {
    const review = {
      ...storageReview(),
      conflicts: {
        state: "conflicts" as const,
        base: fakeCid("base"),
        conflicts: [
          {
            path: "readme.md",
            kind: "file" as const,
            base: fakeCid("r0"),
            current: fakeCid("r1"),
            patch: fakeCid("r2"),
            currentDiff: bigDiff(60),
            patchDiff: bigDiff(60),
          },
        ],
      },
    };
    const markdown = renderReviewMarkdown(review, options);
    const caution = markdown.indexOf("> [!CAUTION]");
    const title = markdown.indexOf("### Patch request:");
    const summary = markdown.indexOf("**Website** (storage):");
    const sides = markdown.indexOf("#### Conflicts");
    const firstSide = markdown.indexOf("<b>readme.md</b>: changed since the base");
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(title);
    expect(title).toBeLessThan(summary);
    expect(summary).toBeLessThan(sides);
    expect(sides).toBeLessThan(firstSide);
    expect(firstSide).toBeLessThan(markdown.indexOf("#### Files and folders"));
  });
});

describe("field changes that fit GitHub's comment column (issue 16 §4)", () => {
  it("shows each field on one row, a change as before → after in one cell, records as Name · Url", () => {
    const markdown = renderReviewMarkdown(fieldsReview(), options);
    const table = markdown.slice(
      markdown.indexOf("#### Field changes"),
      markdown.indexOf("\n\n####", markdown.indexOf("#### Field changes") + 1),
    );
    expect(table.split("\n").slice(2)).toEqual([
      "| Field | Change |",
      "| --- | --- |",
      '| `Name` | `"Nomad tools"` → `"Nomad Tools"` |',
      "| `Links[docs]` | added: `Docs` · `https://example.org/docs` |",
      '| `Features[2]` | removed: `"beta"` |',
    ]);
  });
});
