import { createTwoFilesPatch } from "diff";
import type { ItemChange, StorageItemChange } from "./change-model.js";

/** A file's content as the reviewer fetched it: text, or why it is not shown. */
export type FileText = { readonly text: string } | { readonly note: string };

/** The content CIDs whose text a review of these items would show (changed, added and removed files). */
export function textDiffCandidates(items: readonly StorageItemChange[]): string[] {
  const cids = new Set<string>();
  for (const item of items) {
    if (item.kind !== "file") continue;
    if (item.beforeContent) cids.add(item.beforeContent);
    if (item.afterContent) cids.add(item.afterContent);
  }
  return [...cids];
}

/** Adds a unified diff to each file whose both sides are text; otherwise a note says why there is none. */
export function attachTextDiffs(
  items: readonly StorageItemChange[],
  texts: ReadonlyMap<string, FileText>,
): StorageItemChange[] {
  return items.map((item) => {
    if (item.kind !== "file") return item;
    const diff = fileTextDiff(item.path, item.beforeContent, item.afterContent, texts, item.change);
    return "note" in diff ? { ...item, textDiffNote: diff.note } : { ...item, textDiff: diff.text };
  });
}

/**
 * The unified diff of one file between two contents (null: absent or empty), or why there is none. Given
 * `change`, an added file comes from /dev/null and a removed one goes to it, as git writes them.
 */
export function fileTextDiff(
  path: string,
  from: string | null | undefined,
  to: string | null | undefined,
  texts: ReadonlyMap<string, FileText>,
  change?: ItemChange,
): FileText {
  const before = sideText(from, texts);
  const after = sideText(to, texts);
  if ("note" in before) return before;
  if ("note" in after) return after;
  const fromName = change === "added" ? "/dev/null" : `a/${path}`;
  const toName = change === "removed" ? "/dev/null" : `b/${path}`;
  return { text: unifiedDiff(fromName, toName, before.text, after.text) };
}

function sideText(cid: string | null | undefined, texts: ReadonlyMap<string, FileText>): FileText {
  if (!cid) return { text: "" };
  return texts.get(cid) ?? { note: "content not fetched" };
}

/** Decides whether bytes are shown as text: UTF-8 without NULs or other binary control bytes. */
export function bytesAsText(bytes: Uint8Array): FileText {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { note: "binary file" };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting binary content is the point
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) return { note: "binary file" };
  return { text };
}

/** A unified diff with `---`/`+++` headers and 3 lines of context, without the `Index:`/`===` preamble. */
export function unifiedDiff(oldName: string, newName: string, oldText: string, newText: string): string {
  const patch = createTwoFilesPatch(oldName, newName, oldText, newText, "", "", { context: 3 });
  const lines = patch.split("\n");
  while (lines.length > 0 && !lines[0]?.startsWith("---")) lines.shift();
  return lines.join("\n").trimEnd();
}
