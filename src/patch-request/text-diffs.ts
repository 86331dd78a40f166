import { createTwoFilesPatch } from "diff";
import type { ItemChange, StorageItemChange } from "./change-model.js";
import { fileType } from "./file-type.js";

/**
 * A file's content as the reviewer fetched it: text, or why it is not shown. `size` is its length in
 * bytes where known; `head` its first bytes when it was fetched but is not text (to tell its type);
 * `tooLarge` when it was not fetched whole because it is over the text limit.
 */
export type FileText =
  | { readonly text: string; readonly size?: number }
  | {
      readonly note: string;
      readonly size?: number;
      readonly head?: Uint8Array;
      readonly tooLarge?: boolean;
    };

/** How many first bytes are kept of a binary file, enough for every type `fileType` knows by its bytes. */
const HEAD_BYTES = 16;

/**
 * The content CIDs whose text a review of these items would show (changed, added and removed files),
 * both sides of the first `maxFiles` files in path order. The limit counts files, not contents: a
 * changed file has two (issue 16: 40 files read as "more than 50 files changed").
 */
export function textDiffCandidates(
  items: readonly StorageItemChange[],
  maxFiles = Number.POSITIVE_INFINITY,
): string[] {
  const cids = new Set<string>();
  for (const item of filesWithContent(items).slice(0, maxFiles)) {
    if (item.beforeContent) cids.add(item.beforeContent);
    if (item.afterContent) cids.add(item.afterContent);
  }
  return [...cids];
}

function filesWithContent(items: readonly StorageItemChange[]): StorageItemChange[] {
  return items.filter((item) => item.kind === "file" && (item.beforeContent || item.afterContent));
}

/**
 * Adds a unified diff to each file whose both sides are text; otherwise a note says why there is none
 * (a file too large to fetch whose type is binary is called binary: its size is not the point). Each file
 * also gets its size on each side and its type, where known.
 */
export function attachTextDiffs(
  items: readonly StorageItemChange[],
  texts: ReadonlyMap<string, FileText>,
  maxFiles = Number.POSITIVE_INFINITY,
): StorageItemChange[] {
  const withContent = filesWithContent(items);
  const unread = new Set(withContent.slice(maxFiles));
  const unreadNote = `not fetched: the review reads at most ${maxFiles} files, and this patch touches ${withContent.length}`;
  return items.map((item) => {
    if (item.kind !== "file") return item;
    if (unread.has(item)) return { ...item, textDiffNote: unreadNote };
    const before = sideText(item.beforeContent, texts);
    const after = sideText(item.afterContent, texts);
    const head = ("head" in after && after.head) || ("head" in before && before.head) || undefined;
    const type = fileType(item.path, head);
    const described = {
      ...item,
      ...sizeOf("beforeSize", item.beforeContent, before),
      ...sizeOf("afterSize", item.afterContent, after),
      ...(type ? { mediaType: type.mediaType } : {}),
    };
    const diff = fileTextDiff(item.path, item.beforeContent, item.afterContent, texts, item.change);
    if (!("note" in diff)) return { ...described, textDiff: diff.text };
    const binary = diff.tooLarge === true && type?.binary === true;
    return { ...described, textDiffNote: binary ? "binary file" : diff.note };
  });
}

function sizeOf(
  key: "beforeSize" | "afterSize",
  cid: string | null | undefined,
  side: FileText,
): { beforeSize?: number | null } | { afterSize?: number | null } {
  if (cid === undefined) return {};
  if (cid === null) return { [key]: null };
  return side.size === undefined ? {} : { [key]: side.size };
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
  if (!cid) return { text: "", size: 0 };
  return texts.get(cid) ?? { note: "content not fetched" };
}

/** Decides whether bytes are shown as text: UTF-8 without NULs or other binary control bytes. */
export function bytesAsText(bytes: Uint8Array): FileText {
  let text: string;
  const binary = { note: "binary file", size: bytes.byteLength, head: bytes.slice(0, HEAD_BYTES) };
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return binary;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting binary content is the point
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) return binary;
  return { text, size: bytes.byteLength };
}

/** A unified diff with `---`/`+++` headers and 3 lines of context, without the `Index:`/`===` preamble. */
export function unifiedDiff(oldName: string, newName: string, oldText: string, newText: string): string {
  const patch = createTwoFilesPatch(oldName, newName, oldText, newText, "", "", { context: 3 });
  const lines = patch.split("\n");
  while (lines.length > 0 && !lines[0]?.startsWith("---")) lines.shift();
  return lines.join("\n").trimEnd();
}
