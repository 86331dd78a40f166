import { describe, expect, it } from "vitest";
import { renderReviewText } from "../../../src/render/review-text.js";
import { stripTerminalControls } from "../../../src/render/terminal-safe.js";
import { buildReview, entry, storageItem } from "./review-builder.js";
import { fieldsReview, genericReview, refusedReview, storageReview } from "./scenarios.js";

const ESC = "\u001b";

describe("renderReviewText", () => {
  it("starts the apply command with the words given (the CLI's --kubo and --data-dir), nomad-patch by default", () => {
    const review = storageReview();
    const applyLine = (text: string) =>
      text.split("\n").find((line) => line.startsWith("To apply exactly this:"));
    const command = "nomad-patch --kubo http://127.0.0.1:5001 --data-dir '/srv/my bot'";
    expect(applyLine(renderReviewText(review, { color: false, width: 80, command }))).toBe(
      `To apply exactly this: ${command} apply ${review.patch.key} --expect ${review.patch.cid} --expect-result ${review.predictedResultCid}`,
    );
    expect(applyLine(renderReviewText(review, { color: false, width: 80 }))).toBe(
      `To apply exactly this: nomad-patch apply ${review.patch.key} --expect ${review.patch.cid} --expect-result ${review.predictedResultCid}`,
    );
  });

  it("shows a Storage review without colour", () => {
    expect(renderReviewText(storageReview(), { color: false, width: 80 })).toMatchInlineSnapshot(`
      "Patch request: Docs: add a guide, fix the readme
      Status:   READY TO APPLY  An approval applies exactly the change shown here.
      Target:   k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r (storage, Website)
      Key:      k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x
      CID:      bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk
      Result:   bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi
      Base:     bafyrein2rwuxzxlg3xo5qdd3jf4ufgtocyvxw6rqztc2eivmnnflsmyhxp (the target's version the author saw)
      From:     k51qzi5uqu5dz3vsz0os2xj6is764ierwg8whonk1aglut01pxjvwt6j0t95bc
      Summary:  4 entries touching 4 targets: 1 added, 1 changed, 1 removed, 1 no effect

      To apply exactly this: nomad-patch apply k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x --expect bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk --expect-result bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi

      Description
        │ Adds a **getting started** guide.
        │
        │ Also removes \`old.txt\`.

      ────────────────────────────────────────────────────────────────────────────────
      Files and folders (5 items: 2 added, 2 changed, 1 removed)
        + docs/
        +   guide.md
          img/
        ~   logo.png  (binary)
        - old.txt
        ~ readme.md
        old.txt: CID bafyreikspxakfz23bkvmdco52bbpezoautcvm7aovrl7pc7ahizwzfbq5f

      docs/guide.md (added)
        --- /dev/null
        +++ docs/guide.md
        @@ -0,0 +1,2 @@
        +# Guide
        +Start here.

      readme.md (changed)
        --- readme.md
        +++ readme.md
        @@ -1 +1 @@
        -Helo
        +Hello

      Entries
          0  added      CreateFileInFolderEvent  docs/guide.md
          1  changed    FileUpdateEvent          readme.md
          2  removed    DeleteFromFolderEvent    old.txt
          3  no effect  FileUpdateEvent          img/logo.png  already so

      JSON diff
         {
        -  "Files": 3
        +  "Files": 4
         }
      "
    `);
  });

  it("writes no escape byte at all without colour, in every scenario", () => {
    for (const review of [storageReview(), fieldsReview(), refusedReview(), genericReview()]) {
      expect(renderReviewText(review, { color: false })).not.toContain(ESC);
    }
  });

  it("colours status, warnings and diff lines when asked", () => {
    const text = renderReviewText(storageReview(), { color: true });
    expect(text).toContain(`${ESC}[32m+Hello${ESC}[39m`);
    expect(text).toContain(`${ESC}[31m-Helo${ESC}[39m`);
    expect(text).toContain(`${ESC}[1mREADY TO APPLY${ESC}[22m`);
  });

  it("strips hostile escape sequences from every untrusted string, colour or not", () => {
    const nasty = `T${ESC}]0;pwned${ESC}\\${ESC}[2J${ESC}[1;1H\u009b31m\u0007x\r\u202Eevil`;
    const review = buildReview({
      title: nasty,
      description: `${nasty}\nline two`,
      module: "storage",
      entries: [entry(0, nasty, "changed", { targetId: nasty, reason: nasty })],
      warnings: [{ code: "w", message: nasty }],
      moduleView: { kind: "storage", items: [storageItem(nasty, "added", { textDiff: `+${nasty}\n` })] },
      jsonDiff: `+${nasty}\n`,
    });
    const plain = renderReviewText(review, { color: false });
    expect(plain).not.toContain(ESC);
    expect(controlCharacters(plain)).toEqual([]);
    expect(plain).toContain("Patch request: Tx ⟨U+202E⟩evil");
    expect(plain).toContain("  │ Tx\n  │ ⟨U+202E⟩evil\n  │ line two");
    const coloured = renderReviewText(review, { color: true });
    expect(coloured).not.toContain("]0;pwned");
    expect(coloured).not.toContain(`${ESC}[2J`);
  });
});

describe("stripTerminalControls", () => {
  it.each([
    ["CSI colour and cursor moves", `a${ESC}[31mb${ESC}[2;3Hc`, "abc"],
    ["OSC title with BEL", `a${ESC}]0;title\u0007b`, "ab"],
    ["OSC hyperlink with ST", `a${ESC}]8;;http://e${ESC}\\b`, "ab"],
    ["8-bit CSI", "a\u009b2Jb", "ab"],
    ["DCS string", `a${ESC}Pq#0;2;0;0;0${ESC}\\b`, "ab"],
    ["two-byte escape", `a${ESC}cb`, "ab"],
    ["unterminated OSC swallows the rest", `a${ESC}]0;forever`, "a"],
    ["lone trailing ESC", `a${ESC}`, "a"],
    ["carriage return (as a line break) and backspace", "abc\rxy\bz", "abc xyz"],
  ])("removes %s", (_name, input, expected) => {
    expect(stripTerminalControls(input)).toBe(expected);
  });

  it("writes invisible and bidi characters out visibly, so look-alike names differ", () => {
    expect(stripTerminalControls("read\u200Bme.txt")).toBe("read⟨U+200B⟩me.txt");
    expect(stripTerminalControls("a\u202Eb\u2066c\uFEFF")).toBe("a⟨U+202E⟩b⟨U+2066⟩c⟨U+FEFF⟩");
    expect(stripTerminalControls("⚠️ é")).toBe("⚠️ é");
  });

  it("keeps newlines only when multi-line and turns tabs into spaces", () => {
    expect(stripTerminalControls("a\nb\tc")).toBe("a b  c");
    expect(stripTerminalControls("a\r\nb", { multiline: true })).toBe("a\nb");
  });

  it("returns plain text unchanged", () => {
    expect(stripTerminalControls("héllo wörld 😀")).toBe("héllo wörld 😀");
  });
});

/** Code points a terminal would act on, other than the newline. */
function controlCharacters(text: string): number[] {
  return [...text]
    .map((char) => char.codePointAt(0) ?? 0)
    .filter((code) => (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) || code === 0x202e);
}
