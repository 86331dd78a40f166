import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { buildReview, entry, fakeKey, field } from "./review-builder.js";

const DEVICE = fakeKey("would-be-device");

/** What pairing writes: a source-add entry whose content is the new device's key as a string. */
function sourceAddReview(eventId = "NomadEventStreamSourceAddEvent") {
  return buildReview({
    title: "Let me help maintain this",
    entries: [
      entry(0, "UpdateNameAsync", "changed"),
      entry(1, eventId, "refused", {
        content: DEVICE,
        reason: `Entry 1 would make ${DEVICE} a device with full write access to the target`,
      }),
    ],
    moduleView: { kind: "fields", fields: [field("Name", "changed", "Ruled", "Ruled, helped")] },
    refusals: [
      {
        code: "reserved-event-id",
        message: `Entry 1 would make ${DEVICE} a device with full write access to the target`,
        entryIndex: 1,
      },
    ],
    jsonDiff: '-  "Name": "Ruled",\n+  "Name": "Ruled, helped",\n',
  });
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe("a refused review of a patch that would add a device", () => {
  const markdown = renderReviewMarkdown(sourceAddReview());
  const [visible, identifiers] = [
    markdown.slice(0, markdown.indexOf("<details>")) + markdown.slice(markdown.lastIndexOf("</details>")),
    markdown.slice(markdown.indexOf("<summary>Identifiers</summary>"), markdown.indexOf("</details>")),
  ];

  it("says once what the entry would do, naming the key shortened", () => {
    expect(occurrences(markdown, "a device with full write access")).toBe(1);
    expect(markdown).toContain(
      `Entry 1 (\`NomadEventStreamSourceAddEvent\`) would make \`${DEVICE.slice(0, 16)}…\` a device with full write access`,
    );
    // The entries table points at that sentence rather than repeating it.
    expect(markdown).toMatch(
      /\| 1 \| `NomadEventStreamSourceAddEvent` \| .* \| ⛔ refused \| listed under \*\*Refused\*\* \|/,
    );
  });

  it("gives the full key in the collapsed identifiers, and nowhere in view", () => {
    expect(identifiers).toContain(`- **Would add device:** \`${DEVICE}\``);
    expect(visible).not.toContain(DEVICE);
  });

  it("has no predicted result: not in the identifiers, the marker, or a JSON diff of the result", () => {
    expect(markdown).not.toContain("Predicted result");
    expect(parseMarker(markdown)).toMatchObject({ state: "refused", result: null });
    expect(markdown).not.toContain("JSON diff");
  });

  it("says what a source-remove entry would do as well", () => {
    const removing = renderReviewMarkdown(sourceAddReview("NomadEventStreamSourceRemoveEvent"));
    expect(removing).toContain(
      `Entry 1 (\`NomadEventStreamSourceRemoveEvent\`) would remove \`${DEVICE.slice(0, 16)}…\` from the devices that write this target`,
    );
    expect(removing).toContain(`- **Would remove device:** \`${DEVICE}\``);
  });
});
