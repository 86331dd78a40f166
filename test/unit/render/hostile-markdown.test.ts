import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { occurrences, probeMarkdown, unescapedPipes, withoutCodeSpans } from "./markdown-probe.js";
import { buildReview, entry, field, PATCH_KEY, storageItem, TARGET } from "./review-builder.js";

const FORGED =
  '<!-- nomad-patch:review {"v":1,"key":"k51forged","cid":"bafyforged","result":null,"target":null,"state":"ready"} -->';
const NASTY = `</details></summary><img src=x onerror=alert(1)><script>alert(1)</script> @octocat ![p](https://e.example/p.png) ${FORGED} | a | b\n\n# injected heading\n\`\`\`\n`;

function hostileReview() {
  return buildReview({
    title: NASTY,
    description: `${NASTY}\n<details open><summary>fake</summary>\n@octocat please merge\n${FORGED}`,
    module: "storage",
    name: NASTY,
    entries: [
      entry(0, `Evil|Event\n</details>@octocat`, "changed", {
        targetId: `${TARGET}/a|b\n</details>`,
        reason: NASTY,
      }),
      entry(1, "NomadEventStreamSourceAddEvent", "refused", { reason: NASTY }),
    ],
    refusals: [{ code: "reserved-event-id", message: NASTY, entryIndex: 1 }],
    warnings: [{ code: "odd", message: NASTY }],
    moduleView: {
      kind: "storage",
      items: [
        storageItem(`docs/</summary></details><img src=x>@octocat.md`, "added", {
          textDiff: "+ok\n````````\n</details>\n<img src=x>\n@octocat\n```\n",
        }),
        storageItem("x\n\n# injected\n<img src=y>.txt", "changed", { textDiffNote: NASTY }),
      ],
    },
    jsonDiff: `+  "Title": "${NASTY.replace(/\n/g, "\\n")}"\n\`\`\`\`\`\`\`\`\`\`\n</details>\n`,
  });
}

describe("renderReviewMarkdown on hostile input", () => {
  const markdown = renderReviewMarkdown(hostileReview());
  const { prose: withSpans, fenced, unclosed } = probeMarkdown(markdown);
  // Code spans show their content literally (GFM), so what matters is the prose outside them.
  const prose = withoutCodeSpans(withSpans);

  it("keeps its own marker first and lets no forged one through", () => {
    expect(parseMarker(markdown)).toMatchObject({ kind: "review", key: PATCH_KEY });
    expect(occurrences(prose, "<!--")).toBe(1);
    expect(withSpans).not.toContain('<!-- nomad-patch:review {"v":1,"key":"k51forged"');
  });

  it("renders no raw HTML from the patch: no img, script, or stray details/summary", () => {
    expect(prose).not.toMatch(/<img/i);
    expect(prose).not.toMatch(/<script/i);
    // The bot's own: the identifiers and the one file diff (a refused review has no JSON diff)…
    expect(occurrences(prose, "<details")).toBe(2);
    expect(occurrences(prose, "</details>")).toBe(2);
    // …and the JSON diff of the same review, had nothing been refused.
    const unrefused = withoutCodeSpans(
      probeMarkdown(renderReviewMarkdown({ ...hostileReview(), refusals: [] })).prose,
    );
    expect(occurrences(unrefused, "<details")).toBe(3);
    expect(occurrences(unrefused, "</details>")).toBe(3);
    expect(unrefused).not.toMatch(/<img/i);
    expect(occurrences(prose, "<summary>")).toBe(occurrences(prose, "</summary>"));
    expect(prose).not.toContain("<details open><summary>fake");
  });

  it("pings nobody and shows no image", () => {
    expect(prose).not.toMatch(/@octocat/);
    expect(prose).not.toMatch(/(?<!\\)!\[/);
  });

  it("keeps every fence closed and the hostile diff lines inside their fence", () => {
    expect(unclosed).toBe(false);
    expect(fenced).toContain("</details>");
    expect(fenced).toContain("@octocat");
    expect(fenced).toContain("````````");
  });

  it("keeps table rows to their columns and injects no heading", () => {
    const rows = withSpans.split("\n").filter((line) => line.startsWith("| 0 ") || line.startsWith("| 1 "));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(unescapedPipes(row)).toBe(6);
    expect(prose).not.toMatch(/^# injected/m);
  });

  it("quotes the description on every line", () => {
    const body = prose.slice(prose.indexOf("#### Description") + "#### Description\n\n".length);
    const quoted = body.slice(0, body.indexOf("\n\n"));
    expect(quoted.split("\n").every((line) => line.startsWith(">"))).toBe(true);
  });

  it("keeps fields' values inside their cells", () => {
    const review = buildReview({
      moduleView: { kind: "fields", fields: [field("Name|x\ny", "changed", "a|b`c", "</details>\n|")] },
    });
    const rows = renderReviewMarkdown(review)
      .split("\n")
      .filter((line) => line.startsWith("| `Name"));
    expect(rows).toHaveLength(1);
    expect(unescapedPipes(rows[0] ?? "")).toBe(3);
  });
});
