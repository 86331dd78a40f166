import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { fileType } from "../../../src/patch-request/file-type.js";
import { attachTextDiffs, bytesAsText, type FileText } from "../../../src/patch-request/text-diffs.js";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { renderReviewText } from "../../../src/render/review-text.js";
import { buildReview, fakeCid, storageItem } from "../render/review-builder.js";

const PNG_HEADER = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (size: number) => {
  const bytes = new Uint8Array(size);
  bytes.set(PNG_HEADER);
  return bytes;
};
const LOGO_BEFORE = CID.parse("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e").toString();
const LOGO_AFTER = CID.parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku").toString();
const PHOTO = fakeCid("photo");

/** What the service's fetch gives: the bytes of small files, the size of one over the text limit. */
const texts = new Map<string, FileText>([
  [LOGO_BEFORE, bytesAsText(png(1200))],
  [LOGO_AFTER, bytesAsText(png(2000))],
  [PHOTO, { note: "larger than 65536 bytes", tooLarge: true, size: 180_000 }],
]);

function binaryReview() {
  const items = attachTextDiffs(
    [
      storageItem("img/logo", "changed", { beforeContent: LOGO_BEFORE, afterContent: LOGO_AFTER }),
      storageItem("img/photo.jpg", "added", { beforeContent: null, afterContent: PHOTO }),
    ],
    texts,
  );
  return buildReview({ module: "storage", moduleView: { kind: "storage", items } });
}

describe("binary files in a review", () => {
  it("get their size on each side and their type, by their bytes or else their name", () => {
    const view = binaryReview().moduleView;
    const [logo, photo] = view.kind === "storage" ? view.items : [];
    expect(logo).toMatchObject({
      textDiffNote: "binary file",
      mediaType: "image/png",
      beforeSize: 1200,
      afterSize: 2000,
    });
    // Over the text limit and an image by its name: binary, not "larger than 65536 bytes".
    expect(photo).toMatchObject({
      textDiffNote: "binary file",
      mediaType: "image/jpeg",
      beforeSize: null,
      afterSize: 180_000,
    });
    expect(fileType("notes.md")).toEqual({ mediaType: "text/markdown", binary: false });
    expect(fileType("x.bin", new Uint8Array(PNG_HEADER))?.mediaType).toBe("image/png");
  });

  it("are listed with size before → after, type, CID before → after and links to view them", () => {
    const markdown = renderReviewMarkdown(binaryReview());
    expect(markdown).toContain("   logo  (binary file, image/png, 1.2 KB → 2.0 KB)");
    expect(markdown).toContain(
      `- \`img/logo\` changed: binary file, image/png, 1.2 KB → 2.0 KB · CID \`${LOGO_BEFORE}\` → \`${LOGO_AFTER}\` · [view before](https://ipfs.io/ipfs/${LOGO_BEFORE}) · [view after](https://ipfs.io/ipfs/${LOGO_AFTER})`,
    );
    expect(markdown).toContain(
      `- \`img/photo.jpg\` added: binary file, image/jpeg, 176 KB · CID \`${PHOTO}\` · [view after](https://ipfs.io/ipfs/${PHOTO})`,
    );
    expect(markdown).not.toContain("65536");
    const own = renderReviewMarkdown(binaryReview(), { gatewayUrl: "https://gw.example.org/" });
    expect(own).toContain(`[view after](https://gw.example.org/ipfs/${PHOTO})`);
    const text = renderReviewText(binaryReview(), { color: false });
    expect(text).toContain("logo  (binary file, image/png, 1.2 KB → 2.0 KB)");
    expect(text).toContain(`img/photo.jpg: CID ${PHOTO}`);
  });
});
